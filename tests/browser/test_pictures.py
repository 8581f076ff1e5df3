"""A writer adds pictures in Chromium: one picked, one dropped onto the story and made the
cover; readers get WebP in the width they need; then an update note, and a revision restored.

Screenshots of the story with its cover, at phone and desktop widths, are kept in
var/screenshots/.
"""

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, NewContext, Site
from tests.browser.test_journey import DESKTOP, PHONE, _record_errors, _sign_up
from tests.media.pictures import photo

pytestmark = pytest.mark.browser

FIRST_TEXT = "The pier at low tide, before the gulls came."


async def _drop_picture(page: Page, data: bytes, name: str) -> None:
    """Drop a file onto the story, as a writer dragging it from their desktop would."""
    transfer = await page.evaluate_handle(
        """([bytes, name]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "image/jpeg"}));
            return transfer;
        }""",
        [list(data), name],
    )
    await page.get_by_label("Story").dispatch_event("drop", {"dataTransfer": transfer})


async def _loaded_picture(page: Page, selector: str) -> dict[str, object]:
    picture = page.locator(selector).first
    await expect(picture).to_be_visible()
    await picture.scroll_into_view_if_needed()
    await page.wait_for_function(
        "selector => { const i = document.querySelector(selector); "
        "return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
    )
    return await picture.evaluate("i => ({src: i.currentSrc, width: i.naturalWidth})")


async def test_a_writer_adds_pictures_and_a_cover_then_notes_an_update_and_restores(
    site: Site, new_context: NewContext
) -> None:
    errors: list[str] = []
    context = await new_context(viewport=DESKTOP)
    _record_errors(context, errors)
    page = await context.new_page()
    await _sign_up(page, "ines")

    await page.goto("/new")
    await page.get_by_label("Title", exact=True).fill("Low water at the pier")
    await page.get_by_label("Subtitle").fill("A morning of mud and gulls")
    story = page.get_by_label("Story")
    await story.fill(FIRST_TEXT)

    # A file that is not a picture is refused, and says why.
    await page.get_by_label("Picture", exact=True).set_input_files(
        files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.7 notes"}]
    )
    await page.get_by_label("Alt text").fill("Notes")
    await page.get_by_role("button", name="Add picture").click()
    await expect(page.locator(".picture-state")).to_have_text(
        "Not added: the picture is not a JPEG, PNG, GIF or WebP picture."
    )
    await expect(story).to_have_value(FIRST_TEXT)

    # Picked with the file field, described, added where the caret was.
    await page.get_by_label("Picture", exact=True).set_input_files(
        files=[{"name": "pier.jpg", "mimeType": "image/jpeg", "buffer": photo(1800, 1200)}]
    )
    await page.get_by_label("Alt text").fill("The pier's legs standing in wet sand")
    await page.get_by_role("button", name="Add picture").click()
    await expect(page.locator(".picture-state")).to_have_text("Picture added to the story.")
    await expect(story).to_have_value(
        re.compile(
            r"gulls came\.\n\n!\[The pier's legs standing in wet sand\]\(http://.+\.jpg\)\n$"
        )
    )
    await expect(page.locator("#live-preview .prose img")).to_have_attribute(
        "alt", "The pier's legs standing in wet sand"
    )

    remove_cover = page.get_by_role("button", name="Remove the cover")
    await expect(remove_cover).to_be_hidden()

    # Dropped onto the story: it asks for words first, then becomes the cover.
    await _drop_picture(page, photo(2400, 1300), "gulls.jpg")
    await expect(page.locator(".picture-state")).to_have_text(
        "Describe the picture, then press Add picture."
    )
    await expect(page.get_by_label("Alt text")).to_be_focused()
    await page.get_by_label("Alt text").fill("Gulls over the mud flats")
    await page.get_by_label("Make it the cover").check()
    await page.get_by_role("button", name="Add picture").click()
    await expect(page.locator(".picture-state")).to_have_text("The picture is the cover now.")
    await expect(page.locator(".cover-chosen img")).to_be_visible()
    await expect(remove_cover).to_be_visible()
    await page.screenshot(path=SCREENSHOTS / "editor-pictures-desktop.png", full_page=True)

    await page.get_by_role("button", name="Publish").click()
    await page.wait_for_url(re.compile(r"/@ines/low-water-at-the-pier-[^/]+$"))
    story_url = page.url
    cover = await _loaded_picture(page, ".story-cover img")
    inline = await _loaded_picture(page, ".prose img")
    assert str(cover["src"]).endswith(".webp")
    assert str(inline["src"]).endswith(".webp")
    og_image = await page.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image
    assert og_image.endswith("-2400x1300.jpg")
    await page.goto("/")
    await _loaded_picture(page, ".story-card .card-cover")

    for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        reader = await (await new_context(viewport=viewport)).new_page()
        await reader.goto(story_url)
        await _loaded_picture(reader, ".story-cover img")
        await reader.screenshot(path=SCREENSHOTS / f"story-cover-{width}.png", full_page=True)
        width_used = await reader.evaluate("document.documentElement.scrollWidth")
        assert width_used <= viewport["width"], f"the story scrolls sideways at {width}"
        await reader.goto("/")
        await _loaded_picture(reader, ".story-card .card-cover")
        await reader.screenshot(path=SCREENSHOTS / f"home-covers-{width}.png")

    # An edit with an update note, then the first version restored from the history.
    await page.goto(story_url + "/edit")
    await page.get_by_label("Story").fill("Rewritten: the tide came in too fast.")
    await page.get_by_label("Update note").fill("The tide times were wrong.")
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.wait_for_url(story_url)
    await expect(page.locator(".update-note")).to_contain_text("The tide times were wrong.")
    await expect(page.locator(".prose")).to_contain_text("the tide came in too fast")

    await page.goto(story_url + "/history")
    await page.get_by_role("button", name="Restore this version").last.click()
    await expect(page.locator(".prose")).to_contain_text(FIRST_TEXT)
    await expect(page.locator(".story-cover img")).to_be_visible()
    # The browser reports the one refusal (the file that was not a picture), and nothing else.
    refusals = [error for error in errors if "status of 422" in error]
    assert len(refusals) == 1
    assert not [error for error in errors if error not in refusals]
