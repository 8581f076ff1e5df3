"""A writer drafts in Chromium: the draft saves itself, survives signing in again in another tab,
and a story is scheduled in the writer's own time zone.

Screenshots of the editor, at phone and desktop widths, are kept in var/screenshots/.
"""

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import SCREENSHOTS, NewContext, Site
from tests.browser.test_journey import DESKTOP, PHONE, _record_errors, _sign_up
from tests.browser.test_xss import _sign_in

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^Saved \d\d:\d\d$")


async def test_a_draft_saves_itself_and_nothing_is_lost_when_the_session_changes(
    site: Site, new_context: NewContext
) -> None:
    errors: list[str] = []
    context = await new_context(viewport=DESKTOP)
    _record_errors(context, errors)
    page = await context.new_page()
    await _sign_up(page, "lin")

    await page.goto("/new")
    await page.get_by_label("Title", exact=True).fill("Notes from the ferry")
    await page.get_by_label("Story").press_sequentially("The crossing took an hour.")
    await expect(page.locator(".save-state")).to_have_text(SAVED, timeout=30_000)
    await page.wait_for_url(re.compile(r"/@lin/notes-from-the-ferry-[^/]+/edit$"))
    await page.goto("/me/stories")
    await expect(page.locator(".story-card")).to_contain_text("Notes from the ferry")
    await page.go_back()
    await expect(page.get_by_label("Story")).to_have_value("The crossing took an hour.")

    # In another tab the writer signs out and in again, which retires this form's token.
    other_tab = await context.new_page()
    await other_tab.goto("/")
    await other_tab.get_by_role("button", name="Sign out").click()
    await other_tab.wait_for_url("/")
    await _sign_in(other_tab, "lin")

    story = page.get_by_label("Story")
    await story.press("Control+End")
    await story.press_sequentially(" Gulls followed us.")
    await page.get_by_label("Subtitle").fill("An hour on the water")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("alert")).to_contain_text("This form had expired")
    await expect(page.get_by_label("Story")).to_have_value(
        "The crossing took an hour. Gulls followed us."
    )
    await expect(page.get_by_label("Subtitle")).to_have_value("An hour on the water")

    await page.get_by_role("button", name="Publish").click()
    await page.wait_for_url(re.compile(r"/@lin/notes-from-the-ferry-[^/]+$"))
    await expect(page.locator(".prose")).to_contain_text("Gulls followed us.")
    await page.goto("/")
    await expect(page.locator(".story-card").first).to_contain_text("Notes from the ferry")
    assert not [error for error in errors if "403" not in error]


async def test_a_story_is_scheduled_in_the_writers_time_zone(
    site: Site, new_context: NewContext
) -> None:
    errors: list[str] = []
    context = await new_context(viewport=DESKTOP, timezone_id="Asia/Tokyo")
    _record_errors(context, errors)
    page = await context.new_page()
    await _sign_up(page, "aiko")

    await page.goto("/new")
    await expect(page.locator(".time-zone-name")).to_have_text("(Asia/Tokyo)")
    await page.get_by_label("Title", exact=True).fill("New year at the shrine")
    await page.get_by_label("Subtitle").fill("Written ahead")
    await page.get_by_label("Story").fill("The bells ring a hundred and eight times.")
    await page.get_by_label("At a time:").check()
    await page.get_by_label(re.compile("^Date and time")).fill("2099-01-01T00:05")
    await page.get_by_role("button", name="Publish").click()
    await page.wait_for_url(re.compile(r"/edit\?saved=1$"))

    await expect(page.get_by_text("Scheduled: it goes public")).to_be_visible()
    # 00:05 in Tokyo is 15:05 UTC the day before; the editor shows it in Tokyo time again.
    await expect(page.get_by_label(re.compile("^Date and time"))).to_have_value("2099-01-01T00:05")
    await page.goto("/me/stories?status=scheduled")
    await expect(page.locator("time.local-time")).to_have_attribute(
        "datetime", "2098-12-31T15:05:00.000Z"
    )
    await page.goto("/")
    await expect(page.locator("main")).not_to_contain_text("New year at the shrine")
    assert not errors


async def test_the_editor_at_phone_and_desktop_widths(site: Site, new_context: NewContext) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = await new_context(viewport=viewport)
        page = await context.new_page()
        await _sign_up(page, f"shot{width}")
        await page.goto("/new")
        await page.get_by_label("Title", exact=True).fill("A story in the making")
        await page.get_by_label("Subtitle").fill("How a draft becomes a story")
        await page.get_by_label("Story").fill(
            "## Where it starts\n\nWith a *line*, then a list:\n\n- [x] a title\n- [ ] an ending"
        )
        await page.get_by_label("Story").press_sequentially(" First lines.")
        await expect(page.locator(".save-state")).to_have_text(SAVED, timeout=30_000)
        screenshot: Path = SCREENSHOTS / f"editor-{width}.png"
        await page.screenshot(path=screenshot, full_page=True)
        width_used = await page.evaluate("document.documentElement.scrollWidth")
        assert width_used <= viewport["width"], f"the editor scrolls sideways at {width}"


async def test_the_editor_previews_beside_the_text_and_writes_markdown_from_shortcuts(
    site: Site, new_context: NewContext
) -> None:
    errors: list[str] = []
    context = await new_context(viewport=DESKTOP)
    _record_errors(context, errors)
    page = await context.new_page()
    await _sign_up(page, "mira")
    await page.goto("/new")
    preview = page.locator("#live-preview")
    await expect(preview).to_be_visible()
    await expect(page.locator(".editor-tabs")).to_be_hidden()

    await page.get_by_label("Title", exact=True).fill("Shortcuts")
    story = page.get_by_label("Story")
    await story.fill("make this bold")
    await story.evaluate("field => field.setSelectionRange(5, 9)")
    await story.press("Control+b")
    await story.press("Control+Shift+H")

    await expect(story).to_have_value("## make **this** bold")
    await expect(preview.locator("h2.preview-title")).to_have_text("Shortcuts")
    await expect(preview.locator(".prose h2 strong")).to_have_text("this")
    await expect(page.locator(".word-count")).to_have_text("3 words · 1 min read")
    await story.press("End")
    await story.press("Control+k")
    await expect(story).to_have_value("## make **this** bold[link text](https://)")
    assert not errors


async def test_on_a_phone_the_preview_is_a_tab(site: Site, new_context: NewContext) -> None:
    context = await new_context(viewport=PHONE)
    page = await context.new_page()
    await _sign_up(page, "tomas")
    await page.goto("/new")
    await page.get_by_label("Story").fill("# On the tram")
    story_field = page.get_by_label("Story")

    await page.get_by_role("tab", name="Preview").click()

    await expect(page.locator("#live-preview .prose h1")).to_have_text("On the tram")
    await expect(story_field).to_be_hidden()
    await page.get_by_role("tab", name="Write").click()
    await expect(story_field).to_be_visible()
    await expect(page.get_by_role("tab", name="Write")).to_have_attribute("aria-selected", "true")
