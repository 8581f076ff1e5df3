"""Site helpers: read pages as a browser would and fill in their forms, cookies and all."""

import itertools
import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any

import httpx

from tests.helpers import PASSWORD

SITE = "http://testserver"
_numbers = itertools.count(1)
_CSRF_INPUT = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


@dataclass(frozen=True)
class Reader:
    """Someone with an account on the site, signed in on their own client."""

    username: str
    email: str
    password: str


def browser(backend: Any, base_url: str = SITE) -> httpx.AsyncClient:
    """A second, separate browser on the same site: its own cookies, its own session."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=backend.app), base_url=base_url)


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on the page."""
    found = _CSRF_INPUT.search(html)
    assert found, "the page has no form with a csrf_token"
    return unescape(found.group(1))


async def submit(
    client: httpx.AsyncClient, form_page: str, action: str | None = None, **fields: str
) -> httpx.Response:
    """Open `form_page`, then post `fields` with its CSRF token to `action` (the page itself)."""
    opened = await client.get(form_page)
    assert opened.status_code == 200, (form_page, opened.status_code)
    data = {"csrf_token": csrf_from(opened.text), **fields}
    return await client.post(action or form_page, data=data)


async def sign_up_on_site(client: httpx.AsyncClient, username: str | None = None) -> Reader:
    """Create an account through the sign-up form; the client keeps the session cookie."""
    username = username or f"reader{next(_numbers)}"
    reader = Reader(username, f"{username.lower()}@example.com", PASSWORD)
    response = await submit(
        client, "/signup", username=reader.username, email=reader.email, password=reader.password
    )
    assert response.status_code == 303, response.text
    return reader


async def sign_in_on_site(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    """Sign in through the form; the client keeps the session cookie."""
    return await submit(client, "/signin", email=email, password=password)


async def write_on_site(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    """Publish a story through the editor; answers the redirect to the new story."""
    story = {
        "title": f"Story {next(_numbers)}",
        "description": "What it is about",
        "body": "Some *Markdown*.",
        "tags": "",
        "intent": "publish",
    }
    return await submit(client, "/new", **(story | fields))


def plant_cookie(client: httpx.AsyncClient, name: str, value: str) -> None:
    """Put a cookie in the client's jar as the site itself would have set it."""
    client.cookies.set(name, value, domain="testserver.local")


def set_cookie_headers(response: httpx.Response, name: str) -> list[str]:
    """The Set-Cookie lines of `response` for the cookie `name`."""
    return [
        line
        for line in response.headers.get_list("set-cookie")
        if line.split("=", 1)[0].strip() == name
    ]


class _Elements(HTMLParser):
    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.found: list[dict[str, str]] = []
        self._open: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag:
            element = {name: value or "" for name, value in attrs} | {"text": ""}
            self.found.append(element)
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == self.tag and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element["text"] += data


def elements(html: str, tag: str, **attributes: str) -> list[dict[str, str]]:
    """The `tag` elements whose attributes match, as attribute dicts plus their "text".

    Attribute names are spelled as keywords: `class_` for class, `aria_pressed` for aria-pressed.
    """
    wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attributes.items()}
    parser = _Elements(tag)
    parser.feed(html)
    return [
        element
        for element in parser.found
        if all(element.get(name) == value for name, value in wanted.items())
    ]


def meta(html: str, key: str) -> str | None:
    """The content of `<meta property=key>` or `<meta name=key>`."""
    for element in elements(html, "meta"):
        if key in (element.get("property"), element.get("name")):
            return element.get("content")
    return None


def text_of(html: str) -> str:
    """What a reader sees: the text without tags, entities decoded, whitespace collapsed."""
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def error_beside(html: str, field: str) -> str:
    """The error message shown next to the form field `field`, or "" when there is none."""
    return " ".join(element["text"] for element in elements(html, "p", id=f"error-{field}"))


def field_value(html: str, name: str) -> str | None:
    """The value a form field shows: an input's value or a textarea's text."""
    for tag in ("input", "textarea"):
        for element in elements(html, tag, name=name):
            return element["text"] if tag == "textarea" else element.get("value", "")
    return None
