"""Following tags: their stories join the reader's Following feed, through the API and on the
tag's page."""

import pytest

from tests.helpers import publish, sign_up
from tests.pages.helpers import browser, elements, sign_up_on_site, submit, text_of


async def follow(client, reader, tag, method="POST", expect=200):
    response = await client.request(method, f"/api/tags/{tag}/follow", headers=reader.headers)
    assert response.status_code == expect, response.text
    return response.json()


async def feed_titles(client, reader):
    response = await client.get("/api/articles/feed", headers=reader.headers)
    assert response.status_code == 200, response.text
    return [article["title"] for article in response.json()["articles"]]


async def test_a_followed_tags_stories_join_the_readers_feed(client):
    writer, reader = await sign_up(client), await sign_up(client)
    await publish(client, writer, title="Knots", tagList=["Sailing"])
    await publish(client, writer, title="Soup", tagList=["Cooking"])

    followed = await follow(client, reader, "sailing")
    again = await follow(client, reader, "SAILING")

    assert followed["tag"] == {"name": "Sailing", "following": True}
    assert again == followed
    assert await feed_titles(client, reader) == ["Knots"]
    listed = await client.get("/api/tags/followed", headers=reader.headers)
    assert listed.json() == {"tags": ["Sailing"]}

    # A story tagged later arrives in the feed too.
    await publish(client, writer, title="Tides", tagList=["sailing", "Sea"])
    assert await feed_titles(client, reader) == ["Tides", "Knots"]

    left = await follow(client, reader, "Sailing", method="DELETE")
    assert left["tag"] == {"name": "Sailing", "following": False}
    assert await feed_titles(client, reader) == []


async def test_a_story_reached_by_a_tag_and_a_writer_is_in_the_feed_once(client):
    writer, reader = await sign_up(client), await sign_up(client)
    await publish(client, writer, title="Once", tagList=["Sailing"])
    await follow(client, reader, "Sailing")
    await client.post(f"/api/profiles/{writer.username}/follow", headers=reader.headers)

    assert await feed_titles(client, reader) == ["Once"]


async def test_only_tags_in_use_can_be_followed_and_only_when_signed_in(client):
    reader = await sign_up(client)

    missing = await follow(client, reader, "nothing-here", expect=404)
    anonymous = await client.post("/api/tags/anything/follow")

    assert missing["errors"] == {"tag": ["tag not found"]}
    assert anonymous.status_code == 401


@pytest.mark.engines("sqlite")
async def test_the_tag_page_follows_and_unfollows_the_tag(client, backend):
    writer = await sign_up(client)
    await publish(client, writer, title="Knots", tagList=["Sailing"])
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        before = (await reader.get("/tag/Sailing")).text
        pressed = await submit(reader, "/tag/Sailing", "/tag/Sailing/follow")
        after = (await reader.get("/tag/Sailing")).text
        feed = (await reader.get("/?feed=following")).text

    (button,) = [b for b in elements(before, "button") if "the tag" in b["text"]]
    assert (button["aria-pressed"], text_of(button["text"])) == ("false", "Follow the tag Sailing")
    assert pressed.headers["location"] == "/tag/Sailing"
    (button,) = [b for b in elements(after, "button") if "the tag" in b["text"]]
    assert (button["aria-pressed"], text_of(button["text"])) == (
        "true",
        "Following the tag Sailing",
    )
    assert "Knots" in text_of(feed)
