"""Purges by what changed: a write names what it changed, after its commit exactly the responses
that show it go stale, whoever wrote (a request, the CLI, a job), and a rollback purges nothing."""

import pytest
from sqlalchemy import select

from broadsheet.accounts.models import User
from broadsheet.articles import service as articles
from broadsheet.articles.models import Article
from broadsheet.articles.schemas import ArticleUpdate
from broadsheet.db import session_scope
from tests.helpers import publish, sign_up
from tests.pages.helpers import elements, sign_in_on_site, submit


async def _cached(client, url: str, **headers: str):
    """Read `url` until the cache holds it; the response that was served from the cache."""
    await client.get(url, headers=headers)
    response = await client.get(url, headers=headers)
    assert response.headers["x-cache"] == "hit", url
    return response


async def _two_stories(client):
    author = await sign_up(client)
    first = await publish(client, author, title="First", tagList=["alpha"])
    second = await publish(client, author, title="Second", tagList=["beta"])
    return author, first, second


async def test_favoriting_a_story_leaves_the_pages_of_other_stories_cached(client):
    first = await publish(client, await sign_up(client), title="First", tagList=["alpha"])
    # By another writer, with no tag in common: its page offers nothing of the first story's.
    author = await sign_up(client)
    second = await publish(client, author, title="Second", tagList=["beta"])
    reader = await sign_up(client)
    other_pages = [
        f"/@{author.username}/{second['slug']}",
        f"/api/articles/{second['slug']}",
        "/api/articles?tag=beta",
    ]
    for url in [*other_pages, f"/api/articles/{first['slug']}"]:
        await _cached(client, url)

    await client.post(f"/api/articles/{first['slug']}/favorite", headers=reader.headers)

    for url in other_pages:
        assert (await client.get(url)).headers["x-cache"] == "hit", url
    favorited = await client.get(f"/api/articles/{first['slug']}")
    assert favorited.headers["x-cache"] == "miss"
    assert favorited.json()["article"]["favoritesCount"] == 1
    favorites = await client.get(f"/api/articles?favorited={reader.username}")
    assert [story["slug"] for story in favorites.json()["articles"]] == [first["slug"]]


async def test_favoriting_a_story_refreshes_the_page_that_offers_it_to_read_next(client):
    author, first, second = await _two_stories(client)
    reader = await sign_up(client)
    second_page = f"/@{author.username}/{second['slug']}"
    await _cached(client, second_page)

    await client.post(f"/api/articles/{first['slug']}/favorite", headers=reader.headers)

    page = await client.get(second_page)
    assert page.headers["x-cache"] == "miss"
    (offered,) = elements(page.text, "section", aria_labelledby="more-from-heading")
    assert "1 favorite" in offered["text"]


async def test_a_cached_response_names_what_it_shows_in_its_headers(client, session):
    _, first, second = await _two_stories(client)
    ids = {
        slug: (story_id, author_id)
        for slug, story_id, author_id in await session.execute(
            select(Article.slug, Article.id, Article.author_id)
        )
    }
    story_id, author_id = ids[first["slug"]]
    one = await client.get(f"/api/articles/{first['slug']}")
    keys = set(one.headers["surrogate-key"].split(" "))
    assert keys == {"site", f"story:{story_id}", f"author:{author_id}"}
    assert set(one.headers["cache-tag"].split(",")) == keys

    listing = set((await client.get("/api/articles")).headers["surrogate-key"].split(" "))
    assert {f"story:{story_id}" for story_id, _ in ids.values()} | {"stories"} <= listing
    tagged = set((await client.get("/api/articles?tag=beta")).headers["surrogate-key"].split())
    assert "tag:beta" in tagged
    assert f"story:{ids[second['slug']][0]}" in tagged
    assert f"story:{story_id}" not in tagged


async def test_a_url_is_cached_once_for_each_form_a_client_accepts(client):
    await _cached(client, "/api/tags", accept="application/json")
    other_form = await client.get("/api/tags", headers={"accept": "text/html"})
    assert other_form.headers["x-cache"] == "miss"
    assert "Accept" in other_form.headers["vary"]


async def test_a_preview_on_the_site_purges_nothing(client):
    author, _, _ = await _two_stories(client)
    await sign_in_on_site(client, author.email, author.password)
    client.cookies.clear()
    await _cached(client, "/")
    await sign_in_on_site(client, author.email, author.password)
    preview = await submit(
        client, "/new", title="Draft", description="d", body="Not yet", intent="preview"
    )
    assert preview.status_code == 200
    client.cookies.clear()
    assert (await client.get("/")).headers["x-cache"] == "hit"


async def test_a_write_outside_a_request_purges_what_it_changed(backend, client):
    author, first, _ = await _two_stories(client)
    url = f"/api/articles/{first['slug']}"
    await _cached(client, url)
    async with session_scope(backend.database) as session:
        writer = await session.scalar(select(User).where(User.username == author.username))
        assert writer is not None
        changes = ArticleUpdate(body="Edited from the command line")
        await articles.edit(session, first["slug"], changes, by=writer)
    fresh = await client.get(url)
    assert fresh.headers["x-cache"] == "miss"
    assert fresh.json()["article"]["body"] == "Edited from the command line"


class _Abandoned(Exception):
    pass


async def _edit_then_abandon(backend, username: str, slug: str) -> None:
    async with session_scope(backend.database) as session:
        writer = await session.scalar(select(User).where(User.username == username))
        assert writer is not None
        await articles.edit(session, slug, ArticleUpdate(body="Never"), by=writer)
        raise _Abandoned


async def test_a_write_that_rolls_back_purges_nothing(backend, client):
    author, first, _ = await _two_stories(client)
    url = f"/api/articles/{first['slug']}"
    before = await _cached(client, url)
    with pytest.raises(_Abandoned):
        await _edit_then_abandon(backend, author.username, first["slug"])
    after = await client.get(url)
    assert after.headers["x-cache"] == "hit"
    assert after.content == before.content


async def test_a_failed_request_purges_nothing(client):
    _, first, _ = await _two_stories(client)
    stranger = await sign_up(client)
    url = f"/api/articles/{first['slug']}"
    await _cached(client, url)
    refused = await client.put(
        url, json={"article": {"body": "Not mine to change"}}, headers=stranger.headers
    )
    assert refused.status_code == 403
    assert (await client.get(url)).headers["x-cache"] == "hit"


async def test_lists_filtered_alike_keep_counts_of_their_own(client):
    author = await sign_up(client, "alpha")
    await publish(client, author, tagList=["alpha"])
    await publish(client, author, tagList=["alpha"])
    other = await sign_up(client)
    await publish(client, other, tagList=["alpha"])
    # Signed in, so the lists are counted afresh rather than served whole from the cache.
    by_tag = await client.get("/api/articles?tag=alpha", headers=other.headers)
    by_author = await client.get("/api/articles?author=alpha", headers=other.headers)
    assert by_tag.json()["articlesCount"] == 3
    assert by_author.json()["articlesCount"] == 2
    await publish(client, author)
    by_author = await client.get("/api/articles?author=alpha", headers=other.headers)
    assert by_author.json()["articlesCount"] == 3


async def test_a_renamed_writer_shows_under_the_new_name_at_once(client):
    author, first, _ = await _two_stories(client)
    new_name = f"{author.username}renamed"
    await _cached(client, f"/api/articles?author={new_name}")
    await _cached(client, f"/api/articles/{first['slug']}")
    renamed = await client.put(
        "/api/user", json={"user": {"username": new_name}}, headers=author.headers
    )
    assert renamed.status_code == 200
    listing = await client.get(f"/api/articles?author={new_name}")
    assert listing.json()["articlesCount"] == 2
    story = await client.get(f"/api/articles/{first['slug']}")
    assert story.json()["article"]["author"]["username"] == new_name
