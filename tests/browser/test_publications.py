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
    owner, editor, writer, reader = [
        await (await new_context(viewport=DESKTOP)).new_page() for _ in range(4)
    ]
    for page in (owner, editor, writer, reader):
        _record_errors(page.context, errors)
    for page, name in ((owner, "ada"), (editor, "grace"), (writer, "hedy"), (reader, "linus")):
        await _sign_up(page, name)

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

    # An editor and a writer invited by username, who accept from their own publications.
    await owner.get_by_role("link", name="People").click()
    for name, role in (("grace", "editor"), ("hedy", "writer")):
        await owner.get_by_label("Username").fill(name)
        await owner.get_by_label("Invite as").select_option(role)
        await owner.get_by_role("button", name="Invite").click()
        await expect(owner.locator(".people").last).to_contain_text(f"Invited as {role} by ada")
    for page, role in ((editor, "an editor"), (writer, "a writer")):
        await page.goto("/publications")
        await expect(page.locator(".people")).to_contain_text(f"Invites you to be {role}")
        await page.get_by_role("button", name="Accept").click()
        await page.wait_for_url(re.compile(r"/p/codeburst$"))
    await expect(writer.locator(".masthead")).to_contain_text("grace")

    # The writer writes a draft and submits it to the editors.
    await writer.goto("/new")
    await writer.get_by_label("Title", exact=True).fill("Pagination without tears")
    await writer.get_by_label("Subtitle").fill("Keyset pagination")
    await writer.get_by_label("Story").fill("Offsets get slower the further you go.")
    await writer.get_by_role("button", name="Save draft").click()
    await writer.wait_for_url(re.compile(r"/edit\?saved=1$"))
    draft_url = writer.url.removesuffix("/edit?saved=1")
    await writer.goto(draft_url)
    await writer.get_by_label("Submit to the editors of").select_option("codeburst")
    await writer.get_by_role("button", name="Submit").click()
    await expect(writer.locator(".notice.submission")).to_contain_text(
        "waiting for the editors of Codeburst"
    )

    # The editor finds it waiting, edits it, and publishes it in the publication.
    await editor.goto("/p/codeburst")
    await editor.get_by_role("link", name="Submissions").click()
    await editor.get_by_role("link", name="Pagination without tears").click()
    await expect(editor.locator(".notice.submission")).to_contain_text("hedy submitted")
    await editor.screenshot(path=SCREENSHOTS / "submission-desktop.png", full_page=True)
    await editor.get_by_role("link", name="Edit it").click()
    await editor.get_by_label("Subtitle").fill("Keyset pagination, explained slowly")
    await editor.get_by_role("button", name="Save draft").click()
    await editor.wait_for_url(re.compile(r"/@hedy/pagination-without-tears-[^/]+/edit\?saved=1$"))
    await editor.goto(draft_url)
    await editor.get_by_role("button", name="Publish in Codeburst").click()
    await editor.wait_for_url(re.compile(r"/@hedy/pagination-without-tears-[^/]+$"))
    story_url = editor.url
    await expect(editor.locator(".author-line")).to_contain_text("Published in Codeburst")
    await expect(editor.locator(".subtitle").first).to_have_text(
        "Keyset pagination, explained slowly"
    )
    await expect(editor.locator(".published-by")).to_contain_text(TAGLINE)
    await writer.goto("/me/stories")
    await expect(writer.locator(".decisions")).to_contain_text(
        "grace published Pagination without tears in Codeburst"
    )

    # The editor publishes a second part in the publication and gathers both in a series.
    await editor.goto("/new")
    await editor.get_by_label("Title", exact=True).fill("Cursors, at last")
    await editor.get_by_label("Subtitle").fill("The second evening")
    await editor.get_by_label("Story").fill("A cursor remembers where the last page ended.")
    await editor.get_by_label("Publication").select_option("codeburst")
    await editor.get_by_role("button", name="Publish").click()
    await editor.wait_for_url(re.compile(r"/@grace/cursors-at-last-[^/]+$"))
    second_url = editor.url
    await editor.goto("/p/codeburst")
    await editor.get_by_role("link", name="Start a series").click()
    await editor.get_by_label("Name of the series").fill("Pagination, slowly")
    await editor.get_by_label("Whose series").select_option("codeburst")
    await editor.get_by_role("button", name="Start the series").click()
    for title in ("Pagination without tears", "Cursors, at last"):
        await editor.get_by_label("Add a story as the next part").select_option(label=title)
        await editor.get_by_role("button", name="Add", exact=True).click()
    await expect(editor.locator(".series-parts li")).to_have_count(2)
    await editor.goto(story_url)
    series_box = editor.locator(".in-series")
    await expect(series_box).to_contain_text("Part 1 of 2 in Pagination, slowly")
    await series_box.get_by_role("link", name="Part 2: Cursors, at last").click()
    await editor.wait_for_url(second_url)
    await expect(editor.locator(".in-series")).to_contain_text("Part 2 of 2")

    # A reader follows the publication and finds the story in Following.
    await reader.goto("/p/codeburst")
    await reader.get_by_role("button", name="Follow").click()
    await expect(reader.get_by_role("button", name="Following")).to_be_visible()
    await expect(reader.locator(".publication-head")).to_contain_text("1 follower")
    await reader.goto("/?feed=following")
    await expect(reader.locator(".story-list")).to_contain_text("Pagination without tears")
    await expect(reader.locator(".story-card .byline").last).to_contain_text("hedy in Codeburst")

    for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = await (await new_context(viewport=viewport)).new_page()
        for name, url in (("publication", "/p/codeburst"), ("story-in-publication", story_url)):
            await page.goto(url)
            await page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
            width_used = await page.evaluate("document.documentElement.scrollWidth")
            assert width_used <= viewport["width"], f"{name} scrolls sideways at {width}"
    assert errors == []
