"""A reader finds a story in Chromium by a word from its body, typed into the header's box.

Screenshots of the results, on a desktop and a phone, are kept in var/screenshots/.
"""

from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewContext, Site
from tests.browser.test_journey import DESKTOP, PHONE, _record_errors
from tests.helpers import publish, sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("site", ["sqlite"], indirect=True, scope="module"),
]


async def _stories(site: Site, writer_name: str, word: str) -> str:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        writer = await sign_up(client, writer_name)
        story = await publish(
            client,
            writer,
            title="How to read a transit map",
            description="Straight lines, even spacing, and what they leave out",
            body=f"Harry Beck drew the Underground as an electrical *{word}* diagram.",
            tagList=["maps"],
        )
        await publish(client, writer, title="Benches", body="Who a bench is for.")
    return f"/@{writer_name}/{story['slug']}"


@pytest.mark.parametrize(
    ("viewport", "word"), [(DESKTOP, "circuit"), (PHONE, "wiring")], ids=["desktop", "phone"]
)
async def test_a_reader_finds_a_story_by_a_word_from_its_body(
    site: Site, new_context: NewContext, screenshots: Path, viewport: dict[str, int], word: str
) -> None:
    path = await _stories(site, f"beck-{word}", word)
    errors: list[str] = []
    context = await new_context(viewport=viewport)
    _record_errors(context, errors)
    page = await context.new_page()
    await page.goto("/")

    box = page.get_by_role("searchbox", name="Search stories, writers and topics")
    await box.fill(word)
    async with page.expect_navigation():
        await box.press("Enter")

    results = page.locator(".story-list .story-card")
    await expect(results).to_have_count(1)
    await expect(results.locator("mark")).to_have_text(word)
    await expect(page.get_by_role("heading", level=2, name="1 story matches")).to_be_visible()
    fits = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    name = "desktop" if viewport is DESKTOP else "phone"
    await page.screenshot(path=str(screenshots / f"search-{name}.png"))

    await results.get_by_role("link", name="How to read a transit map").click()
    await expect(page).to_have_url(f"{site.url}{path}")
    assert fits
    assert errors == []
    await context.close()
