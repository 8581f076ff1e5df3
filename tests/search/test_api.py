"""Search through the API, on every engine: what it finds, in which order, what it may never
find, and that it stays current as stories change."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from broadsheet.articles.models import Article
from broadsheet.db import session_scope
from broadsheet.lib.clock import utcnow
from broadsheet.search.models import SearchDocument
from tests.helpers import publish, sign_up
from tests.moderation.test_api import make_admin
from tests.publications.helpers import found as found_publication


async def search(client, q, reader=None, **params):
    headers = reader.headers if reader else {}
    response = await client.get("/api/search", params={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def titles(found):
    return [article["title"] for article in found["articles"]]


async def test_a_story_is_found_by_a_word_from_its_body_with_the_word_marked(client):
    writer = await sign_up(client)
    await publish(
        client,
        writer,
        title="Notes from the kitchen",
        body="# Bread\n\nA **sourdough** starter is a small city of yeasts.",
    )
    await publish(client, writer, title="Elsewhere", body="Nothing about baking at all.")

    found = await search(client, "Sourdough")

    assert titles(found) == ["Notes from the kitchen"]
    assert found["articlesCount"] == 1
    assert found["moreArticles"] is False
    passage = found["articles"][0]["snippetHtml"]
    # The word as written, Markdown gone.
    assert "<mark>sourdough</mark> starter is a small city" in passage
    assert "**" not in passage
    assert found["articles"][0]["author"]["username"] == writer.username


async def test_a_word_in_the_title_ranks_above_the_same_word_in_a_body(client):
    writer = await sign_up(client)
    await publish(client, writer, title="On rivers", body="Water runs downhill.")
    await publish(client, writer, title="Maps", body="The lighthouse keeper kept a log.")
    await publish(client, writer, title="The lighthouse", body="A tall tower by the sea.")

    found = await search(client, "lighthouse")

    assert titles(found) == ["The lighthouse", "Maps"]


async def test_every_word_must_appear_quoted_words_together_and_minus_words_not(client):
    writer = await sign_up(client)
    await publish(client, writer, title="One", body="The blue whale sings.")
    await publish(client, writer, title="Two", body="A whale that is blue.")
    await publish(client, writer, title="Three", body="The blue whale and the grey whale.")

    assert sorted(titles(await search(client, "blue whale"))) == ["One", "Three", "Two"]
    assert sorted(titles(await search(client, '"blue whale"'))) == ["One", "Three"]
    assert titles(await search(client, '"blue whale" -grey')) == ["One"]
    assert titles(await search(client, "whale sings")) == ["One"]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "NEAR(",
        "AND OR NOT",
        "title:whale",
        "^whale",
        "whale*",
        "-",
        "- -",
        "((()",
        "'; DROP TABLE articles; --",
        "%_%",
        "@@ !! <-> :*",
        "+-~<>",
        "\\",
        "ünïcödé 東京",
    ],
)
async def test_what_search_syntax_a_database_has_is_never_an_error(client, q):
    writer = await sign_up(client)
    await publish(client, writer, title="A whale", body="A whale and ünïcödé text in 東京.")

    found = await search(client, q)

    assert found["articlesCount"] == len(found["articles"])


async def test_a_search_needs_words_no_longer_than_two_hundred_characters(client):
    missing = await client.get("/api/search")
    blank = await client.get("/api/search", params={"q": ""})
    long = await client.get("/api/search", params={"q": "w" * 201})

    assert (missing.status_code, blank.status_code, long.status_code) == (422, 422, 422)
    assert "q" in long.json()["errors"]


async def test_only_listed_stories_match_even_for_their_writer(client):
    writer = await sign_up(client)
    other = await sign_up(client)
    await publish(client, writer, title="Draft", body="a secret zeppelin", status="draft")
    await publish(client, writer, title="Unlisted", body="a secret zeppelin", status="unlisted")
    later = (utcnow() + timedelta(days=2)).isoformat()
    await publish(
        client,
        writer,
        title="Scheduled",
        body="a secret zeppelin",
        status="scheduled",
        publishAt=later,
    )
    await publish(client, writer, title="Public", body="a zeppelin in plain sight")

    for reader in (None, other, writer):
        assert titles(await search(client, "zeppelin", reader)) == ["Public"]
    assert (await search(client, "secret"))["articlesCount"] == 0


async def test_a_story_taken_down_stops_matching_and_matches_again_when_republished(client):
    writer = await sign_up(client)
    story = await publish(client, writer, title="Comet", body="A comet returns.")
    path = f"/api/articles/{story['slug']}"

    await client.put(path, json={"article": {"status": "draft"}}, headers=writer.headers)
    hidden = await search(client, "comet")
    await client.put(path, json={"article": {"status": "published"}}, headers=writer.headers)
    shown = await search(client, "comet")

    assert (titles(hidden), titles(shown)) == ([], ["Comet"])


async def test_a_suspended_writers_stories_and_name_are_not_found(client, backend):
    admin = await sign_up(client)
    await make_admin(backend, admin)
    troll = await sign_up(client, "trollish")
    await publish(client, troll, title="Spam", body="buy cheap pelicans")
    found = await search(client, "pelicans")
    named = await search(client, "trollish")

    response = await client.post(
        f"/api/moderation/suspensions/{troll.username}", headers=admin.headers
    )
    assert response.status_code == 204

    assert titles(found) == ["Spam"]
    assert [profile["username"] for profile in named["profiles"]] == ["trollish"]
    assert titles(await search(client, "pelicans")) == []
    assert (await search(client, "trollish"))["profiles"] == []


async def test_an_edit_is_searchable_at_once_and_its_old_words_are_gone(client):
    writer = await sign_up(client)
    story = await publish(client, writer, title="Harbour", body="Boats in the harbour.")
    assert titles(await search(client, "boats")) == ["Harbour"]  # and cached, anonymously

    changes = {"title": "Quay", "description": "Wharves and piers", "body": "Gulls on the quay."}
    response = await client.put(
        f"/api/articles/{story['slug']}", json={"article": changes}, headers=writer.headers
    )
    assert response.status_code == 200

    assert titles(await search(client, "boats")) == []
    assert titles(await search(client, "gulls")) == ["Quay"]
    assert titles(await search(client, "wharves")) == ["Quay"]
    assert titles(await search(client, "harbour")) == []


async def test_a_new_story_is_found_by_a_search_made_before_it(client):
    writer = await sign_up(client)
    assert titles(await search(client, "aurora")) == []

    await publish(client, writer, title="Northern lights", body="An aurora over the fjord.")

    assert titles(await search(client, "aurora")) == ["Northern lights"]


async def test_a_deleted_story_leaves_nothing_behind_for_search(client, backend):
    writer = await sign_up(client)
    story = await publish(client, writer, title="Gone", body="An ephemeral mayfly.")

    response = await client.delete(f"/api/articles/{story['slug']}", headers=writer.headers)
    assert response.status_code == 204

    assert titles(await search(client, "mayfly")) == []
    async with session_scope(backend.database) as session:
        assert await session.scalar(select(func.count()).select_from(SearchDocument)) == 0


async def test_search_narrows_by_tag_writer_and_the_days_published(client, backend):
    ada, grace = await sign_up(client, "ada"), await sign_up(client, "grace")
    old = await publish(client, ada, title="Old", body="tides", tagList=["Sea"])
    await publish(client, ada, title="Ada's", body="tides", tagList=["Moon"])
    await publish(client, grace, title="Grace's", body="tides", tagList=["sea"])
    async with session_scope(backend.database) as session:
        when = utcnow().replace(year=2020, month=3, day=15)
        await session.execute(
            update(Article).where(Article.slug == old["slug"]).values(published_at=when)
        )

    assert sorted(titles(await search(client, "tides", tag="SEA"))) == ["Grace's", "Old"]
    assert sorted(titles(await search(client, "tides", author="Ada"))) == ["Ada's", "Old"]
    assert titles(await search(client, "tides", since="2020-03-15", until="2020-03-15")) == ["Old"]
    assert titles(await search(client, "tides", until="2020-03-14")) == []
    recent = await search(client, "tides", since="2021-01-01")
    assert sorted(titles(recent)) == ["Ada's", "Grace's"]
    assert titles(await search(client, "tides", tag="Moon", author="grace")) == []


async def test_results_come_a_page_at_a_time_with_how_many_there_are(client):
    writer = await sign_up(client)
    for number in range(5):
        await publish(client, writer, title=f"Part {number}", body="the same marmot")

    first = await search(client, "marmot", limit=2)
    last = await search(client, "marmot", limit=2, offset=4)
    beyond = await search(client, "marmot", limit=2, offset=10)

    assert (first["articlesCount"], len(first["articles"])) == (5, 2)
    assert (last["articlesCount"], len(last["articles"])) == (5, 1)
    assert (beyond["articlesCount"], beyond["articles"]) == (5, [])
    seen = titles(first) + titles(await search(client, "marmot", limit=2, offset=2)) + titles(last)
    assert sorted(seen) == [f"Part {number}" for number in range(5)]


async def test_writers_tags_and_publications_are_suggested_by_their_names(client):
    writer = await sign_up(client, "orwell")
    await sign_up(client, "orwellian")
    await sign_up(client, "blair")
    await publish(client, writer, title="Essay", body="Plain words.", tagList=["Oranges"])
    await found_publication(client, writer, name="The Orchard Review")

    found = await search(client, "or")

    assert [profile["username"] for profile in found["profiles"]] == ["orwell", "orwellian"]
    assert found["tags"] == ["Oranges"]
    assert [place["name"] for place in found["publications"]] == ["The Orchard Review"]


async def test_a_search_costs_the_same_few_statements_for_one_story_or_twenty(
    client, queries, engine
):
    writer = await sign_up(client)

    async def statements_for(count):
        for _ in range(count):
            await publish(client, writer, body="a narwhal", tagList=["Arctic"])
        queries.reset()
        await search(client, "narwhal", limit=20)
        return queries.count

    one = await statements_for(1)
    twenty = await statements_for(19)

    # BEGIN (SQLite), the ranked page, passages, stories, their tags, writers, tags, publications.
    assert one == twenty <= 8


async def test_a_passage_is_text_never_markup(client):
    writer = await sign_up(client)
    body = 'A `<img src=x onerror=alert(1)>` walrus & "friends" <b>bold</b>'
    await publish(client, writer, title="Markup", body=body)

    passage = (await search(client, "walrus"))["articles"][0]["snippetHtml"]

    assert "<img" not in passage
    assert "<b>" not in passage
    assert "alert(1)&gt;" in passage
    assert "<mark>walrus</mark>" in passage


async def test_words_are_found_by_their_stem_where_the_engine_stems(client, engine):
    if engine == "mariadb":
        pytest.skip("MariaDB's FULLTEXT matches whole words; it has no stemming")
    writer = await sign_up(client)
    await publish(client, writer, title="Ovens", body="She was baking bread all morning.")

    assert titles(await search(client, "bakes")) == ["Ovens"]


@pytest.mark.parametrize("day", ["20261231", "1.5", "2026-02-30", "2026-W01-1", "yesterday"])
async def test_a_day_is_written_year_month_day_and_nothing_else(client, day):
    response = await client.get("/api/search", params={"q": "tides", "since": day})

    assert response.status_code == 422
    assert response.json()["errors"] == {"since": ["must be a day, such as 2026-12-31"]}
