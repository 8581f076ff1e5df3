"""The search page and the box in every page's header."""

import pytest

from tests.helpers import publish, sign_up
from tests.pages.helpers import browser, elements, error_beside, field_value, text_of

pytestmark = pytest.mark.engines("sqlite")


async def test_every_page_has_a_search_box_that_opens_the_search_page(client, backend):
    async with browser(backend) as reader:
        home = (await reader.get("/")).text

    (box,) = elements(home, "form", role="search")
    assert (box["action"], box["method"]) == ("/search", "get")
    (field,) = elements(home, "input", id="site-search")
    assert (field["type"], field["name"]) == ("search", "q")
    (label,) = elements(home, "label", for_="site-search")
    assert label["text"] == "Search stories, writers and topics"


async def test_the_search_page_lists_matching_stories_with_the_words_marked(client, backend):
    writer = await sign_up(client, "cartographer")
    await publish(
        client,
        writer,
        title="How to read a transit map",
        body="Harry Beck drew the *Underground* as a circuit diagram.",
        tagList=["Maps"],
    )
    await publish(client, writer, title="Unrelated", body="Nothing here.")

    async with browser(backend) as reader:
        response = await reader.get("/search", params={"q": "circuit diagram"})

    assert response.status_code == 200
    page = response.text
    assert "1 story matches “circuit diagram”" in text_of(page)
    (card,) = elements(page, "li", class_="story-card")
    assert "How to read a transit map" in card["text"]
    assert [mark["text"] for mark in elements(page, "mark")] == ["circuit", "diagram"]
    assert field_value(page, "q") == "circuit diagram"
    assert '<meta name="robots" content="noindex">' in page


async def test_writers_and_topics_named_by_the_words_are_suggested_beside(client, backend):
    writer = await sign_up(client, "mapmaker")
    await publish(client, writer, title="Contours", body="Lines of height.", tagList=["Maps"])

    async with browser(backend) as reader:
        page = (await reader.get("/search", params={"q": "map"})).text

    (writer_link,) = elements(page, "a", href="/@mapmaker")
    assert writer_link["text"] == "mapmaker"
    (topic,) = elements(page, "a", href="/tag/Maps")
    assert topic["text"] == "Maps"


async def test_a_search_with_no_match_says_so_and_offers_a_way_out(client, backend):
    async with browser(backend) as reader:
        page = (await reader.get("/search", params={"q": "xylophone", "tag": "music"})).text

    text = text_of(page)
    assert "No stories match “xylophone”" in text
    assert "Try fewer words, or other ones, or a wider search." in text
    (narrowing,) = elements(page, "details", class_="narrowing")
    assert "open" in narrowing


async def test_a_wrong_day_or_a_long_text_is_explained_with_everything_typed_kept(client, backend):
    typed = {"q": "tides", "tag": "sea", "author": "w" * 201, "since": "2026-13-40"}
    async with browser(backend) as reader:
        response = await reader.get("/search", params=typed)

    assert response.status_code == 422
    page = response.text
    assert error_beside(page, "since") == "Published from must be a day, such as 2026-12-31"
    assert error_beside(page, "author") == "Writer is too long (maximum is 200)"
    assert field_value(page, "q") == "tides"
    assert field_value(page, "tag") == "sea"
    assert field_value(page, "author") == "w" * 201
    assert field_value(page, "since") == "2026-13-40"
    assert elements(page, "li", class_="story-card") == []


async def test_more_matches_are_a_page_away_with_the_search_kept(client, backend):
    writer = await sign_up(client)
    for number in range(12):
        await publish(client, writer, title=f"Otters {number}", body="river otters")

    async with browser(backend) as reader:
        first = (await reader.get("/search", params={"q": "otters", "tag": ""})).text
        (more,) = elements(first, "a", rel="next")
        second = (await reader.get(more["href"])).text

    assert more["href"] == "/search?q=otters&page=2"
    assert more["text"].strip() == "More matches →"
    assert len(elements(first, "li", class_="story-card")) == 10
    assert len(elements(second, "li", class_="story-card")) == 2
    (back,) = elements(second, "a", rel="prev")
    assert back["href"] == "/search?q=otters&page=1"


async def test_an_empty_search_page_invites_words(client, backend):
    async with browser(backend) as reader:
        page = (await reader.get("/search")).text

    assert "Type a few words to find stories" in text_of(page)
    assert elements(page, "h2", id="stories-heading") == []
