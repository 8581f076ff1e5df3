"""What to read next under a story: more from its writer, and related stories by others."""

import pytest

from tests.helpers import publish, sign_up
from tests.pages.helpers import browser, elements, text_of
from tests.reactions.test_claps import clap


async def next_reads(client, story, reader=None):
    headers = reader.headers if reader else {}
    response = await client.get(f"/api/articles/{story['slug']}/related", headers=headers)
    assert response.status_code == 200, response.text
    found = response.json()
    return (
        [article["title"] for article in found["moreFromAuthor"]],
        [article["title"] for article in found["related"]],
    )


async def test_more_from_the_writer_is_their_latest_other_published_stories(client):
    writer = await sign_up(client)
    for title in ("One", "Two", "Three", "Four"):
        await publish(client, writer, title=title)
    await publish(client, writer, title="Unfinished", status="draft")
    await publish(client, writer, title="By link", status="unlisted")
    story = await publish(client, writer, title="This one")

    more, related = await next_reads(client, story)

    assert more == ["Four", "Three", "Two"]
    assert related == []


async def test_related_stories_share_most_tags_first_then_the_most_applauded(client):
    writer, others = await sign_up(client), [await sign_up(client) for _ in range(3)]
    reader = await sign_up(client)
    story = await publish(client, writer, title="Tides", tagList=["sea", "moon", "maps"])
    await publish(client, writer, title="Mine too", tagList=["sea", "moon", "maps"])
    one_tag = await publish(client, others[0], title="Sea only", tagList=["sea"])
    applauded = await publish(client, others[1], title="Moon, applauded", tagList=["moon"])
    await publish(client, others[2], title="Sea and moon", tagList=["moon", "sea"])
    await publish(client, others[2], title="Elsewhere", tagList=["cooking"])
    await publish(client, others[2], title="A draft", tagList=["sea"], status="draft")
    await clap(client, reader, applauded["slug"], 5)
    await clap(client, reader, one_tag["slug"], 1)

    more, related = await next_reads(client, story)

    assert more == ["Mine too"]
    assert related == ["Sea and moon", "Moon, applauded", "Sea only"]


async def test_a_story_with_no_tags_and_no_siblings_offers_nothing(client):
    writer = await sign_up(client)
    story = await publish(client, writer, tagList=[])

    assert await next_reads(client, story) == ([], [])


async def test_what_to_read_next_of_a_story_nobody_may_read_is_not_found(client):
    writer = await sign_up(client)
    draft = await publish(client, writer, status="draft")

    response = await client.get(f"/api/articles/{draft['slug']}/related")

    assert response.status_code == 404


@pytest.mark.engines("sqlite")
async def test_the_story_page_offers_more_from_the_writer_and_related_stories(client, backend):
    writer, other = await sign_up(client, "mariner"), await sign_up(client)
    await publish(client, writer, title="Earlier voyage", tagList=["sea"])
    story = await publish(client, writer, title="Tides", tagList=["sea"])
    await publish(client, other, title="Salt", tagList=["sea"])

    async with browser(backend) as reader:
        page = (await reader.get(f"/@mariner/{story['slug']}")).text

    (more,) = elements(page, "section", aria_labelledby="more-from-heading")
    (related,) = elements(page, "section", aria_labelledby="related-heading")
    assert text_of(more["text"]).startswith("More from mariner")
    assert "Earlier voyage" in more["text"]
    assert "Salt" in related["text"]
