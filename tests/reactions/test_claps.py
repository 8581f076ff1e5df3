"""POST and DELETE /api/articles/{slug}/claps: who may clap, how claps add up, and undoing them."""

import asyncio

from sqlalchemy import func, select

from broadsheet.articles.models import Article
from broadsheet.reactions.models import Clap
from tests.articles.test_concurrency import read_story, roomy_client  # noqa: F401 (a fixture)
from tests.helpers import publish, sign_up


async def clap(client, reader, slug, count=None):
    body = None if count is None else {"claps": {"count": count}}
    return await client.post(f"/api/articles/{slug}/claps", json=body, headers=reader.headers)


async def unclap(client, reader, slug):
    return await client.delete(f"/api/articles/{slug}/claps", headers=reader.headers)


async def stored_claps(backend, slug):
    """The story's kept total, and the sum of its readers' claps rows."""
    async with backend.database.engine.connect() as connection:
        kept = await connection.scalar(select(Article.claps_count).where(Article.slug == slug))
        summed = await connection.scalar(
            select(func.coalesce(func.sum(Clap.count), 0))
            .join(Article, Article.id == Clap.article_id)
            .where(Article.slug == slug)
        )
    return kept, summed


async def test_a_clap_without_a_body_adds_one_and_the_story_says_whose(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    assert (story["clapsCount"], story["yourClaps"]) == (0, 0)

    response = await clap(client, reader, story["slug"])

    assert response.status_code == 200, response.text
    clapped = response.json()["article"]
    assert (clapped["clapsCount"], clapped["yourClaps"]) == (1, 1)
    assert clapped["body"] == story["body"]
    as_reader = await client.get(f"/api/articles/{story['slug']}", headers=reader.headers)
    assert (
        as_reader.json()["article"]["clapsCount"],
        as_reader.json()["article"]["yourClaps"],
    ) == (
        1,
        1,
    )
    anyone = await read_story(client, story["slug"])
    assert (anyone["clapsCount"], anyone["yourClaps"]) == (1, 0)


async def test_claps_from_several_readers_add_up_and_each_sees_their_own(client, backend):
    author = await sign_up(client)
    story = await publish(client, author)
    readers = [await sign_up(client) for _ in range(3)]

    for count, reader in zip((5, 1, 12), readers, strict=True):
        assert (await clap(client, reader, story["slug"], count)).status_code == 200
    again = (await clap(client, readers[0], story["slug"], 3)).json()["article"]

    assert (again["clapsCount"], again["yourClaps"]) == (21, 8)
    listed = await client.get(f"/api/articles?author={author.username}", headers=readers[2].headers)
    (item,) = listed.json()["articles"]
    assert (item["clapsCount"], item["yourClaps"]) == (21, 12)
    assert await stored_claps(backend, story["slug"]) == (21, 21)


async def test_a_readers_claps_stop_at_fifty(client, backend):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)

    await clap(client, reader, story["slug"], 45)
    topped = (await clap(client, reader, story["slug"], 10)).json()["article"]
    more = (await clap(client, reader, story["slug"])).json()["article"]

    assert (topped["clapsCount"], topped["yourClaps"]) == (50, 50)
    assert (more["clapsCount"], more["yourClaps"]) == (50, 50)
    assert await stored_claps(backend, story["slug"]) == (50, 50)


async def test_a_count_outside_one_to_fifty_is_refused_and_changes_nothing(client, backend):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    await clap(client, reader, story["slug"], 2)

    refusals = {
        0: "must be at least 1",
        -3: "must be at least 1",
        51: "must be at most 50",
        "many": "must be a whole number",
    }
    for count, message in refusals.items():
        response = await clap(client, reader, story["slug"], count)
        assert response.status_code == 422, (count, response.text)
        assert response.json() == {"errors": {"claps.count": [message]}}

    assert await stored_claps(backend, story["slug"]) == (2, 2)


async def test_undoing_takes_back_only_the_readers_own_claps(client, backend):
    author = await sign_up(client)
    reader, other = await sign_up(client), await sign_up(client)
    story = await publish(client, author)
    await clap(client, reader, story["slug"], 7)
    await clap(client, other, story["slug"], 4)

    undone = await unclap(client, reader, story["slug"])
    again = await unclap(client, reader, story["slug"])

    assert undone.status_code == again.status_code == 200
    assert (undone.json()["article"]["clapsCount"], undone.json()["article"]["yourClaps"]) == (4, 0)
    assert again.json()["article"]["clapsCount"] == 4
    assert await stored_claps(backend, story["slug"]) == (4, 4)


async def test_a_writer_cannot_clap_for_their_own_story(client, backend):
    author = await sign_up(client)
    story = await publish(client, author)

    response = await clap(client, author, story["slug"])

    assert response.status_code == 403
    assert response.json() == {
        "errors": {"claps": ["cannot be given by a story's writer to their own story"]}
    }
    assert await stored_claps(backend, story["slug"]) == (0, 0)


async def test_only_a_published_story_can_be_applauded(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    draft = await publish(client, author, status="draft")
    unlisted = await publish(client, author, status="unlisted")

    # A draft is no more there for a reader to clap than to read.
    assert (await clap(client, reader, draft["slug"])).status_code == 404
    assert (await clap(client, reader, unlisted["slug"])).status_code == 200


async def test_clapping_needs_a_signed_in_reader_and_a_story(client):
    author = await sign_up(client)
    story = await publish(client, author)

    assert (await client.post(f"/api/articles/{story['slug']}/claps")).status_code == 401
    assert (await client.delete(f"/api/articles/{story['slug']}/claps")).status_code == 401
    missing = await clap(client, author, "no-such-story")
    assert missing.status_code == 404
    assert missing.json() == {"errors": {"article": ["article not found"]}}


async def test_deleting_a_story_takes_its_claps_with_it(client, backend):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    await clap(client, reader, story["slug"], 3)

    deleted = await client.delete(f"/api/articles/{story['slug']}", headers=author.headers)

    assert deleted.status_code == 204
    async with backend.database.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(Clap)) == 0


async def test_fifty_readers_clapping_at_once_are_all_counted(roomy_client, backend):  # noqa: F811
    client = roomy_client
    author = await sign_up(client)
    story = await publish(client, author)
    readers = await asyncio.gather(*(sign_up(client) for _ in range(50)))

    clapped = await asyncio.gather(
        *(clap(client, reader, story["slug"], 1 + n % 5) for n, reader in enumerate(readers))
    )

    assert [response.status_code for response in clapped] == [200] * 50
    expected = sum(1 + n % 5 for n in range(50))
    assert (await read_story(client, story["slug"]))["clapsCount"] == expected
    assert await stored_claps(backend, story["slug"]) == (expected, expected)

    undone = await asyncio.gather(*(unclap(client, reader, story["slug"]) for reader in readers))

    assert [response.status_code for response in undone] == [200] * 50
    assert await stored_claps(backend, story["slug"]) == (0, 0)


async def test_one_reader_clapping_in_bursts_at_once_stops_at_fifty(roomy_client, backend):  # noqa: F811
    client = roomy_client
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)

    bursts = await asyncio.gather(*(clap(client, reader, story["slug"], 7) for _ in range(10)))

    assert [response.status_code for response in bursts] == [200] * 10
    assert max(response.json()["article"]["yourClaps"] for response in bursts) == 50
    assert await stored_claps(backend, story["slug"]) == (50, 50)
