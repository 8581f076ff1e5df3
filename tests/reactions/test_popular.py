"""Popular this week: ranked by a periodic job from claps weighed per reader, read through the
API and the front page."""

from datetime import timedelta

from sqlalchemy import select, update

from broadsheet.articles.models import Article
from broadsheet.db import session_scope
from broadsheet.lib.clock import utcnow
from broadsheet.reactions.jobs import rank_popular_stories
from broadsheet.reactions.models import Clap
from broadsheet.reactions.service import rank_popular
from tests.helpers import publish, sign_up
from tests.pages.helpers import elements, text_of
from tests.reactions.test_claps import clap


async def rank(backend):
    """What the periodic job does on time: rank again, now."""
    return await rank_popular_stories({"database": backend.database, "settings": backend.settings})


async def popular(client, reader=None, **params):
    headers = reader.headers if reader else {}
    response = await client.get("/api/articles/popular", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def titles(listing):
    return [article["title"] for article in listing["articles"]]


async def test_a_reader_who_claps_fifty_on_everything_weighs_no_more_than_a_rare_clapper(
    client, backend
):
    author = await sign_up(client)
    first, second, third = [await publish(client, author, title=t) for t in ("A", "B", "C")]
    enthusiast, measured = await sign_up(client), await sign_up(client)
    rare, also_rare = await sign_up(client), await sign_up(client)
    await clap(client, enthusiast, first["slug"], 50)
    await clap(client, enthusiast, second["slug"], 50)
    # Usually five claps: one is faint praise, nine is a favourite.
    await clap(client, measured, first["slug"], 1)
    await clap(client, measured, second["slug"], 9)
    await clap(client, rare, third["slug"], 1)
    await clap(client, also_rare, third["slug"], 1)

    assert await rank(backend) == 3

    # Counted raw, A (51 claps) would come before C (2). Weighed: B 1 + 1.8, C 1 + 1, A 1 + 0.2.
    listing = await popular(client)
    assert titles(listing) == ["B", "C", "A"]
    assert listing["articlesCount"] == 3
    assert [article["clapsCount"] for article in listing["articles"]] == [59, 2, 51]


async def test_only_this_weeks_claps_on_listed_stories_count(client, backend):
    author = await sign_up(client)
    old, unlisted, fresh = [
        await publish(client, author, title=t) for t in ("Old", "Hidden", "New")
    ]
    await client.put(
        f"/api/articles/{unlisted['slug']}",
        json={"article": {"status": "unlisted"}},
        headers=author.headers,
    )
    reader = await sign_up(client)
    for story in (old, unlisted, fresh):
        await clap(client, reader, story["slug"], 3)
    old_id = select(Article.id).where(Article.slug == old["slug"]).scalar_subquery()
    async with session_scope(backend.database) as session:
        await session.execute(
            update(Clap)
            .where(Clap.article_id == old_id)
            .values(clapped_at=utcnow() - timedelta(days=8))
        )

    await rank(backend)

    assert titles(await popular(client)) == ["New"]


async def test_the_list_changes_only_when_ranked_again(client, backend):
    author = await sign_up(client)
    story = await publish(client, author, title="Applauded")
    reader = await sign_up(client)

    assert titles(await popular(client)) == []
    await clap(client, reader, story["slug"])
    assert titles(await popular(client)) == []

    await rank(backend)
    assert titles(await popular(client)) == ["Applauded"]

    await client.delete(f"/api/articles/{story['slug']}/claps", headers=reader.headers)
    await rank(backend)
    assert titles(await popular(client)) == []


async def test_a_story_taken_out_of_the_lists_leaves_popular_at_once(client, backend):
    author = await sign_up(client)
    story = await publish(client, author, title="Soon a draft")
    reader = await sign_up(client)
    await clap(client, reader, story["slug"])
    await rank(backend)

    await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"status": "draft"}},
        headers=author.headers,
    )

    assert titles(await popular(client)) == []


async def test_popular_shows_each_reader_their_own_claps_and_pages(client, backend):
    author = await sign_up(client)
    stories = [await publish(client, author, title=f"Story {n}") for n in range(3)]
    reader = await sign_up(client)
    for n, story in enumerate(stories):
        await clap(client, reader, story["slug"], n + 1)
    await rank(backend)

    first_page = await popular(client, reader, limit=2)
    second_page = await popular(client, reader, limit=2, offset=2)

    assert titles(first_page) == ["Story 2", "Story 1"]
    assert [article["yourClaps"] for article in first_page["articles"]] == [3, 2]
    assert titles(second_page) == ["Story 0"]
    assert first_page["articlesCount"] == second_page["articlesCount"] == 3


async def test_ranking_again_replaces_the_list(client, backend):
    author = await sign_up(client)
    story = await publish(client, author)
    reader = await sign_up(client)
    await clap(client, reader, story["slug"])
    async with session_scope(backend.database) as session:
        assert await rank_popular(session, now=utcnow()) == 1
    async with session_scope(backend.database) as session:
        # A week later, the same claps are last week's.
        assert await rank_popular(session, now=utcnow() + timedelta(days=8)) == 0

    assert titles(await popular(client)) == []


async def test_the_front_page_has_a_popular_this_week_tab(client, backend):
    author = await sign_up(client)
    await publish(client, author, title="Quiet")
    loud = await publish(client, author, title="Loud")
    reader = await sign_up(client)
    await clap(client, reader, loud["slug"], 4)

    before = await client.get("/?feed=popular")
    await rank(backend)
    after = await client.get("/?feed=popular")

    assert before.status_code == after.status_code == 200
    assert "No story has been applauded this week yet." in before.text
    current = elements(after.text, "a", aria_current="page")
    assert [tab["text"] for tab in current] == ["Popular this week"]
    listed = text_of(after.text)
    assert "Loud" in listed
    assert "Quiet" not in listed
    assert "4 claps" in listed
