"""Hostile text in every field a writer controls runs no script on any page that shows it.

The content goes in through the API; Chromium then opens every page that shows it. Each payload
calls `__xss(N)` or `alert(N)` if it ever runs, so a page passes when no dialog opened and no
marker was called, and its DOM holds no event-handler attribute, no script other than JSON-LD, no
`javascript:`/`data:` URL and, inside a story body, only the Markdown allow-list. The pages are
opened with the Content-Security-Policy bypassed: escaping and sanitising must hold on their own,
the policy is a second wall.
"""

import asyncio
import math
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from html import unescape
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import pytest
from playwright.async_api import BrowserContext, Dialog, Page

from broadsheet.lib import markdown
from tests.browser.conftest import NewContext, Site
from tests.browser.xss_payloads import BREAKOUTS, IMAGE_PAYLOADS, PAYLOADS, Payload

pytestmark = pytest.mark.browser
T = TypeVar("T")

PASSWORD = "correct horse battery"
AUTHOR = "hostile-author"
PAGE_SIZE = 10
TAG_MAX_LENGTH = 40
BIO_MAX_LENGTH = 2000
OPEN_TABS = 4

MARKER_SCRIPT = """
window.__xssCalls = [];
window.__xss = (number) => {
  window.__xssCalls.push(String(number));
  window.__xssReport(String(number));
};
"""

# Everything the DOM may not hold once hostile content is on the page.
DOM_PROBLEMS = """
() => {
  const PROSE_TAGS = new Set(["a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "kbd", "label", "li", "mark", "ol", "p", "pre", "s", "section", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"]);
  const PROSE_ATTRIBUTES = {a: ["href", "title", "rel", "id", "class"], img: ["src", "alt",
    "title", "width", "height", "srcset", "sizes", "loading"], figure: ["class"],
    td: ["align"], th: ["align"], ol: ["start", "class"],
    ul: ["class"], li: ["id", "class"], input: ["type", "disabled", "checked", "class"],
    code: ["class"], div: ["class", "role", "aria-label", "tabindex"], pre: ["class", "tabindex"],
    span: ["class"], sup: ["class"],
    hr: ["class"], section: ["class"], h1: ["id"], h2: ["id"], h3: ["id"], h4: ["id"],
    h5: ["id"], h6: ["id"]};
  const RESPONSE_TAGS = new Set(["a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre",
    "strong", "ul"]);
  const RESPONSE_ATTRIBUTES = {a: ["href", "rel"], ol: ["start"], pre: ["tabindex"]};
  const FOREIGN = new Set(["iframe", "frame", "frameset", "object", "embed", "applet", "base",
    "svg", "math", "style", "noscript", "noembed", "xmp", "template", "marquee", "video",
    "audio", "source", "isindex"]);
  const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "data", "xlink:href",
    "background", "poster", "codebase", "cite", "ping", "srcset"]);
  const problems = [];
  const describe = (element) => {
    const html = element.outerHTML;
    return html.length > 160 ? html.slice(0, 160) + "…" : html;
  };
  // The site's own scripts: files under /static/, named in the head, with nothing inline.
  const ours = (element) => element.closest("head") && !element.textContent &&
    /^[/]static[/][a-z-]+[.]js$/.test(element.getAttribute("src") || "");
  for (const element of document.querySelectorAll("*")) {
    const tag = element.localName;
    if (tag === "script" && element.type !== "application/ld+json" && !ours(element)) {
      problems.push("script element: " + describe(element));
    }
    if (FOREIGN.has(tag)) problems.push(tag + " element: " + describe(element));
    if (tag === "meta" && element.hasAttribute("http-equiv")) {
      problems.push("meta http-equiv: " + describe(element));
    }
    if ((tag === "link" || tag === "meta") && element.closest("body")) {
      problems.push(tag + " in the body: " + describe(element));
    }
    const prose = element.parentElement && element.parentElement.closest(".prose");
    if (prose && !PROSE_TAGS.has(tag)) {
      problems.push("<" + tag + "> in a story body: " + describe(element));
    }
    const said = element.parentElement && element.parentElement.closest(".response .body");
    if (said && !RESPONSE_TAGS.has(tag)) {
      problems.push("<" + tag + "> in a response: " + describe(element));
    }
    if (prose && tag === "input" && !(element.type === "checkbox" && element.disabled)) {
      problems.push("an input a reader could type in, in a story body: " + describe(element));
    }
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) problems.push("event handler " + name + ": " + describe(element));
      if (name === "style" || name === "srcdoc") problems.push(name + ": " + describe(element));
      if (prose && !(PROSE_ATTRIBUTES[tag] || []).includes(name)) {
        problems.push("attribute " + name + " in a story body: " + describe(element));
      }
      if (said && !(RESPONSE_ATTRIBUTES[tag] || []).includes(name)) {
        problems.push("attribute " + name + " in a response: " + describe(element));
      }
      if (prose && name === "tabindex" && attribute.value !== "0") {
        problems.push("a tab order of its own in a story body: " + describe(element));
      }
      if (URL_ATTRIBUTES.has(name)) {
        let scheme = "";
        try {
          scheme = new URL(attribute.value, document.baseURI).protocol;
        } catch (error) {
          continue;  // not a URL at all, so nothing a browser would follow
        }
        if (["javascript:", "vbscript:", "data:"].includes(scheme)) {
          problems.push(scheme + " URL in " + name + ": " + describe(element));
        }
      }
    }
  }
  for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
    try {
      JSON.parse(script.textContent);
    } catch (error) {
      problems.push("JSON-LD that does not parse: " + script.textContent.slice(0, 160));
    }
  }
  return problems;
}
"""


@dataclass
class Findings:
    """What hostile content managed to do in the browser, page by page."""

    dialogs: list[str] = field(default_factory=list)
    marker_calls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"dialog: {message}" for message in self.dialogs]
        lines += [f"__xss({number}) ran: {_payload_text(number)!r}" for number in self.marker_calls]
        lines += self.problems
        return "\n".join(lines)


def _payload_text(number: str) -> str:
    for payload in (*PAYLOADS, *IMAGE_PAYLOADS):
        if str(payload.number) == number:
            return payload.text
    return "?"


@dataclass(frozen=True)
class Story:
    payload: Payload
    slug: str
    tags: list[str]

    @property
    def path(self) -> str:
        return f"/@{AUTHOR}/{self.slug}"


@dataclass(frozen=True)
class Reader:
    username: str
    bio: str
    headers: dict[str, str]


@dataclass(frozen=True)
class HostileSite:
    """The running site: a story per payload, responses and bios holding every payload."""

    site: Site
    author: Reader
    stories: list[Story]
    readers: list[Reader]
    refused_usernames: int
    refused_images: int


def _bios() -> list[str]:
    """Every payload, packed into as few bios as can hold them."""
    bios = [""]
    for payload in PAYLOADS:
        if len(bios[-1]) + len(payload.text) + 2 > BIO_MAX_LENGTH:
            bios.append("")
        bios[-1] = f"{bios[-1]}\n\n{payload.text}".strip("\n")
    return bios


async def _gather_bounded(calls: Iterable[Awaitable[Any]], limit: int = 8) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def bounded(call: Awaitable[Any]) -> Any:
        async with gate:
            return await call

    return await asyncio.gather(*(bounded(call) for call in calls))


async def _sign_up(client: httpx.AsyncClient, username: str, bio: str) -> Reader:
    user = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    response = await client.post("/api/users", json={"user": user})
    assert response.status_code == 201, response.text
    headers = {"Authorization": f"Token {response.json()['user']['token']}"}
    response = await client.put("/api/user", json={"user": {"bio": bio}}, headers=headers)
    assert response.status_code == 200, response.text
    return Reader(username, bio, headers)


async def _publish(client: httpx.AsyncClient, author: Reader, payload: Payload) -> Story:
    # A tag is one short line: longer payloads, or ones with line breaks, go without.
    tag = payload.text.strip()
    tags = [tag] if len(tag) <= TAG_MAX_LENGTH and tag.isprintable() else []
    article = {
        "title": payload.text,
        "description": payload.text,
        "body": payload.text,
        "tagList": tags,
    }
    response = await client.post("/api/articles", json={"article": article}, headers=author.headers)
    assert response.status_code == 201, (payload.text, response.text)
    return Story(payload, response.json()["article"]["slug"], tags)


async def _respond_and_favorite(client: httpx.AsyncClient, reader: Reader, story: Story) -> None:
    comment = {"comment": {"body": story.payload.text}}
    response = await client.post(
        f"/api/articles/{story.slug}/comments", json=comment, headers=reader.headers
    )
    assert response.status_code in (200, 201), response.text
    response = await client.post(f"/api/articles/{story.slug}/favorite", headers=reader.headers)
    assert response.status_code == 200, response.text


async def _try_username(client: httpx.AsyncClient, payload: Payload) -> int:
    user = {
        "username": payload.text,
        "email": f"u{payload.number}@example.com",
        "password": PASSWORD,
    }
    return (await client.post("/api/users", json={"user": user})).status_code


async def _try_image(client: httpx.AsyncClient, reader: Reader, image: Payload) -> int:
    response = await client.put(
        "/api/user", json={"user": {"image": image.text}}, headers=reader.headers
    )
    assert response.status_code in (200, 422), response.text
    return response.status_code


@pytest.fixture(scope="module")
async def hostile_site(site: Site) -> HostileSite:
    """Each payload as a story's title, subtitle, body, tag and response; bios hold them all."""
    bios = _bios()
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        author = await _sign_up(client, AUTHOR, bios[0])
        stories = await _gather_bounded(_publish(client, author, p) for p in PAYLOADS)
        readers = await _gather_bounded(
            _sign_up(client, f"reader{number}", bios[number % len(bios)])
            for number in range(max(len(bios), len(IMAGE_PAYLOADS)))
        )
        await _gather_bounded(
            _respond_and_favorite(client, readers[number % len(readers)], story)
            for number, story in enumerate(stories)
        )
        image_statuses = await _gather_bounded(
            _try_image(client, reader, image)
            for reader, image in zip(readers, IMAGE_PAYLOADS, strict=False)
        )
        username_statuses = await _gather_bounded(_try_username(client, p) for p in PAYLOADS)
    return HostileSite(
        site,
        author,
        stories,
        readers,
        refused_usernames=username_statuses.count(422),
        refused_images=image_statuses.count(422),
    )


@dataclass
class Watch:
    """A browser context that records every dialog, marker call and DOM problem it meets."""

    context: BrowserContext
    findings: Findings = field(default_factory=Findings)
    statuses: dict[str, int] = field(default_factory=dict)

    async def inspect(self, page: Page, label: str) -> None:
        """Record what the page's DOM holds that it must not, and any marker call seen there."""
        for problem in await page.evaluate(DOM_PROBLEMS):
            self.findings.problems.append(f"{label}: {problem}")
        for number in await page.evaluate("window.__xssCalls || []"):
            self.on_marker(number)

    def on_marker(self, number: str) -> None:
        if number not in self.findings.marker_calls:
            self.findings.marker_calls.append(number)

    async def open(self, page: Page, path: str) -> None:
        """Open `path`, note its status, and inspect it."""
        response = await page.goto(path)
        assert response is not None
        self.statuses[path] = response.status
        await self.inspect(page, path)

    async def for_each(
        self, items: Iterable[T], visit: Callable[[Page, T], Awaitable[None]]
    ) -> None:
        """Visit every item, a few browser tabs at a time."""
        queue: asyncio.Queue[T] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def tab() -> None:
            page = await self.context.new_page()
            while not queue.empty():
                await visit(page, queue.get_nowait())
            await page.close()

        await asyncio.gather(*(tab() for _ in range(OPEN_TABS)))

    async def open_all(self, paths: Iterable[str]) -> None:
        await self.for_each(paths, self.open)

    def assert_clean(self) -> None:
        assert not self.findings.dialogs, self.findings.report()
        assert not self.findings.marker_calls, self.findings.report()
        assert not self.findings.problems, self.findings.report()


async def _watch(new_context: NewContext) -> Watch:
    watch = Watch(await new_context(bypass_csp=True))

    async def on_dialog(dialog: Dialog) -> None:
        watch.findings.dialogs.append(dialog.message)
        await dialog.dismiss()

    watch.context.on("dialog", on_dialog)
    await watch.context.expose_function("__xssReport", watch.on_marker)
    await watch.context.add_init_script(MARKER_SCRIPT)
    return watch


def _listing_pages(base: str, count: int) -> list[str]:
    return [f"{base}?page={number}" for number in range(1, math.ceil(count / PAGE_SIZE) + 1)]


async def test_hostile_usernames_and_non_http_image_urls_are_refused(
    hostile_site: HostileSite,
) -> None:
    not_http = [image for image in IMAGE_PAYLOADS if not image.text.startswith("https://")]
    assert hostile_site.refused_usernames == len(PAYLOADS)
    assert hostile_site.refused_images == len(not_http)


async def test_home_and_author_listings_run_no_hostile_script(
    hostile_site: HostileSite, new_context: NewContext
) -> None:
    watch = await _watch(new_context)
    stories = len(hostile_site.stories)
    paths = _listing_pages("/", stories) + _listing_pages(f"/@{AUTHOR}", stories)

    await watch.open_all(paths)

    assert set(watch.statuses.values()) == {200}
    watch.assert_clean()


async def test_story_pages_show_hostile_text_as_text_and_run_none_of_it(
    hostile_site: HostileSite, new_context: NewContext
) -> None:
    watch = await _watch(new_context)

    async def open_story(page: Page, story: Story) -> None:
        await watch.open(page, story.path)
        written = story.payload.text
        assert await page.locator(".story-header h1").text_content() == written.strip()
        assert await page.locator(".story-header .subtitle").text_content() == written.strip()
        # A response is light Markdown: its text is what the renderer made of it, raw HTML
        # shown as text.
        said = await page.locator(".response .body").text_content() or ""
        rendered = unescape(re.sub(r"<[^>]+>", "", markdown.render_response(written)))
        assert said.split() == rendered.split()

    await watch.for_each(hostile_site.stories, open_story)

    assert list(watch.statuses.values()) == [200] * len(hostile_site.stories)
    watch.assert_clean()


async def test_searching_for_hostile_text_shows_it_and_its_passages_as_text(
    hostile_site: HostileSite, new_context: NewContext
) -> None:
    watch = await _watch(new_context)
    paths = [f"/search?{urlencode({'q': story.payload.text})}" for story in hostile_site.stories]

    await watch.open_all(paths)

    # A payload longer than a search may be comes back in the form, with the error beside it.
    assert set(watch.statuses.values()) <= {200, 422}
    assert 200 in watch.statuses.values()
    watch.assert_clean()


async def test_profiles_with_hostile_bios_and_images_run_no_script(
    hostile_site: HostileSite, new_context: NewContext
) -> None:
    watch = await _watch(new_context)
    favorites = math.ceil(len(hostile_site.stories) / len(hostile_site.readers))
    bios = {f"/@{AUTHOR}": hostile_site.author.bio}
    for reader in hostile_site.readers:
        profile = f"/@{reader.username}"
        for path in [profile, *_listing_pages(f"{profile}/favorites", favorites)]:
            bios[path] = reader.bio

    async def shows_bio_as_written(page: Page, path: str) -> None:
        await watch.open(page, path)
        assert await page.locator(".profile-head p").text_content() == bios[path]

    await watch.for_each(bios, shows_bio_as_written)

    assert list(watch.statuses.values()) == [200] * len(bios)
    watch.assert_clean()


async def test_every_tag_link_opens_its_tag_page_and_runs_no_hostile_script(
    hostile_site: HostileSite, new_context: NewContext
) -> None:
    watch = await _watch(new_context)
    tag_links: set[str] = set()

    async def collect_tag_links(page: Page, path: str) -> None:
        await page.goto(path)
        hrefs = await page.locator(".story-list a.tag").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
        tag_links.update(hrefs)

    await watch.for_each(_listing_pages("/", len(hostile_site.stories)), collect_tag_links)
    await watch.open_all(tag_links)

    watch.assert_clean()
    assert len(tag_links) == sum(1 for story in hostile_site.stories if story.tags)
    broken = sorted(path for path, status in watch.statuses.items() if status != 200)
    assert not broken, f"{len(broken)} of {len(tag_links)} tag links answer an error: {broken}"


async def _sign_in(page: Page, username: str) -> None:
    await page.goto("/signin")
    await page.get_by_label("Email").fill(f"{username}@example.com")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("/")


async def _submit(page: Page, button: str) -> None:
    async with page.expect_navigation():
        await page.get_by_role("button", name=button).click()


EVERY_PAYLOAD = "\n\n".join(payload.text for payload in PAYLOADS)


async def test_editor_fills_its_fields_with_hostile_stories_as_text(
    hostile_site: HostileSite, new_context: NewContext
) -> None:
    """The stories written to break out of an attribute, <title> or <textarea>, opened to edit."""
    watch = await _watch(new_context)
    await _sign_in(await watch.context.new_page(), AUTHOR)
    breakouts = [story for story in hostile_site.stories if story.payload in BREAKOUTS]

    async def edit(page: Page, story: Story) -> None:
        await watch.open(page, f"{story.path}/edit")
        written = story.payload.text
        # A one-line <input> drops line breaks from its value; a <textarea> keeps them.
        one_line = written.strip().replace("\n", "")
        assert await page.get_by_label("Title", exact=True).input_value() == one_line
        assert await page.get_by_label("Subtitle").input_value() == one_line
        assert await page.get_by_label("Story").input_value() == written

    await watch.for_each(breakouts, edit)

    assert list(watch.statuses.values()) == [200] * len(breakouts)
    watch.assert_clean()


async def test_editor_echo_and_preview_run_no_hostile_script(
    hostile_site: HostileSite, new_context: NewContext
) -> None:
    """Every payload at once, in every field: refused (too long) and sent back, then previewed."""
    watch = await _watch(new_context)
    page = await watch.context.new_page()
    await _sign_in(page, AUTHOR)
    await page.goto("/new")
    for label in ("Title", "Subtitle", "Story", "Tags"):
        await page.get_by_label(label, exact=True).fill(EVERY_PAYLOAD)
    typed = await page.get_by_label("Title", exact=True).input_value()

    await _submit(page, "Preview")
    await watch.inspect(page, "/new sent back with every payload")
    assert await page.locator(".error-text").count() >= 1
    assert await page.get_by_label("Title", exact=True).input_value() == typed
    assert await page.get_by_label("Story").input_value() == EVERY_PAYLOAD

    await page.get_by_label("Title", exact=True).fill("Every payload")
    await page.get_by_label("Subtitle").fill("Previewed")
    await page.get_by_label("Tags").fill("")
    await _submit(page, "Preview")
    await watch.inspect(page, "/new previewing every payload")
    assert await page.locator(".preview .prose").count() == 1
    watch.assert_clean()


async def test_signup_form_sends_hostile_username_back_as_text(new_context: NewContext) -> None:
    watch = await _watch(new_context)
    page = await watch.context.new_page()
    await page.goto("/signup")
    await page.get_by_label("Username").fill(EVERY_PAYLOAD)
    typed = await page.get_by_label("Username").input_value()
    await page.get_by_label("Email").fill("newcomer@example.com")
    await page.get_by_label("Password").fill(PASSWORD)

    await _submit(page, "Create account")
    await watch.inspect(page, "/signup sent back with every payload as the username")

    assert await page.locator(".error-text").count() == 1
    assert await page.get_by_label("Username").input_value() == typed
    watch.assert_clean()


async def test_settings_form_shows_hostile_bio_and_image_as_text(
    hostile_site: HostileSite, new_context: NewContext
) -> None:
    """A reader's saved bio and image URL, then every payload at once sent back (too long)."""
    reader = hostile_site.readers[0]
    watch = await _watch(new_context)
    page = await watch.context.new_page()
    await _sign_in(page, reader.username)

    await watch.open(page, "/settings")
    assert await page.get_by_label("Bio").input_value() == reader.bio
    assert await page.get_by_label("Picture URL").input_value() == IMAGE_PAYLOADS[0].text

    await page.get_by_label("Bio").fill(EVERY_PAYLOAD)
    await _submit(page, "Save settings")
    await watch.inspect(page, "/settings sent back with every payload as the bio")
    assert await page.locator(".error-text").count() == 1
    assert await page.get_by_label("Bio").input_value() == EVERY_PAYLOAD
    watch.assert_clean()
