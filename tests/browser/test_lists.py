"""A reader saves a story and keeps it in a list of their own, in Chromium.

A screenshot of the list, with a note, is kept in var/screenshots/.
"""

from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewContext, Site
from tests.browser.test_journey import DESKTOP, _record_errors, _sign_up
from tests.helpers import publish, sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("site", ["sqlite"], indirect=True, scope="module"),
]


async def test_a_reader_saves_a_story_and_keeps_it_in_a_list_with_a_note(
    site: Site, new_context: NewContext, screenshots: Path
) -> None:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        writer = await sign_up(client, "keeper-of-tides")
        story = await publish(client, writer, title="Reading the tide tables")
    path = f"/@keeper-of-tides/{story['slug']}"
    errors: list[str] = []
    context = await new_context(viewport=DESKTOP)
    _record_errors(context, errors)
    page = await context.new_page()
    await _sign_up(page, "collector")

    await page.goto(path)
    save = page.get_by_role("button", name="Save to your reading list")
    await save.click()
    await expect(page.get_by_role("button", name="Saved to your reading list")).to_have_attribute(
        "aria-pressed", "true"
    )

    await page.goto("/me/lists")
    await page.get_by_label("Name").fill("Coastal reading")
    await page.get_by_label("Public: anyone may see it").check()
    async with page.expect_navigation():
        await page.get_by_role("button", name="Make the list").click()
    list_url = page.url

    await page.goto(path)
    await page.get_by_text("Add to a list").click()
    await page.get_by_label("List", exact=True).select_option(label="Coastal reading")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Add", exact=True).click()
    assert page.url.split("#")[0] == list_url
    note = page.get_by_label("Your note on “Reading the tide tables”")
    await note.fill("Best read before a walk on the beach.")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Save note").click()
    await expect(note).to_have_value("Best read before a walk on the beach.")

    await context.clear_cookies()
    await page.goto(list_url)
    await expect(page.locator(".entry-note")).to_contain_text("Best read before a walk")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Coastal reading")
    await page.screenshot(path=str(screenshots / "list-public.png"), full_page=True)
    assert errors == []
    await context.close()
