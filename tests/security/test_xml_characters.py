"""Characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return; U+FFFE,
U+FFFF) never reach a feed or the sitemap: every text field refuses them with 422, on the API
and on the site's forms, and the XML writer drops any that were stored another way."""

import json
import xml.etree.ElementTree as ElementTree
from urllib.parse import quote

import pytest
from sqlalchemy import update

from broadsheet.accounts.models import User
from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from tests.helpers import every_row, publish, sign_up
from tests.pages.helpers import (
    error_beside,
    field_value,
    sign_up_on_site,
    submit,
    text_of,
    write_on_site,
)
from tests.security.test_hostile_input import API_FIELD_IDS, API_FIELDS, AUTHOR, send, story_by

# XML 1.0's Char production leaves out these; each is a character a text field may not take.
XML_FORBIDDEN = {
    "vertical-tab": "a\x0bb",
    "form-feed": "\x0c",
    "escape": "\x1b[31mred",
    "unit-separator": "a\x1fb",
    "u+fffe": "a\ufffeb",
    "u+ffff": "\uffff",
}
# What XML does allow, and a story may well hold.
XML_ALLOWED = "tab\there, lines\r\nand more"
FEEDS = ["/feed.atom", f"/@{AUTHOR}/feed.atom", "/tag/{tag}/feed.atom", "/sitemap.xml"]


def parses(xml: str) -> ElementTree.Element:
    return ElementTree.fromstring(xml)  # noqa: S314 (our own output, not untrusted input)


@pytest.fixture
async def author(client):
    return await sign_up(client, AUTHOR)


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize(("write", "name"), API_FIELDS, ids=API_FIELD_IDS)
async def test_api_field_refuses_characters_xml_cannot_hold(client, backend, author, write, name):
    slug = await story_by(client, author) if write.needs_story else ""
    before = await every_row(backend)

    for key, text in XML_FORBIDDEN.items():
        value = json.dumps([text] if name == "tagList" else text).encode()
        response = await send(client, author, write, name, value, slug)

        assert response.status_code == 422, (key, response.text)
        assert list(response.json()["errors"]) == [name], key

    assert await every_row(backend) == before


async def test_story_with_a_vertical_tab_is_refused_and_the_feeds_stay_readable_on_every_engine(
    client, backend, author
):
    story = await publish(client, author, title="Kept", body=XML_ALLOWED, tagList=["kept"])
    before = await every_row(backend)

    refused = await client.post(
        "/api/articles",
        json={"article": {"title": "a\x0bb", "description": "d", "body": "b", "tagList": []}},
        headers=author.headers,
    )

    assert refused.status_code == 422, refused.text
    assert "control characters" in refused.json()["errors"]["title"][0]
    assert await every_row(backend) == before
    for path in FEEDS:
        feed = await client.get(path.format(tag="kept"))
        assert feed.status_code == 200, path
        assert story["slug"] in feed.text, path
        parses(feed.text)
    site_feed = parses((await client.get("/feed.atom")).text)
    namespace = {"atom": "http://www.w3.org/2005/Atom"}
    assert site_feed.findtext("atom:entry/atom:title", namespaces=namespace) == "Kept"


async def test_feeds_drop_forbidden_characters_stored_before_the_rule_on_every_engine(
    client, backend, author
):
    story = await publish(client, author, title="Title", tagList=["kept"])
    await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {"body": "A reply"}},
        headers=author.headers,
    )
    stored = "".join(XML_FORBIDDEN.values())
    async with backend.database.write_engine.begin() as connection:
        await connection.execute(
            update(Article).values(title=f"Ti{stored}tle", description=stored, body=stored)
        )
        await connection.execute(update(User).values(bio=stored))
        await connection.execute(update(Comment).values(body=stored))

    for path in FEEDS:
        feed = await client.get(path.format(tag="kept"))

        assert feed.status_code == 200, path
        parses(feed.text)
        assert not set(feed.text) & set("\x0b\x0c\x1b\x1f\ufffe\uffff"), path
    namespace = {"atom": "http://www.w3.org/2005/Atom"}
    titles = parses((await client.get("/feed.atom")).text).findall(
        "atom:entry/atom:title", namespace
    )
    assert [title.text for title in titles] == ["Tiab[31mredababtle"]


@pytest.mark.engines("sqlite")
async def test_urls_carrying_characters_xml_cannot_hold_are_refused(client, author):
    slug = await story_by(client, author)
    urls = [
        "/tag/a%0Bb/feed.atom",
        "/tag/%1B",
        f"/@{AUTHOR}%0C/feed.atom",
        f"/@{AUTHOR}/{slug}%EF%BF%BE",
        "/api/articles?tag=a%0Bb",
        "/api/articles?author=a%1Fb",
        f"/api/articles/{slug}%EF%BF%BF",
    ]

    for url in urls:
        response = await client.get(url)

        assert response.status_code == 422, url
        assert "control characters" in response.json()["errors"]["url"][0], url

    tab_and_newline = await client.get(f"/tag/{quote(XML_ALLOWED)}/feed.atom")
    assert tab_and_newline.status_code in (200, 404)


@pytest.mark.engines("sqlite")
async def test_editor_refuses_a_forbidden_character_beside_the_field_keeping_the_typing(client):
    await sign_up_on_site(client, "alice")
    body = "Paragraphs I do not want to type again."

    response = await write_on_site(
        client, title="Bell\x07 title", description="A subtitle", body=body, tags="one"
    )

    assert response.status_code == 422
    assert "control characters" in error_beside(response.text, "title")
    assert field_value(response.text, "description") == "A subtitle"
    assert field_value(response.text, "body") == body
    assert field_value(response.text, "tags") == "one"
    assert "nothing was saved" in text_of(response.text)
    stories = await client.get("/api/articles", params={"author": "alice"})
    assert stories.json()["articles"] == []


@pytest.mark.engines("sqlite")
async def test_response_and_bio_forms_refuse_a_forbidden_character(client, backend):
    story = await publish(client, await sign_up(client, "alice"))
    path = f"/@alice/{story['slug']}"
    reader = await sign_up_on_site(client, "bob")
    before = await every_row(backend)

    response = await submit(client, path, f"{path}/responses", body="Hi\x1b")
    settings = await submit(
        client, "/settings", username=reader.username, email=reader.email, bio="Bio\x0c"
    )

    assert response.status_code == 422
    assert settings.status_code == 422
    assert "control characters" in error_beside(settings.text, "bio")
    assert (field_value(settings.text, "bio") or "").startswith("Bio")
    assert await every_row(backend) == before
