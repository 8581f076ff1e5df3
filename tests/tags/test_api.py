"""GET /api/tags."""

from tests.helpers import publish, sign_up


async def tags(client):
    response = await client.get("/api/tags")
    assert response.status_code == 200, response.text
    return response.json()["tags"]


async def test_no_stories_no_tags(client):
    assert await tags(client) == []


async def test_tags_in_use_are_listed_most_used_first(client):
    author = await sign_up(client)
    await publish(client, author, tagList=["rare", "common", "middling"])
    await publish(client, author, tagList=["common", "middling"])
    await publish(client, author, tagList=["common"])

    assert await tags(client) == ["common", "middling", "rare"]


async def test_equally_used_tags_are_listed_alphabetically(client):
    author = await sign_up(client)
    await publish(client, author, tagList=["beta", "alpha", "gamma"])

    assert await tags(client) == ["alpha", "beta", "gamma"]


async def test_tags_are_open_to_anonymous_and_signed_in_readers(client):
    author = await sign_up(client)
    await publish(client, author, tagList=["open"])

    signed_in = await client.get("/api/tags", headers=author.headers)

    assert signed_in.json() == {"tags": ["open"]}
    assert await tags(client) == ["open"]


async def test_tags_differing_in_case_are_distinct(client):
    author = await sign_up(client)
    await publish(client, author, tagList=["Python", "python"])
    await publish(client, author, tagList=["python"])

    assert await tags(client) == ["python", "Python"]


async def test_tag_dropped_from_its_only_story_disappears(client):
    author = await sign_up(client)
    story = await publish(client, author, tagList=["dropped", "kept"])

    await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"tagList": ["kept"]}},
        headers=author.headers,
    )

    assert await tags(client) == ["kept"]


async def test_tags_of_a_deleted_story_disappear(client):
    author = await sign_up(client)
    doomed = await publish(client, author, tagList=["only-here", "shared"])
    await publish(client, author, tagList=["shared"])

    await client.delete(f"/api/articles/{doomed['slug']}", headers=author.headers)

    assert await tags(client) == ["shared"]


async def test_tag_can_be_used_again_after_it_disappeared(client):
    author = await sign_up(client)
    story = await publish(client, author, tagList=["comeback"])
    await client.delete(f"/api/articles/{story['slug']}", headers=author.headers)

    again = await publish(client, author, tagList=["comeback"])

    assert again["tagList"] == ["comeback"]
    assert await tags(client) == ["comeback"]
    assert (await client.get("/api/articles?tag=comeback")).json()["articlesCount"] == 1


async def test_tag_list_is_bounded(client):
    author = await sign_up(client)
    await publish(client, author, tagList=[f"tag{n}" for n in range(10)])

    limited = await client.get("/api/tags?limit=3")
    too_many = await client.get("/api/tags?limit=100000")

    assert limited.json()["tags"] == ["tag0", "tag1", "tag2"]
    assert too_many.status_code == 422
