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


async def test_tags_differing_only_in_case_are_one_tag_shown_as_first_written(client):
    author = await sign_up(client)
    first = await publish(client, author, tagList=["Python"])
    second = await publish(client, author, tagList=["python", "PYTHON", "Go"])

    assert await tags(client) == ["Python", "Go"]
    assert second["tagList"] == ["Go", "Python"]
    for spelling in ("python", "Python", "PYTHON"):
        listed = (await client.get(f"/api/articles?tag={spelling}")).json()["articles"]
        assert {story["slug"] for story in listed} == {first["slug"], second["slug"]}


async def test_a_tag_page_in_any_case_lists_the_stories_and_is_purged_by_a_new_one(client):
    author = await sign_up(client)
    await publish(client, author, title="Snakes and ladders", tagList=["Python"])
    assert "Snakes and ladders" in (await client.get("/tag/python")).text

    await publish(client, author, title="Another snake", tagList=["PYTHON"])

    assert "Another snake" in (await client.get("/tag/python")).text
    assert "Another snake" in (await client.get("/tag/Python")).text


async def test_tags_on_drafts_and_unlisted_stories_are_not_counted(client):
    author = await sign_up(client)
    await publish(client, author, tagList=["public"])
    await publish(client, author, status="draft", tagList=["private"])
    await publish(client, author, status="unlisted", tagList=["quiet"])

    assert await tags(client) == ["public"]
