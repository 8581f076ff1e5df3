"""A publication in Chromium: started with a logo, an editor invited who accepts and
publishes in it, a reader who follows it and finds the story in Following.

Screenshots of the publication page and of a story in it, at phone and desktop widths, are
kept in var/screenshots/.
"""

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import SCREENSHOTS, NewContext, Site
from tests.browser.test_journey import DESKTOP, PHONE, _record_errors, _sign_up
from tests.media.pictures import photo

pytestmark = pytest.mark.browser

TAGLINE = "Bursts of code to power through your day"


async def test_a_publication_is_started_staffed_published_in_and_followed(
    site: Site, new_context: NewContext
) -> None:
    errors: list[str] = []
    owner_context, editor_context, reader_context = [
        await new_context(viewport=DESKTOP) for _ in range(3)
    ]
    for context in (owner_context, editor_context, reader_context):
        _record_errors(context, errors)
    owner, editor, reader = [
        await context.new_page() for context in (owner_context, editor_context, reader_context)
    ]
    await _sign_up(owner, "ada")
    await _sign_up(editor, "grace")
    await _sign_up(reader, "linus")

    # Started, with a logo, from the owner's publications.
    await (
        owner.get_by_role("navigation", name="Main")
        .get_by_role("link", name="Publications")
        .click()
    )
    await owner.get_by_role("link", name="Start a publication").click()
    await owner.get_by_label("Name", exact=True).fill("Codeburst")
    await owner.get_by_label("Tagline").fill(TAGLINE)
    await owner.get_by_label("Description", exact=True).fill(
        "Stories about code, for people who write it."
    )
    await owner.get_by_label("Logo", exact=True).set_input_files(
        files=[{"name": "logo.jpg", "mimeType": "image/jpeg", "buffer": photo(600, 600)}]
    )
    await owner.get_by_label("Alt text").fill("An orange burst")
    await owner.get_by_role("button", name="Start the publication").click()
    await owner.wait_for_url(re.compile(r"/p/codeburst$"))
    await expect(owner.get_by_role("heading", level=1)).to_have_text("Codeburst")
    await expect(owner.locator("img.logo.large")).to_be_visible()

    # An editor invited by username, who accepts from their own publications.
    await owner.get_by_role("link", name="People").click()
    await owner.get_by_label("Username").fill("grace")
    await owner.get_by_label("Invite as").select_option("editor")
    await owner.get_by_role("button", name="Invite").click()
    await expect(owner.locator(".people").last).to_contain_text("Invited as editor by ada")
    await editor.goto("/publications")
    await expect(editor.locator(".people")).to_contain_text("Invites you to be an editor")
    await editor.get_by_role("button", name="Accept").click()
    await editor.wait_for_url(re.compile(r"/p/codeburst$"))
    await expect(editor.locator(".masthead")).to_contain_text("grace")

    # The editor publishes in it; the story says so.
    await editor.goto("/new")
    await editor.get_by_label("Title", exact=True).fill("Pagination without tears")
    await editor.get_by_label("Subtitle").fill("Keyset pagination, explained slowly")
    await editor.get_by_label("Story").fill("Offsets get slower the further you go.")
    await editor.get_by_label("Publication").select_option("codeburst")
    await editor.get_by_role("button", name="Publish").click()
    await editor.wait_for_url(re.compile(r"/@grace/pagination-without-tears-[^/]+$"))
    story_url = editor.url
    await expect(editor.locator(".author-line")).to_contain_text("Published in Codeburst")
    await expect(editor.locator(".published-by")).to_contain_text(TAGLINE)

    # A reader follows the publication and finds the story in Following.
    await reader.goto("/p/codeburst")
    await reader.get_by_role("button", name="Follow").click()
    await expect(reader.get_by_role("button", name="Following")).to_be_visible()
    await expect(reader.locator(".publication-head")).to_contain_text("1 follower")
    await reader.goto("/?feed=following")
    await expect(reader.locator(".story-list")).to_contain_text("Pagination without tears")
    await expect(reader.locator(".story-card .byline")).to_contain_text("in Codeburst")

    for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = await (await new_context(viewport=viewport)).new_page()
        for name, url in (("publication", "/p/codeburst"), ("story-in-publication", story_url)):
            await page.goto(url)
            await page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
            width_used = await page.evaluate("document.documentElement.scrollWidth")
            assert width_used <= viewport["width"], f"{name} scrolls sideways at {width}"
    assert errors == []
