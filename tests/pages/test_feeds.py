"""Atom feeds, the sitemap and robots.txt, read the way feed readers and crawlers read them."""

import calendar
from datetime import UTC, datetime
from xml.etree import ElementTree

import feedparser

from tests.helpers import publish, sign_up
from tests.pages.helpers import SITE, elements

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parsed_feed(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def as_datetime(parsed_time) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed_time), tz=UTC)


def api_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(microsecond=0)


async def test_site_feed_is_valid_atom_with_the_latest_stories(client):
    alice = await sign_up(client, "alice")
    older = await publish(client, alice, title="Older", description="First one")
    newer = await publish(client, alice, title="Newer", description="Second one", tagList=["bread"])

    feed = parsed_feed(await client.get("/feed.atom"))

    assert feed.feed.title == "Broadsheet: latest stories"
    assert feed.feed.link == f"{SITE}/"
    assert [entry.title for entry in feed.entries] == ["Newer", "Older"]
    first = feed.entries[0]
    assert first.link == f"{SITE}/@alice/{newer['slug']}"
    assert first.id == f"{SITE}/@alice/{newer['slug']}"
    assert first.author == "alice"
    assert first.summary == "Second one"
    assert [tag.term for tag in first.tags] == ["bread"]
    assert as_datetime(first.updated_parsed) == api_time(newer["updatedAt"])
    assert as_datetime(first.published_parsed) == api_time(newer["createdAt"])
    assert as_datetime(feed.feed.updated_parsed) == api_time(newer["updatedAt"])
    assert feed.entries[1].link == f"{SITE}/@alice/{older['slug']}"


async def test_feed_carries_the_rendered_body(client):
    body = "## Heading\n\nA *line*.\n\n![A loaf](https://example.com/a.png)\n\nOne  \ntwo\n\n---\n"
    await publish(client, await sign_up(client, "alice"), body=body)

    feed = parsed_feed(await client.get("/feed.atom"))

    [content] = feed.entries[0].content
    assert content.type == "text/html"
    assert '<h2 id="heading">Heading</h2>' in content.value
    assert "<em>line</em>" in content.value
    assert 'alt="A loaf"' in content.value


async def test_feed_keeps_markup_in_titles_as_text(client):
    title = "Fish & chips <b>tonight</b>"
    await publish(
        client,
        await sign_up(client, "alice"),
        title=title,
        description="Salt & vinegar <i>only</i>",
        tagList=["R&D"],
    )

    feed = parsed_feed(await client.get("/feed.atom"))

    assert feed.entries[0].title == title
    assert feed.entries[0].summary == "Salt & vinegar <i>only</i>"
    assert [tag.term for tag in feed.entries[0].tags] == ["R&D"]


async def test_empty_site_feed_is_still_valid(client):
    feed = parsed_feed(await client.get("/feed.atom"))

    assert feed.entries == []
    assert feed.feed.updated_parsed is not None


async def test_author_feed_holds_only_that_writers_stories(client):
    await publish(client, await sign_up(client, "alice"), title="By Alice")
    await publish(client, await sign_up(client, "bob"), title="By Bob")

    feed = parsed_feed(await client.get("/@alice/feed.atom"))

    assert feed.feed.title == "Broadsheet: stories by alice"
    assert feed.feed.link == f"{SITE}/@alice"
    assert [entry.title for entry in feed.entries] == ["By Alice"]
    assert (await client.get("/@nobody/feed.atom")).status_code == 404


async def test_tag_feed_holds_only_stories_with_the_tag(client):
    alice = await sign_up(client, "alice")
    await publish(client, alice, title="Bread one", tagList=["bread"])
    await publish(client, alice, title="Maps one", tagList=["maps"])

    feed = parsed_feed(await client.get("/tag/bread/feed.atom"))

    assert feed.feed.title == "Broadsheet: stories about bread"
    assert feed.feed.link == f"{SITE}/tag/bread"
    assert [entry.title for entry in feed.entries] == ["Bread one"]


async def test_pages_link_to_their_feeds(client):
    await publish(client, await sign_up(client, "alice"), tagList=["bread"])

    for path, feed_path in (
        ("/", "/feed.atom"),
        ("/@alice", "/@alice/feed.atom"),
        ("/tag/bread", "/tag/bread/feed.atom"),
    ):
        html = (await client.get(path)).text
        links = elements(html, "link", rel="alternate", type="application/atom+xml")
        assert feed_path in [link["href"] for link in links], path
        assert (await client.get(feed_path)).status_code == 200


async def test_sitemap_lists_every_story_with_its_last_change(client):
    alice = await sign_up(client, "alice")
    first = await publish(client, alice)
    second = await publish(client, await sign_up(client, "bob"))
    edited = await client.put(
        f"/api/articles/{first['slug']}",
        json={"article": {"body": "Changed."}},
        headers=alice.headers,
    )

    response = await client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    sitemap = ElementTree.fromstring(response.content)  # noqa: S314 (our own response)
    urls = sitemap.findall(f"{SITEMAP}url")
    lastmod = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in urls}
    assert lastmod == {
        f"{SITE}/": None,
        f"{SITE}/@alice/{first['slug']}": edited.json()["article"]["updatedAt"],
        f"{SITE}/@bob/{second['slug']}": second["updatedAt"],
    }


async def test_robots_txt_points_at_the_sitemap(client):
    response = await client.get("/robots.txt")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert "Disallow: /" not in lines
