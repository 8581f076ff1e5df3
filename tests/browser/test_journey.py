"""A writer and a reader use the site in Chromium, from sign-up to sign-out.

Screenshots of the story and home pages, at phone and desktop widths, are kept in
var/screenshots/ for a person to look at.
"""

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, ConsoleMessage, Page, expect

from tests.browser.conftest import NewContext, Site

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
STORY = """Counting the words in a draft takes four lines of Python.

```python
from collections import Counter

def word_counts(text: str) -> Counter[str]:
    return Counter(text.lower().split())
```

![The Broadsheet mark](/static/favicon.svg)

| Draft | Words | Minutes |
|-------|------:|--------:|
| First | 1,204 | 6 |
| Final | 812 | 4 |

The final draft is a third shorter, and better for it.
"""


def _record_errors(context: BrowserContext, errors: list[str]) -> None:
    """Collect console errors (a blocked style, a missing file) and uncaught exceptions."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", on_console)
    context.on("weberror", lambda error: errors.append(str(error.error)))


async def _sign_up(page: Page, username: str) -> None:
    await page.goto("/signup")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Email").fill(f"{username}@example.com")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await page.wait_for_url("/")
    await expect(page.get_by_role("navigation", name="Main")).to_contain_text(username)


async def test_story_is_published_read_answered_favorited_followed_and_found_after_a_retitle(
    site: Site, new_context: NewContext, screenshots: Path
) -> None:
    errors: list[str] = []
    writer_context = await new_context(viewport=DESKTOP)
    _record_errors(writer_context, errors)
    writer = await writer_context.new_page()

    # The writer signs up and publishes a story with code, an image and a table.
    await _sign_up(writer, "ada")
    await writer.get_by_role("link", name="Write").click()
    await writer.get_by_label("Title", exact=True).fill("Counting words in a draft")
    await writer.get_by_label("Subtitle").fill("Four lines of Python and a table of drafts.")
    await writer.get_by_label("Story").fill(STORY)
    await writer.get_by_label("Tags").fill("python, writing")
    await writer.get_by_role("button", name="Publish").click()
    await writer.wait_for_url(re.compile(r"/@ada/counting-words-in-a-draft-[^/]+$"))
    first_url = writer.url

    await expect(writer.locator("h1")).to_have_text("Counting words in a draft")
    code = writer.locator(".prose pre")
    await expect(code).to_contain_text("def word_counts(text: str)")
    assert await code.locator("span[class]").count() > 5, "the code is not highlighted"
    image = writer.locator(".prose img")
    await expect(image).to_have_attribute("alt", "The Broadsheet mark")
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
    await expect(writer.locator(".prose table th")).to_have_text(["Draft", "Words", "Minutes"])
    await expect(writer.locator(".prose table tbody tr")).to_have_count(2)
    await expect(writer.get_by_role("link", name="python")).to_have_attribute("href", "/tag/python")

    # The story leads the home page, and its card opens it.
    await writer.goto("/")
    card = writer.locator(".story-card").first
    await expect(card).to_contain_text("Four lines of Python and a table of drafts.")
    await expect(card).to_contain_text("1 min read")
    await card.get_by_role("link", name="Counting words in a draft").click()
    await writer.wait_for_url(first_url)

    # The writer responds under the story.
    await writer.get_by_label("Your response", exact=True).fill(
        "A note for the next draft: count sentences too."
    )
    await writer.get_by_role("button", name="Respond").click()
    await expect(writer.locator(".response .body")).to_have_text(
        "A note for the next draft: count sentences too."
    )
    await expect(writer.get_by_role("heading", name="Responses (1)")).to_be_visible()

    # A reader, in another browser, favorites the story and follows its writer.
    reader_context = await new_context(viewport=PHONE)
    _record_errors(reader_context, errors)
    reader = await reader_context.new_page()
    await _sign_up(reader, "grace")
    await reader.goto(first_url)
    await reader.get_by_role("button", name="Favorite, 0 favorites").click()
    await expect(reader.get_by_role("button", name="Favorited, 1 favorite")).to_be_visible()
    await reader.get_by_role("button", name="Follow", exact=True).click()
    await expect(reader.get_by_role("button", name="Following", exact=True)).to_be_visible()
    await reader.goto("/?feed=following")
    await expect(reader.get_by_role("link", name="Following")).to_have_attribute(
        "aria-current", "page"
    )
    await expect(reader.locator(".story-card")).to_contain_text("Counting words in a draft")

    # The writer retitles the story; the reader's old address leads to the new one.
    await writer.goto(f"{first_url}/edit")
    await writer.get_by_label("Title", exact=True).fill("Counting words, carefully")
    await writer.get_by_role("button", name="Save").click()
    await writer.wait_for_url(re.compile(r"/@ada/counting-words-carefully-[^/]+$"))
    new_url = writer.url
    assert new_url != first_url

    response = await reader.goto(first_url)
    assert response is not None
    redirect = response.request.redirected_from
    assert redirect is not None
    old_response = await redirect.response()
    assert old_response is not None
    assert old_response.status == 301
    assert reader.url == new_url
    await expect(reader.locator("h1")).to_have_text("Counting words, carefully")

    # The reader signs out.
    await reader.get_by_role("button", name="Sign out").click()
    await reader.wait_for_url("/")
    navigation = reader.get_by_role("navigation", name="Main")
    await expect(navigation.get_by_role("link", name="Sign in")).to_be_visible()
    await expect(navigation).not_to_contain_text("grace")

    for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        visitor_context = await new_context(viewport=viewport)
        _record_errors(visitor_context, errors)
        visitor = await visitor_context.new_page()
        await visitor.goto(new_url)
        await visitor.screenshot(path=screenshots / f"story-{width}.png", full_page=True)
        await visitor.goto("/")
        await visitor.screenshot(path=screenshots / f"home-{width}.png", full_page=True)

    assert not errors


async def test_long_unbroken_words_never_make_a_phone_scroll_sideways(
    site: Site, new_context: NewContext
) -> None:
    long_word = "Donaudampfschifffahrtsgesellschaftskapitän" * 3
    writer = "W" * 40
    async with httpx.AsyncClient(base_url=site.url) as client:
        user = {"username": writer, "email": "wide@example.com", "password": PASSWORD}
        token = (await client.post("/api/users", json={"user": user})).json()["user"]["token"]
        headers = {"Authorization": f"Token {token}"}
        await client.put("/api/user", json={"user": {"bio": long_word}}, headers=headers)
        article = {
            "title": long_word,
            "description": f"https://example.com/{long_word}",
            "body": f"{long_word}\n\n`{long_word}`\n\nhttps://example.com/{long_word}",
            "tagList": ["W" * 40],
        }
        response = await client.post("/api/articles", json={"article": article}, headers=headers)
        slug = response.json()["article"]["slug"]
        comment = {"comment": {"body": long_word}}
        await client.post(f"/api/articles/{slug}/comments", json=comment, headers=headers)
        await client.post(f"/api/articles/{slug}/favorite", headers=headers)

    story = f"/@{writer}/{slug}"
    page = await (await new_context(viewport=PHONE)).new_page()
    too_wide = {}

    async def check(paths: list[str], viewer: str) -> None:
        for path in paths:
            response = await page.goto(path)
            assert response is not None
            assert response.status == 200, path
            width = await page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[f"{path} ({viewer})"] = width

    await check(
        ["/", story, f"/@{writer}", f"/@{writer}/favorites", f"/tag/{'W' * 40}"], "anonymous"
    )
    await page.goto("/signin")
    await page.get_by_label("Email").fill("wide@example.com")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("/")
    await check(["/", story, f"{story}/edit", "/settings"], "the writer")

    assert not too_wide
