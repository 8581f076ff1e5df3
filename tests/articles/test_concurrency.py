"""Many requests at once on one story: no lost counts, no duplicate rows, no server errors."""

import asyncio

from sqlalchemy import func, select

from broadsheet.articles.models import Favorite
from tests.helpers import publish, sign_up


async def count_favorites(backend):
    async with backend.database.engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(Favorite))


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
    assert await count_favorites(backend) == 50

    unfavorited = await asyncio.gather(
        *(client.delete(favorite_url, headers=reader.headers) for reader in readers)
    )

    assert [response.status_code for response in unfavorited] == [200] * 50
    assert (await read_story(client, story["slug"]))["favoritesCount"] == 0
    assert await count_favorites(backend) == 0


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


async def test_thirty_stories_with_one_title_at_once_get_distinct_slugs(client):
    author = await sign_up(client)
    story = {"title": "Breaking news", "description": "Now", "body": "It happened."}

    responses = await asyncio.gather(
        *(
            client.post("/api/articles", json={"article": story}, headers=author.headers)
            for _ in range(30)
        )
    )

    assert [response.status_code for response in responses] == [201] * 30
    slugs = {response.json()["article"]["slug"] for response in responses}
    assert len(slugs) == 30
    assert all(slug.startswith("breaking-news-") for slug in slugs)
    listed = (await client.get("/api/articles?limit=100")).json()
    assert listed["articlesCount"] == 30
    assert {item["slug"] for item in listed["articles"]} == slugs


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
