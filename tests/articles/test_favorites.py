"""POST and DELETE /api/articles/{slug}/favorite."""

from sqlalchemy import func, select

from broadsheet.articles.models import Favorite
from tests.helpers import publish, sign_up


async def favorite(client, reader, slug):
    return await client.post(f"/api/articles/{slug}/favorite", headers=reader.headers)


async def unfavorite(client, reader, slug):
    return await client.delete(f"/api/articles/{slug}/favorite", headers=reader.headers)


async def test_favoriting_marks_the_story_and_counts_it(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)

    response = await favorite(client, reader, story["slug"])

    assert response.status_code == 200
    favorited = response.json()["article"]
    assert favorited["favorited"] is True
    assert favorited["favoritesCount"] == 1
    assert favorited["slug"] == story["slug"]
    assert favorited["body"] == story["body"]
    fetched = (await client.get(f"/api/articles/{story['slug']}")).json()["article"]
    assert fetched["favoritesCount"] == 1


async def test_favorites_from_several_readers_add_up(client):
    author = await sign_up(client)
    story = await publish(client, author)
    readers = [await sign_up(client) for _ in range(3)]

    counts = [
        (await favorite(client, reader, story["slug"])).json()["article"]["favoritesCount"]
        for reader in readers
    ]

    assert counts == [1, 2, 3]


async def test_author_may_favorite_own_story(client):
    author = await sign_up(client)
    story = await publish(client, author)

    response = await favorite(client, author, story["slug"])

    assert response.json()["article"]["favorited"] is True


async def test_favoriting_twice_counts_once(client, session):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)

    await favorite(client, reader, story["slug"])
    response = await favorite(client, reader, story["slug"])

    assert response.status_code == 200
    assert response.json()["article"]["favorited"] is True
    assert response.json()["article"]["favoritesCount"] == 1
    assert await session.scalar(select(func.count()).select_from(Favorite)) == 1


async def test_unfavoriting_takes_the_favorite_back(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    other = await sign_up(client)
    story = await publish(client, author)
    await favorite(client, reader, story["slug"])
    await favorite(client, other, story["slug"])

    response = await unfavorite(client, reader, story["slug"])

    assert response.status_code == 200
    unfavorited = response.json()["article"]
    assert unfavorited["favorited"] is False
    assert unfavorited["favoritesCount"] == 1
    listed = (await client.get(f"/api/articles?favorited={reader.username}")).json()
    assert listed["articlesCount"] == 0


async def test_unfavoriting_what_was_never_favorited_changes_nothing(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    fan = await sign_up(client)
    story = await publish(client, author)
    await favorite(client, fan, story["slug"])

    twice = [await unfavorite(client, reader, story["slug"]) for _ in range(2)]

    for response in twice:
        assert response.status_code == 200
        assert response.json()["article"]["favorited"] is False
        assert response.json()["article"]["favoritesCount"] == 1


async def test_favoriting_needs_a_signed_in_reader(client):
    author = await sign_up(client)
    story = await publish(client, author)

    favorited = await client.post(f"/api/articles/{story['slug']}/favorite")
    unfavorited = await client.delete(f"/api/articles/{story['slug']}/favorite")

    assert favorited.status_code == unfavorited.status_code == 401
    assert list(favorited.json()["errors"]) == ["token"]
    fetched = (await client.get(f"/api/articles/{story['slug']}")).json()["article"]
    assert fetched["favoritesCount"] == 0


async def test_favoriting_an_unknown_story_is_not_found(client):
    reader = await sign_up(client)

    favorited = await favorite(client, reader, "no-such-story")
    unfavorited = await unfavorite(client, reader, "no-such-story")

    assert favorited.status_code == unfavorited.status_code == 404
    assert list(favorited.json()["errors"]) == ["article"]


async def test_stories_a_reader_favorited_are_listed_most_recent_first(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    older = await publish(client, author)
    await publish(client, author)
    newer = await publish(client, author)
    # Favorited in the opposite order: the list follows the stories' age, not the favorites'.
    await favorite(client, reader, newer["slug"])
    await favorite(client, reader, older["slug"])

    listed = (await client.get(f"/api/articles?favorited={reader.username}")).json()

    assert [item["slug"] for item in listed["articles"]] == [newer["slug"], older["slug"]]
    assert listed["articlesCount"] == 2
    assert all(item["favoritesCount"] == 1 for item in listed["articles"])
