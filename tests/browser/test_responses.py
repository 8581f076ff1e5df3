"""A conversation under a story in Chromium: a reply, a reply to that, an edit, a hidden one.

A screenshot of the threaded conversation is kept in var/screenshots/ to be looked at.
"""

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import NewContext, Site
from tests.browser.test_journey import DESKTOP, _record_errors, _sign_up
from tests.browser.test_xss import _sign_in
from tests.helpers import publish, sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("site", ["sqlite"], indirect=True, scope="module"),
]


async def _scene(site: Site) -> str:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        writer = await sign_up(client, "mary")
        story: dict[str, Any] = await publish(client, writer, title="On answering")
        reader = await sign_up(client, "kate")
        await client.post(
            f"/api/articles/{story['slug']}/comments",
            json={"comment": {"body": "Does *this* hold for `code` too?"}},
            headers=reader.headers,
        )
    return f"/@mary/{story['slug']}"


async def _reply(page: Page, to: str, text: str) -> None:
    response = page.locator(".response", has=page.get_by_role("link", name=to, exact=True)).last
    await response.locator("summary", has_text="Reply").click()
    await response.get_by_label(f"Your reply to {to}").fill(text)
    async with page.expect_navigation():
        await response.get_by_role("button", name="Send reply").click()


async def test_a_conversation_threads_replies_under_what_they_answer(
    site: Site, new_context: NewContext, screenshots: Path
) -> None:
    path = await _scene(site)
    errors: list[str] = []
    context = await new_context(viewport=DESKTOP)
    _record_errors(context, errors)
    page = await context.new_page()

    # The writer answers the reader's question; the reader answers back.
    await _sign_in(page, "mary")
    await page.goto(path)
    await _reply(page, "kate", "It does: **every** block is the same.")
    await expect(page.locator(".thread.replies .response")).to_have_count(1)
    await expect(page.locator(".thread.replies .badge")).to_have_text("Author")
    await context.clear_cookies()
    await _sign_up(page, "lena")
    await page.goto(path)
    await _reply(page, "mary", "> every block\n\nThank you!")
    nested = page.locator(".thread.replies .thread.replies .response")
    await expect(nested).to_have_count(1)
    await expect(nested.locator("blockquote")).to_have_text("every block")

    # Lena fixes her reply; it reads "(edited)".
    await nested.locator("summary", has_text="Edit").click()
    await nested.get_by_label("Edit your response").fill("> every block\n\nThank you, Mary!")
    async with page.expect_navigation():
        await nested.get_by_role("button", name="Save changes").click()
    await expect(nested.locator(".body")).to_contain_text("Thank you, Mary!")
    await expect(nested.locator(".edited")).to_have_text("(edited)")

    await page.locator("#responses").screenshot(path=str(screenshots / "responses-thread.png"))
    assert errors == []
    await context.close()
