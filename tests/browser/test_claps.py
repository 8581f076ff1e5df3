"""A reader claps in Chromium: by pressing, by holding, by keyboard, and takes the claps back."""

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import NewContext, Site
from tests.browser.test_journey import DESKTOP, _record_errors, _sign_up
from tests.helpers import publish, sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("site", ["sqlite"], indirect=True, scope="module"),
]


async def _story(site: Site, writer_name: str) -> str:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        writer = await sign_up(client, writer_name)
        story: dict[str, Any] = await publish(client, writer, title="Worth applause")
    return f"/@{writer_name}/{story['slug']}"


async def _settled(page: Page) -> None:
    """Wait until every clap on the page has been sent and answered."""
    await expect(page.locator("#claps")).to_have_attribute("aria-busy", "false")


async def _your_claps(page: Page) -> int:
    text = await page.locator("#your-claps").inner_text()
    found = re.fullmatch(r"Your claps: (\d+) of 50", text)
    assert found, text
    return int(found.group(1))


async def test_a_reader_claps_by_pressing_holding_and_keyboard_and_takes_them_back(
    site: Site, new_context: NewContext
) -> None:
    path = await _story(site, "lovelace")
    errors: list[str] = []
    context = await new_context(viewport=DESKTOP)
    _record_errors(context, errors)
    page = await context.new_page()
    await _sign_up(page, "applauder")
    await page.goto(path)
    button = page.get_by_role("button", name=re.compile(r"^Clap"))
    await expect(button).to_have_accessible_name("Clap, 0 claps")
    await expect(page.get_by_role("button", name="Undo your claps")).to_be_hidden()

    # Three presses move the count at once and are sent when the reader pauses.
    for _ in range(3):
        await button.click()
    await expect(button).to_have_accessible_name("Clap, 3 claps")
    await _settled(page)
    await expect(page.locator("#your-claps")).to_have_text("Your claps: 3 of 50")
    await expect(page.get_by_role("button", name="Undo your claps")).to_be_visible()
    await page.reload()
    await expect(button).to_have_accessible_name("Clap, 3 claps")

    # Holding the button keeps clapping until it is let go.
    box = await button.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await page.mouse.down()
    await expect(page.locator("#your-claps")).to_have_text(
        re.compile(r"Your claps: ([6-9]|[1-4]\d|50) of 50")
    )
    await page.mouse.up()
    await _settled(page)
    held = await _your_claps(page)
    await page.reload()
    assert await _your_claps(page) == held

    # The keyboard claps too.
    await button.focus()
    await page.keyboard.press("Enter")
    await _settled(page)
    await page.reload()
    await expect(button).to_have_accessible_name(f"Clap, {held + 1} claps")
    assert await _your_claps(page) == held + 1

    # Undo is a plain form: the page comes back with no claps.
    await page.get_by_role("button", name="Undo your claps").click()
    await page.wait_for_url(f"**{path}#claps")
    await expect(button).to_have_accessible_name("Clap, 0 claps")
    await expect(page.locator("#your-claps")).to_have_text("")
    assert errors == []
    await context.close()


async def test_without_javascript_the_clap_button_adds_one_clap(
    site: Site, new_context: NewContext
) -> None:
    path = await _story(site, "babbage")
    context = await new_context(viewport=DESKTOP, java_script_enabled=False)
    page = await context.new_page()
    await _sign_up(page, "noscript")
    await page.goto(path)

    await page.get_by_role("button", name=re.compile(r"^Clap")).click()
    await page.wait_for_url(f"**{path}#claps")

    await expect(page.get_by_role("button", name=re.compile(r"^Clap"))).to_have_accessible_name(
        "Clap, 1 clap"
    )
    await expect(page.locator("#your-claps")).to_have_text("Your claps: 1 of 50")
    await context.close()
