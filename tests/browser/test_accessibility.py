"""Every page of the site audited by axe-core in Chromium, at phone and desktop widths, in light
and dark: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices. A serious or
critical violation anywhere fails the audit, which lists every page and rule it found.

A page the site gains goes into PAGES, with the audience that sees it. Beside the audit:
every action on the busiest pages is reached by the Tab key, in order, with its focus ring in
sight; reduced motion is honoured; counts are spoken as words.

The markup does not depend on the database, so this file runs on SQLite only.
"""

import asyncio
import os
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import NewContext, Site, _missing
from tests.browser.test_journey import DESKTOP, PHONE, STORY, _record_errors
from tests.browser.test_xss import _sign_in
from tests.helpers import Writer, publish, sign_up
from tests.media.pictures import upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("site", ["sqlite"], indirect=True, scope="module"),
]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
SCHEMES = ("light", "dark")
REFUSED = re.compile(r"the server responded with a status of 4\d\d")

Action = Callable[[Page], Awaitable[None]]


# Every kind of block a story may hold: highlighted code with a comment, a table too wide for a
# phone, a quotation with a footnote and a task list.
MORE_OF_THE_STORY = """
```python
# Words used once are the first to cut.
rare = [word for word, count in word_counts(DRAFT).items() if count == 1]
print(f"{len(rare)} words to weigh", 0.5)
```

| Draft | Words | Minutes | Sentences | Paragraphs | Cut | Kept | Editor | Verdict |
|-------|------:|--------:|----------:|-----------:|----:|-----:|--------|---------|
| First | 1,204 | 6 | 61 | 14 | 0 | 1,204 | Grace Hopper | Too long by a third |
| Final | 812 | 4 | 40 | 11 | 392 | 812 | Grace Hopper | Ready to publish |

> A draft is done when nothing is left to cut.[^1]

- [x] Count the words
- [ ] Cut the rare ones

[^1]: Or so the editors say.
"""


@dataclass(frozen=True)
class SitePage:
    """A page as one audience reaches it: a path (with the scene's names in braces), then,
    for a state a form leaves behind, what the person does there."""

    name: str
    audience: str  # "anyone", or the username of the signed-in reader
    path: str
    then: Action | None = None
    ready: str | None = None  # a selector to wait for, on pages that draw themselves


async def _sign_up_taken(page: Page) -> None:
    await page.get_by_label("Username").fill("ada")
    await page.get_by_label("Email").fill("ada@example.com")
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.locator(".error-text").first).to_be_visible()


async def _sign_in_wrong(page: Page) -> None:
    await page.get_by_label("Email").fill("ada@example.com")
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_be_visible()


async def _publish_untitled(page: Page) -> None:
    await page.get_by_label("Story").fill("A story without a title.")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.locator(".error-text").first).to_be_visible()


async def _reply_too_long(page: Page) -> None:
    first = page.locator(".response").first
    await first.locator("summary", has_text="Reply").click()
    answer = first.get_by_label("Your reply to grace")
    await answer.evaluate("(box, text) => { box.value = text; }", "x" * 10_001)
    await first.get_by_role("button", name="Send reply").click()
    await expect(page.locator("details[open] .error-text")).to_be_visible()


async def _open_edit(page: Page) -> None:
    await page.locator(".response").first.locator("summary", has_text="Edit").click()
    await expect(page.locator("details[open] textarea")).to_be_visible()


async def _report_without_reason(page: Page) -> None:
    await page.locator("input[name=reason]").evaluate_all(
        "(boxes) => boxes.forEach((box) => box.removeAttribute('required'))"
    )
    await page.get_by_label("Anything they should know").fill("It is an advert.")
    await page.get_by_role("button", name="Send report").click()
    await expect(page.locator(".error-text").first).to_be_visible()


async def _report_sent(page: Page) -> None:
    await page.get_by_label("Spam or advertising").check()
    await page.get_by_role("button", name="Send report").click()
    await expect(page.get_by_role("status")).to_contain_text("will look at the response")


async def _respond_too_long(page: Page) -> None:
    answer = page.get_by_label("Your response", exact=True)
    await answer.evaluate("(box, text) => { box.value = text; }", "x" * 70_000)
    await page.get_by_role("button", name="Respond").click()
    await expect(page.locator("#response-error")).to_be_visible()


async def _save_settings(page: Page) -> None:
    await page.get_by_label("Bio").fill("Writes about code and drafts.")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_contain_text("saved")


async def _invite_nobody(page: Page) -> None:
    await page.get_by_label("Username").fill("nobody-by-that-name")
    await page.get_by_role("button", name="Invite").click()
    await expect(page.locator(".error-text").first).to_be_visible()


async def _try_an_operation(page: Page) -> None:
    """Open an operation, fill its example in and send it (refused: nobody is signed in)."""
    operation = page.locator("#operations-Articles-create_article_api_articles_post")
    await operation.locator(".opblock-summary-control").click()
    await operation.get_by_role("button", name="Try it out").click()
    await operation.get_by_role("button", name="Execute").click()
    await expect(operation.locator(".live-responses-table")).to_contain_text("401")
    await page.locator("section.models .json-schema-2020-12-expand-deep-button").first.click()


PAGES = (
    SitePage("home", "anyone", "/"),
    SitePage("popular this week", "anyone", "/?feed=popular"),
    SitePage("story", "anyone", "{story}"),
    SitePage("second part", "anyone", "{second}"),
    SitePage("writer's profile", "anyone", "/@ada"),
    SitePage("favorites", "anyone", "/@grace/favorites"),
    SitePage("tag", "anyone", "/tag/python"),
    SitePage("search", "anyone", "/search"),
    SitePage("a public list", "anyone", "{shelf}"),
    SitePage("a reader's lists", "anyone", "/@grace/lists"),
    SitePage("search results", "anyone", "/search?q=words+draft"),
    SitePage("search, a wrong day", "anyone", "/search?q=words&since=2026-13-01"),
    SitePage("publication", "anyone", "/p/codeburst"),
    SitePage("series", "anyone", "/s/{series}"),
    SitePage("preview of a draft", "anyone", "{preview}"),
    SitePage("sign in", "anyone", "/signin"),
    SitePage("sign in, refused", "anyone", "/signin", then=_sign_in_wrong),
    SitePage("sign up", "anyone", "/signup"),
    SitePage("sign up, with errors", "anyone", "/signup", then=_sign_up_taken),
    SitePage("page not found", "anyone", "/@nobody-by-that-name"),
    SitePage("API docs", "anyone", "/api/docs", ready="section.models"),
    SitePage(
        "API docs, an operation tried", "anyone", "/api/docs", _try_an_operation, "section.models"
    ),
    SitePage("following", "grace", "/?feed=following"),
    SitePage("story, to a reader", "grace", "{story}"),
    SitePage("story, a response refused", "grace", "{story}", then=_respond_too_long),
    SitePage("story, a reply refused", "grace", "{story}", then=_reply_too_long),
    SitePage("story, editing a response", "grace", "{story}", then=_open_edit),
    SitePage("report a response", "grace", "{rude}/report"),
    SitePage("report refused", "grace", "{rude}/report", then=_report_without_reason),
    SitePage("report sent", "grace", "{rude}/report", then=_report_sent),
    SitePage("a writer's profile, to a reader", "grace", "/@hedy"),
    SitePage("your lists", "grace", "/me/lists"),
    SitePage("a tag, to a reader", "grace", "/tag/python"),
    SitePage("a list, to its owner", "grace", "{shelf}"),
    SitePage("your reading list", "grace", "/lists/reading-list"),
    SitePage("reports, to an admin", "ada", "/admin/reports"),
    SitePage("invitations", "grace", "/publications"),
    SitePage("settings", "grace", "/settings"),
    SitePage("settings, saved", "grace", "/settings", then=_save_settings),
    SitePage("story, to its writer", "ada", "{story}"),
    SitePage("a draft, to its writer", "ada", "{draft}"),
    SitePage("a scheduled story", "ada", "{scheduled}"),
    SitePage("a submission, to its editor", "ada", "{submitted}"),
    SitePage("editor, new story", "ada", "/new"),
    SitePage("editor, new story refused", "ada", "/new", then=_publish_untitled),
    SitePage("editor, a draft", "ada", "{draft}/edit"),
    SitePage("editor, a published story", "ada", "{story}/edit"),
    SitePage("history", "ada", "{story}/history"),
    SitePage("delete a story", "ada", "{story}/delete"),
    SitePage("your stories", "ada", "/me/stories"),
    SitePage("your publications", "ada", "/publications"),
    SitePage("start a publication", "ada", "/publications/new"),
    SitePage("publication settings", "ada", "/p/codeburst/settings"),
    SitePage("publication people", "ada", "/p/codeburst/people"),
    SitePage("people, an invitation refused", "ada", "/p/codeburst/people", then=_invite_nobody),
    SitePage("submissions", "ada", "/p/codeburst/submissions"),
    SitePage("start a series", "ada", "/series/new"),
    SitePage("arrange a series", "ada", "/s/{series}/edit"),
)


@dataclass
class Scene:
    """What the pages show: paths by name, and each reader's signed-in browser state."""

    paths: dict[str, str] = field(default_factory=dict)
    signed_in: dict[str, Any] = field(default_factory=dict)


async def _api(client: httpx.AsyncClient, method: str, path: str, who: Writer, **body: Any) -> Any:
    response = await client.request(method, path, headers=who.headers, json=body or None)
    assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


async def _upload(client: httpx.AsyncClient, who: Writer, alt: str) -> str:
    response = await upload(client, who, alt=alt)
    assert response.status_code == 201, response.text
    return str(response.json()["upload"]["url"])


def _path(article: dict[str, Any]) -> str:
    return f"/@{article['author']['username']}/{article['slug']}"


async def _build_scene(client: httpx.AsyncClient) -> dict[str, str]:
    """Ada owns Codeburst and writes in it; Grace reads, follows and is invited; Hedy writes
    for Codeburst and has a draft waiting for its editors."""
    ada, grace, hedy = [await sign_up(client, name) for name in ("ada", "grace", "hedy")]
    logo = await _upload(client, ada, "An orange burst")
    await _api(
        client,
        "POST",
        "/api/publications",
        ada,
        publication={
            "name": "Codeburst",
            "tagline": "Bursts of code to power through your day",
            "description": "Stories about code, for people who write it.",
            "logo": logo,
            "links": ["https://example.com/codeburst"],
        },
    )
    cover = await _upload(client, ada, "Printed drafts on a desk, marked in red")
    story = await publish(
        client,
        ada,
        title="Counting words in a draft",
        description="Four lines of Python and a table of drafts.",
        body=STORY + MORE_OF_THE_STORY,
        tagList=["python", "writing"],
        coverImage=cover,
        publication="codeburst",
    )
    await _api(
        client,
        "PUT",
        f"/api/articles/{story['slug']}",
        ada,
        article={"description": "Four lines of Python.", "updateNote": "The table is fixed."},
    )
    second = await publish(client, ada, title="Cutting words from a draft", tagList=["writing"])
    series = await _api(client, "POST", "/api/series", ada, series={"title": "Drafting, slowly"})
    slug = series["series"]["slug"]
    await _api(
        client,
        "PUT",
        f"/api/series/{slug}",
        ada,
        series={"stories": [story["slug"], second["slug"]]},
    )
    draft = await publish(client, ada, title="Notes from the ferry", status="draft")
    scheduled = await publish(client, ada, title="Next week", publishAt="2099-01-01T09:00:00+00:00")
    await _api(client, "POST", f"/api/articles/{story['slug']}/favorite", grace)
    await _api(client, "POST", f"/api/articles/{story['slug']}/claps", grace, claps={"count": 5})
    await _api(client, "POST", "/api/profiles/ada/follow", grace)
    # A response with a reply from the story's writer, and a reply to that: a thread.
    parent = None
    for who, text in (
        (grace, "The table made it click, *especially* the `Cut` column."),
        (ada, "Thank you, Grace."),
        (grace, "> Thank you\n\nAny time."),
    ):
        answer = await _api(
            client,
            "POST",
            f"/api/articles/{story['slug']}/comments",
            who,
            comment={"body": text, "parentId": parent},
        )
        parent = answer["comment"]["id"]
    for who, role in ((hedy, "writer"), (grace, "editor")):
        await _api(
            client,
            "POST",
            "/api/publications/codeburst/invitations",
            ada,
            invitation={"username": who.username, "role": role},
        )
    await _api(client, "POST", "/api/publications/codeburst/invitation", hedy)
    submitted = await publish(client, hedy, title="Pagination without tears", status="draft")
    await _api(
        client,
        "POST",
        f"/api/articles/{submitted['slug']}/submission",
        hedy,
        submission={"publication": "codeburst"},
    )
    shelf = await _api(
        client,
        "POST",
        "/api/lists",
        grace,
        list={"name": "Writing about writing", "description": "Drafts, cuts", "public": True},
    )
    for kept, note in ((story, "Start with the table."), (second, "")):
        entry = {"slug": kept["slug"], "note": note}
        await _api(
            client, "POST", f"/api/lists/{shelf['list']['slug']}/entries", grace, entry=entry
        )
    await _api(
        client, "POST", "/api/lists/reading-list/entries", grace, entry={"slug": story["slug"]}
    )
    rude = await _api(
        client,
        "POST",
        f"/api/articles/{second['slug']}/comments",
        hedy,
        comment={"body": "Buy cheap pills at https://example.com/pills"},
    )
    await _api(
        client,
        "POST",
        f"/api/articles/{second['slug']}/comments/{rude['comment']['id']}/report",
        grace,
        report={"reason": "spam", "note": "The third one today."},
    )
    return {
        "shelf": f"/lists/{shelf['list']['slug']}",
        "rude": f"{_path(second)}/responses/{rude['comment']['id']}",
        "story": _path(story),
        "second": _path(second),
        "series": slug,
        "draft": _path(draft),
        "scheduled": _path(scheduled),
        "submitted": _path(submitted),
    }


@pytest.fixture(scope="module")
async def scene(site: Site, chromium: Any) -> Scene:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        built = Scene(paths=await _build_scene(client))
    # Ada is the site's admin too, as the command line makes one.
    granting = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "broadsheet",
        "admin",
        "grant",
        "ada",
        env={**os.environ, "DATABASE_URL": site.database_url},
        stderr=asyncio.subprocess.PIPE,
    )
    _, said = await granting.communicate()
    assert granting.returncode == 0, said.decode()
    for username in ("ada", "grace"):
        context = await chromium.new_context(base_url=site.url)
        page = await context.new_page()
        await _sign_in(page, username)
        if username == "ada":
            await page.goto(f"{built.paths['draft']}/edit")
            await page.get_by_role("button", name="Make a preview link").click()
            preview = await page.get_by_label("Preview link").input_value()
            built.paths["preview"] = preview.removeprefix(site.url)
        built.signed_in[username] = await context.storage_state()
        await context.close()
    return built


async def _axe_violations(page: Page) -> list[str]:
    """Serious and critical violations on the page as it stands, one line each."""
    await page.add_script_tag(path=AXE)
    violations = await page.evaluate(
        """async (tags) => (await axe.run(document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
        })).violations""",
        AXE_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}, at "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in violations
        if violation["impact"] in FAILING_IMPACTS
    ]


async def _arrive(page: Page, site_page: SitePage, scene: Scene) -> None:
    await page.goto(site_page.path.format(**scene.paths))
    if site_page.ready:
        await page.locator(site_page.ready).wait_for()
    if site_page.then:
        await site_page.then(page)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
async def test_every_page_has_no_serious_or_critical_violation(
    new_context: NewContext, scene: Scene, width: str, scheme: str
) -> None:
    if not AXE.is_file():
        _missing(f"axe-core is not installed at {AXE} (npm ci)")
    found: list[str] = []
    errors: list[str] = []
    for audience in dict.fromkeys(site_page.audience for site_page in PAGES):
        context = await new_context(
            viewport=WIDTHS[width],
            color_scheme=scheme,
            # The test browser alone lets axe's script past the pages' Content-Security-Policy.
            bypass_csp=True,
            storage_state=scene.signed_in.get(audience),
        )
        _record_errors(context, errors)
        page = await context.new_page()
        for site_page in (each for each in PAGES if each.audience == audience):
            await _arrive(page, site_page, scene)
            found += [
                f"{site_page.name} ({audience}): {line}" for line in await _axe_violations(page)
            ]
    assert not found, f"{width}, {scheme}:\n" + "\n".join(found)
    # The refusals the pages ask for (a wrong password, a missing page) are no fault.
    assert not [error for error in errors if not REFUSED.search(error)], errors


# Marks, in document order, every element the Tab key should stop at: enabled, shown, not
# taken out of the order, and of each group of radio buttons the one a keyboard lands on.
MARK_TAB_STOPS = """() => {
  const candidates = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]");
  const stops = [...candidates].filter((element) => {
    if (element.disabled || element.tabIndex < 0 || element.closest("[inert]")) return false;
    if (!element.checkVisibility({visibilityProperty: true})) return false;
    if (element.type !== "radio") return true;
    const group = [...document.getElementsByName(element.name)];
    return element === (group.find((radio) => radio.checked) || group[0]);
  });
  stops.forEach((element, index) => { element.dataset.tabStop = index; });
  return stops.map((element) =>
    (element.getAttribute("aria-label") || element.labels?.[0]?.textContent
      || element.textContent || element.name || element.tagName)
      .replace(/\\s+/g, " ").trim().slice(0, 60));
}"""
# Where the focus is after a Tab: which stop, and whether a sighted reader can see it there.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    stop: element.dataset.tabStop === undefined ? null : Number(element.dataset.tabStop),
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    inView: box.width > 1 && box.height > 1 && box.bottom > 0 && box.top < innerHeight
      && box.right > 0 && box.left < innerWidth,
  };
}"""
DATE_FIELDS = 8  # month, day, year, hour, minute, AM or PM, and the picker: at most
KEYBOARD_PAGES = (
    (
        "grace",
        "{story}",
        (
            "Skip to content",
            "Clap",
            "Undo your claps",
            "Favorite",
            "Saved to your reading list",
            "Add to a list",
            "Following",
            "Your response",
            "Respond",
        ),
    ),
    ("ada", "{story}", ("Edit story", "History", "Delete", "Delete")),
    ("grace", "{shelf}", ("Save note", "Move down", "Move up", "Remove", "Save changes", "Delete")),
    ("anyone", "/search?q=draft", ("Search stories", "Words", "Narrow the search", "Search")),
    ("ada", "{draft}/edit", ("Title", "Story", "Publish", "Save draft", "Turn the link off")),
    ("ada", "/p/codeburst/people", ("Role of hedy", "Change", "Remove", "Invite", "Withdraw")),
    ("anyone", "/", ("Sign in", "Get started", "Atom feed")),
    ("anyone", "{story}", ("Table", "from collections import Counter", "# Words used once")),
)


@pytest.mark.parametrize("width", WIDTHS)
async def test_every_action_is_reached_by_tab_in_order_with_its_focus_ring_in_sight(
    new_context: NewContext, scene: Scene, width: str
) -> None:
    for audience, path, actions in KEYBOARD_PAGES:
        context = await new_context(
            viewport=WIDTHS[width],
            storage_state=scene.signed_in.get(audience),
            # The page jumps to the focus instead of gliding, so it is in view after the key.
            reduced_motion="reduce",
        )
        page = await context.new_page()
        await page.bring_to_front()
        await page.goto(path.format(**scene.paths))
        stops = await page.evaluate(MARK_TAB_STOPS)
        for action in actions:
            assert any(action in stop for stop in stops), f"{path}: no {action!r} in {stops}"
        reached: list[int] = []
        # A date takes a Tab for each of its fields: one stop, however many presses.
        for _ in range(len(stops) + DATE_FIELDS):
            await page.keyboard.press("Tab")
            focused = await page.evaluate(FOCUSED)
            assert focused is not None, f"{path}: focus left the page after {reached}"
            assert focused["ring"], f"{path}: no focus ring on {focused} of {stops}"
            assert focused["inView"], f"{path}: {focused} of {stops} is out of view"
            if not reached or reached[-1] != focused["stop"]:
                reached.append(focused["stop"])
            if focused["stop"] == len(stops) - 1:
                break
        assert reached == list(range(len(stops))), f"{path}: {reached} {stops}"
        await context.close()


async def test_nothing_moves_for_a_reader_who_asks_for_less_motion(
    new_context: NewContext, scene: Scene
) -> None:
    moving = """() => [...document.querySelectorAll("*")].filter((element) => {
      const style = getComputedStyle(element);
      return style.animationName !== "none"
        || style.transitionDuration.split(",").some((duration) => parseFloat(duration) > 0);
    }).map((element) => element.tagName + "." + element.className)"""
    for motion, scrolling in (("no-preference", "smooth"), ("reduce", "auto")):
        context = await new_context(
            reduced_motion=motion, storage_state=scene.signed_in["ada"], bypass_csp=True
        )
        page = await context.new_page()
        for path in ("/", "{story}", "{draft}/edit", "/api/docs"):
            await page.goto(path.format(**scene.paths))
            behaviour = await page.evaluate(
                "getComputedStyle(document.documentElement).scrollBehavior"
            )
            if path != "/api/docs":
                assert behaviour == scrolling, (motion, path)
            if motion == "reduce":
                await page.locator("#content, #swagger-ui section.models").first.wait_for()
                assert await page.evaluate(moving) == [], path


async def test_counts_and_icons_are_spoken_as_words(new_context: NewContext, scene: Scene) -> None:
    context = await new_context(storage_state=scene.signed_in["grace"])
    page = await context.new_page()

    await page.goto("/@ada")
    card = page.locator(".story-card").filter(has_text="Counting words in a draft")
    snapshot = await card.locator(".meta").aria_snapshot()
    assert "1 favorite" in snapshot
    assert "5 claps" in snapshot
    assert "♥" not in snapshot

    await page.goto(scene.paths["story"])
    favorite = page.get_by_role("button", name="Favorited, 1 favorite", exact=True)
    await expect(favorite).to_have_attribute("aria-pressed", "true")
    actions = await page.locator(".actions").aria_snapshot()
    assert "3 responses" in actions
    assert 'button "Clap, 5 claps"' in actions
    assert "♥" not in actions
    assert "·" not in await page.locator(".author-line").aria_snapshot()


async def test_autosave_is_announced_in_a_live_region(
    new_context: NewContext, scene: Scene
) -> None:
    context = await new_context(storage_state=scene.signed_in["ada"])
    page = await context.new_page()
    await page.goto(f"{scene.paths['draft']}/edit")

    await page.get_by_label("Story").press_sequentially("The crossing took an hour.")

    saved = page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d\d:\d\d$"))
    await expect(saved).to_have_attribute("aria-live", "polite", timeout=30_000)
