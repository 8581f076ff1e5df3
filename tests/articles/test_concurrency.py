"""Many requests at once on one story: no lost counts, no duplicate rows, no server errors."""

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from broadsheet.accounts.models import User
from broadsheet.app import close, create_app
from broadsheet.articles.models import Article, Favorite
from tests.conftest import settings_for_tests
from tests.helpers import PASSWORD, publish, sign_up


async def count_rows(backend, model):
    async with backend.database.engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(model))


async def count_favorites(backend):
    return await count_rows(backend, Favorite)


async def stored_favorites_count(backend, slug):
    async with backend.database.engine.connect() as connection:
        return await connection.scalar(select(Article.favorites_count).where(Article.slug == slug))


async def read_story(client, slug):
    response = await client.get(f"/api/articles/{slug}")
    assert response.status_code == 200, response.text
    return response.json()["article"]


async def test_fifty_readers_favoriting_at_once_are_all_counted(client, backend):
    author = await sign_up(client)
    story = await publish(client, author)
    readers = await asyncio.gather(*(sign_up(client) for _ in range(50)))
    favorite_url = f"/api/articles/{story['slug']}/favorite"

    favorited = await asyncio.gather(
        *(client.post(favorite_url, headers=reader.headers) for reader in readers)
    )

    assert [response.status_code for response in favorited] == [200] * 50
    assert (await read_story(client, story["slug"]))["favoritesCount"] == 50
    assert (
        await count_favorites(backend) == 50 == await stored_favorites_count(backend, story["slug"])
    )

    unfavorited = await asyncio.gather(
        *(client.delete(favorite_url, headers=reader.headers) for reader in readers)
    )

    assert [response.status_code for response in unfavorited] == [200] * 50
    assert (await read_story(client, story["slug"]))["favoritesCount"] == 0
    assert (
        await count_favorites(backend) == 0 == await stored_favorites_count(backend, story["slug"])
    )


async def test_one_reader_favoriting_ten_times_at_once_counts_once(client, backend):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    favorite_url = f"/api/articles/{story['slug']}/favorite"

    responses = await asyncio.gather(
        *(client.post(favorite_url, headers=reader.headers) for _ in range(10))
    )

    assert [response.status_code for response in responses] == [200] * 10
    assert all(response.json()["article"]["favorited"] for response in responses)
    assert (await read_story(client, story["slug"]))["favoritesCount"] == 1
    assert await count_favorites(backend) == 1

    responses = await asyncio.gather(
        *(client.delete(favorite_url, headers=reader.headers) for _ in range(10))
    )

    assert [response.status_code for response in responses] == [200] * 10
    assert (await read_story(client, story["slug"]))["favoritesCount"] == 0
    assert await count_favorites(backend) == 0


@pytest.fixture
async def roomy_client(backend):
    """A client of an app that serves a hundred requests at once instead of shedding some."""
    settings = settings_for_tests(backend.settings.database.url, max_requests_in_flight=200)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await close(app)


async def test_a_hundred_stories_with_one_title_at_once_get_distinct_slugs(roomy_client, backend):
    client = roomy_client
    author = await sign_up(client)
    story = {"title": "Breaking news", "description": "Now", "body": "It happened."}

    responses = await asyncio.gather(
        *(
            client.post("/api/articles", json={"article": story}, headers=author.headers)
            for _ in range(100)
        )
    )

    assert [response.status_code for response in responses] == [201] * 100
    slugs = {response.json()["article"]["slug"] for response in responses}
    assert len(slugs) == 100
    assert all(slug.startswith("breaking-news-") for slug in slugs)
    listed = (await client.get("/api/articles?limit=100")).json()
    assert listed["articlesCount"] == 100 == await count_rows(backend, Article)
    assert {item["slug"] for item in listed["articles"]} == slugs


async def test_twenty_sign_ups_with_one_email_in_different_cases_make_one_account(client, backend):
    # Twenty of the 32 spellings of "twins" in upper and lower case, before one domain.
    emails = [
        "".join(c.upper() if (i >> n) & 1 else c for n, c in enumerate("twins")) + "@example.com"
        for i in range(20)
    ]
    assert len(set(emails)) == 20

    responses = await asyncio.gather(
        *(
            client.post(
                "/api/users",
                json={"user": {"username": f"twin{i}", "email": email, "password": PASSWORD}},
            )
            for i, email in enumerate(emails)
        )
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [422] * 19
    refused = [response.json() for response in responses if response.status_code == 422]
    assert all(body == {"errors": {"email": ["has already been taken"]}} for body in refused)
    assert await count_rows(backend, User) == 1


async def test_stories_sharing_a_new_tag_at_once_all_carry_it(client):
    writers = await asyncio.gather(*(sign_up(client) for _ in range(20)))
    story = {"title": "Tagged", "description": "d", "body": "b", "tagList": ["fresh", "also"]}

    responses = await asyncio.gather(
        *(
            client.post("/api/articles", json={"article": story}, headers=writer.headers)
            for writer in writers
        )
    )

    assert [response.status_code for response in responses] == [201] * 20
    assert all(r.json()["article"]["tagList"] == ["also", "fresh"] for r in responses)
    assert (await client.get("/api/articles?tag=fresh")).json()["articlesCount"] == 20
    assert (await client.get("/api/tags")).json()["tags"] == ["also", "fresh"]
