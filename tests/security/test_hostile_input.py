"""Hostile input wherever a client can put text: every string field of every API write, every
path and query parameter, and the site's sign-up and sign-in forms, from one fixed corpus (NUL,
lone surrogates, invalid UTF-8, bidi overrides, SQL, LIKE and header metacharacters, 1 MB and
10 MB values, a 10,000-tag list).

Nothing answers 5xx. Text is either stored and read back exactly, or refused (422; 413 when the
body is too large to read) with every row left as it was. `limit` and `offset` out of range are
refused with 422, never clamped. The bulk runs on SQLite, since it is about the HTTP layer; what
engines store differently (NUL, four-byte UTF-8, quotes, wildcards) runs on every engine."""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest

from tests.helpers import PASSWORD, Writer, asgi_request, every_row, publish, sign_up
from tests.pages.helpers import csrf_from

# -- The corpus ------------------------------------------------------------------------------

# Valid Unicode with no surrounding whitespace: a free-text field stores each exactly as sent.
HOSTILE_TEXT = {
    "sql-quote": "'; DROP TABLE users; --",
    "sql-or": '" OR 1=1 --',
    "sql-union": "*/ UNION SELECT password_hash FROM users /*",
    "like-wildcards": "%_%",
    "percent-nul": "%00",
    "crlf-header": "x\r\nSet-Cookie: injected=1",
    "path-traversal": "../../etc/passwd",
    "javascript-url": "javascript:alert(1)//",
    "html": "<script>alert(1)</script>",
    "template": "{{7*7}} ${7*7} %s%n",
    "escapes": "C:\\temp \\x00 \\u0000",
    "rtl-override": "\u202egnp.exe",
    "zero-width-and-bom": "a\u200b\ufeffb",
    "emoji-zwj": "👩\u200d👩\u200d👧 🏳️\u200d🌈",
    "combining": "Z\u0351\u0352a\u0301lgo",
    "non-bmp": "𝕳𝖊𝖑𝖑𝖔 𠜎",
}
# What no engine stores as text: NUL (PostgreSQL refuses it) and lone surrogates (UTF-8 has no
# encoding for them), as the bytes of a JSON string, since Python cannot encode the surrogates.
UNSTORABLE_JSON = {
    "nul": rb'"\u0000"',
    "nul-inside": rb'"a\u0000b"',
    "lone-high-surrogate": rb'"\ud800"',
    "lone-low-surrogate": rb'"a\udfffb"',
    # Python's JSON decoder lets a surrogate through even as raw (invalid) UTF-8 bytes.
    "raw-surrogate": b'"\xed\xa0\x80"',
}
# Bytes that are not UTF-8 at all.
INVALID_UTF8 = {"invalid-utf8": b"\xff\xfe", "truncated-utf8": b"\xc3", "overlong": b"\xc0\xaf"}
ONE_MB = 1_000_000
TEN_MB = 10_000_000
TEN_THOUSAND_TAGS = [f"tag{number}" for number in range(10_000)]
# Engines differ on these: quoting, LIKE, and four-byte UTF-8 (MariaDB's utf8mb4).
ON_EVERY_ENGINE = ["sql-quote", "sql-or", "like-wildcards", "rtl-override", "emoji-zwj", "non-bmp"]


def as_json(text: str) -> bytes:
    return json.dumps(text, ensure_ascii=False).encode()


UNREADABLE_JSON = UNSTORABLE_JSON | {key: b'"' + raw + b'"' for key, raw in INVALID_UTF8.items()}

# -- The API's writes and their text fields --------------------------------------------------

AUTHOR = "author"


@dataclass(frozen=True)
class ApiWrite:
    """One API write: its route, what else it needs, and which of its fields take any text."""

    name: str
    route: str
    wrapper: str
    required: dict[str, Any]
    fields: tuple[str, ...]
    free_text: frozenset[str] = frozenset()
    # Sign-in stores nothing: wrong credentials are as much its refusal as bad input.
    refused_with: tuple[int, ...] = (422,)

    @property
    def needs_story(self) -> bool:
        return "{slug}" in self.route


NEWCOMER = {"username": "newcomer", "email": "newcomer@example.com", "password": PASSWORD}
CREDENTIALS = {"email": f"{AUTHOR}@example.com", "password": PASSWORD}
STORY = {"title": "A title", "description": "About", "body": "Text", "tagList": []}
STORY_FIELDS = ("title", "description", "body", "tagList")
STORY_TEXT = frozenset({"title", "description", "body"})
SETTINGS_FIELDS = ("email", "username", "password", "bio", "image")

SIGN_UP = ApiWrite("sign-up", "POST /api/users", "user", NEWCOMER, tuple(NEWCOMER))
SIGN_IN = ApiWrite(
    "sign-in",
    "POST /api/users/login",
    "user",
    CREDENTIALS,
    tuple(CREDENTIALS),
    refused_with=(401, 422),
)
SETTINGS = ApiWrite("settings", "PUT /api/user", "user", {}, SETTINGS_FIELDS, frozenset({"bio"}))
PUBLISH = ApiWrite("publish", "POST /api/articles", "article", STORY, STORY_FIELDS, STORY_TEXT)
EDIT = ApiWrite("edit", "PUT /api/articles/{slug}", "article", {}, STORY_FIELDS, STORY_TEXT)
RESPOND = ApiWrite(
    "respond", "POST /api/articles/{slug}/comments", "comment", {}, ("body",), frozenset({"body"})
)
API_WRITES = [SIGN_UP, SIGN_IN, SETTINGS, PUBLISH, EDIT, RESPOND]
API_FIELDS = [(write, name) for write in API_WRITES for name in write.fields]
API_FIELD_IDS = [f"{write.name}.{name}" for write, name in API_FIELDS]


@pytest.fixture
async def author(client) -> Writer:
    return await sign_up(client, AUTHOR)


async def story_by(client, author: Writer) -> str:
    """The slug of a new story by `author`, tagged "plain" and favorited by them."""
    story = await publish(client, author, title="The story", tagList=["plain"])
    await client.post(f"/api/articles/{story['slug']}/favorite", headers=author.headers)
    return str(story["slug"])


_VALUE = "@@value@@"


def json_body(write: ApiWrite, name: str, value: bytes) -> bytes:
    """The write's body with `value`, a JSON string as raw bytes, as its field `name`."""
    fields = {**write.required, name: [_VALUE] if name == "tagList" else _VALUE}
    return json.dumps({write.wrapper: fields}).encode().replace(json.dumps(_VALUE).encode(), value)


async def send(
    client, author: Writer, write: ApiWrite, name: str, value: bytes, slug: str = ""
) -> httpx.Response:
    method, path = write.route.split(" ")
    return await client.request(
        method,
        path.format(slug=slug),
        content=json_body(write, name, value),
        headers={**author.headers, "Content-Type": "application/json"},
    )


async def read_back(client, name: str, text: str, written: dict[str, Any], slug: str) -> Any:
    """What the API now shows for the field just written; a password shows by signing in."""
    if name == "password":
        login = {"user": {"email": written["user"]["email"], "password": text}}
        signed_in = await client.post("/api/users/login", json=login)
        return text if signed_in.status_code == 200 else f"sign-in answered {signed_in.status_code}"
    if "user" in written:
        token = {"Authorization": f"Token {written['user']['token']}"}
        return (await client.get("/api/user", headers=token)).json()["user"][name]
    if "article" in written:
        story = await client.get(f"/api/articles/{written['article']['slug']}")
        return story.json()["article"][name]
    comments = (await client.get(f"/api/articles/{slug}/comments")).json()["comments"]
    return {comment["id"]: comment["body"] for comment in comments}[written["comment"]["id"]]


# -- Every text field of every API write ------------------------------------------------------


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize("text_id", HOSTILE_TEXT)
@pytest.mark.parametrize(("write", "name"), API_FIELDS, ids=API_FIELD_IDS)
async def test_api_field_stores_hostile_text_exactly_or_refuses_it_leaving_every_row(
    client, backend, author, write, name, text_id
):
    text = HOSTILE_TEXT[text_id]
    slug = await story_by(client, author) if write.needs_story else ""
    before = await every_row(backend)

    response = await send(client, author, write, name, as_json(text), slug)

    assert response.status_code < 500, response.text
    if response.is_success:
        stored = await read_back(client, name, text, response.json(), slug)
        assert stored == ([text] if name == "tagList" else text)
    else:
        assert name not in write.free_text, f"free text refused: {response.text}"
        assert response.status_code in write.refused_with, response.text
        assert await every_row(backend) == before


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize(("write", "name"), API_FIELDS, ids=API_FIELD_IDS)
async def test_api_field_refuses_unstorable_and_undecodable_text_with_422(
    client, backend, author, write, name
):
    slug = await story_by(client, author) if write.needs_story else ""
    before = await every_row(backend)

    for key, value in UNREADABLE_JSON.items():
        response = await send(client, author, write, name, value, slug)

        # Undecodable bytes make the whole body invalid JSON, which names no field.
        blamed = name if key in UNSTORABLE_JSON else "body"
        assert response.status_code == 422, (key, response.text)
        assert list(response.json()["errors"]) == [blamed], key

    assert await every_row(backend) == before


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize(("write", "name"), API_FIELDS, ids=API_FIELD_IDS)
async def test_api_field_refuses_oversize_values(client, backend, author, write, name):
    slug = await story_by(client, author) if write.needs_story else ""
    before = await every_row(backend)
    # Ten megabytes once per write: past the body limit, the field no longer matters.
    sizes = [ONE_MB, TEN_MB] if name == write.fields[0] else [ONE_MB]

    for size in sizes:
        response = await send(client, author, write, name, as_json("x" * size), slug)

        assert response.status_code in (413, 422), (size, response.text[:300])
        assert response.json()["errors"], size

    assert await every_row(backend) == before


@pytest.mark.parametrize("write", [PUBLISH, EDIT], ids=lambda write: write.name)
async def test_ten_thousand_tags_are_refused_on_every_engine(client, backend, author, write):
    slug = await story_by(client, author)
    before = await every_row(backend)
    method, path = write.route.split(" ")
    story = {**write.required, "tagList": TEN_THOUSAND_TAGS}

    response = await client.request(
        method, path.format(slug=slug), json={"article": story}, headers=author.headers
    )

    assert response.status_code == 422, response.text[:300]
    assert response.json()["errors"] == {"tagList": ["is too long (maximum is 10)"]}
    assert await every_row(backend) == before


# -- What engines store differently, on every engine -----------------------------------------


@pytest.mark.parametrize("text_id", ON_EVERY_ENGINE)
async def test_hostile_text_reads_back_exactly_and_filters_literally_on_every_engine(
    client, author, text_id
):
    text = HOSTILE_TEXT[text_id]
    other_slug = await story_by(client, author)
    story = await publish(client, author, title=text, description=text, body=text, tagList=[text])
    slug = story["slug"]
    settings = await client.put("/api/user", json={"user": {"bio": text}}, headers=author.headers)
    reply = {"comment": {"body": text}}
    replied = await client.post(
        f"/api/articles/{slug}/comments", json=reply, headers=author.headers
    )

    read = (await client.get(f"/api/articles/{slug}")).json()["article"]
    comments = (await client.get(f"/api/articles/{slug}/comments")).json()["comments"]
    tagged = (await client.get("/api/articles", params={"tag": text})).json()["articles"]
    tag_page = await client.get(f"/tag/{quote(text, safe='')}")

    assert (settings.status_code, replied.status_code) == (200, 200)
    assert [read[name] for name in STORY_FIELDS] == [text, text, text, [text]]
    assert settings.json()["user"]["bio"] == text
    assert [comment["body"] for comment in comments] == [text]
    # Only the story tagged with exactly this text: quotes stay quotes, wildcards stay literal.
    assert [article["slug"] for article in tagged] == [slug]
    assert tag_page.status_code == 200
    assert f"/{slug}" in tag_page.text
    assert f"/{other_slug}" not in tag_page.text


async def test_email_with_sql_metacharacters_signs_in_exactly_on_every_engine(client, author):
    email = "'or'1'='1'--@example.com"
    changed = await client.put("/api/user", json={"user": {"email": email}}, headers=author.headers)

    exact = {"user": {"email": email, "password": PASSWORD}}
    near = {"user": {"email": "x" + email, "password": PASSWORD}}
    signed_in = await client.post("/api/users/login", json=exact)
    refused = await client.post("/api/users/login", json=near)

    assert changed.status_code == 200, changed.text
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["username"] == AUTHOR
    assert refused.status_code == 401


@pytest.mark.parametrize("value_id", ["nul-inside", "lone-high-surrogate"])
async def test_api_writes_refuse_unstorable_text_on_every_engine(client, backend, author, value_id):
    slug = await story_by(client, author)
    before = await every_row(backend)

    for write, name in API_FIELDS:
        response = await send(client, author, write, name, UNSTORABLE_JSON[value_id], slug)

        assert response.status_code == 422, (write.name, name, response.text)

    assert await every_row(backend) == before


async def test_nul_in_a_url_is_refused_on_every_engine(client, backend, author):
    slug = await story_by(client, author)
    before = await every_row(backend)
    urls = [
        "/api/profiles/a%00b",
        "/api/articles/a%00b",
        f"/api/articles/{slug}%00/comments",
        "/api/articles?tag=a%00b",
        "/api/articles?author=a%00b",
        "/api/articles?favorited=a%00b",
        "/@a%00b",
        f"/@{AUTHOR}/{slug}%00",
        "/tag/a%00b",
    ]

    for url in urls:
        response = await client.get(url, headers=author.headers)

        assert response.status_code == 422, (url, response.text[:300])

    assert await every_row(backend) == before


# -- Path and query parameters ---------------------------------------------------------------

# Percent-encoded bytes that are not UTF-8; the URL decoder turns each into U+FFFD.
UNDECODABLE_IN_URL = {"invalid-utf8": "%FF%FE", "encoded-surrogate": "%ED%A0%80"}
HOSTILE_IN_URL = {key: quote(text, safe="") for key, text in HOSTILE_TEXT.items()}
HOSTILE_IN_URL |= UNDECODABLE_IN_URL


async def request_directly(backend, method: str, path: str, query: str = "", **headers: str):
    """Hand a request straight to the app, as a server would: httpx refuses URLs over 64 KiB."""
    sent = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return await asgi_request(
        backend.app, method, path, query=query, headers=[(b"host", b"testserver"), *sent]
    )


# A valid body where there is one, so that the path parameter alone decides the answer.
API_ROUTES = {
    "GET /api/profiles/{}": None,
    "POST /api/profiles/{}/follow": None,
    "DELETE /api/profiles/{}/follow": None,
    "GET /api/articles/{}": None,
    "PUT /api/articles/{}": {"article": {"body": "Edited"}},
    "DELETE /api/articles/{}": None,
    "POST /api/articles/{}/favorite": None,
    "DELETE /api/articles/{}/favorite": None,
    "GET /api/articles/{}/comments": None,
    "POST /api/articles/{}/comments": {"comment": {"body": "A reply"}},
    "DELETE /api/articles/{}/comments/1": None,
}


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize("route", API_ROUTES)
async def test_api_path_parameter_answers_hostile_text_404_and_nul_or_oversize_422(
    client, backend, author, route
):
    method, template = route.split(" ")
    before = await every_row(backend)

    for key, value in (HOSTILE_IN_URL | {"nul": "%00", "nul-inside": "a%00b"}).items():
        # A value ending in "/" leaves a trailing slash, which the router redirects away (307).
        response = await client.request(
            method,
            template.format(value),
            json=API_ROUTES[route],
            headers=author.headers,
            follow_redirects=True,
        )

        assert response.status_code == (422 if key.startswith("nul") else 404), key
        assert response.json()["errors"], key

    one_megabyte = await request_directly(
        backend, method, template.format("x" * ONE_MB), Authorization=f"Token {author.token}"
    )
    assert one_megabyte.status_code in (413, 422), one_megabyte.text[:300]
    assert one_megabyte.json()["errors"]
    assert await every_row(backend) == before


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize(
    "url",
    [
        "/api/profiles/{}",
        "/api/articles/{}",
        "/api/articles?tag={}",
        "/@{}",
        "/@author/{}",
        "/tag/{}",
    ],
)
async def test_ten_megabyte_url_parameter_is_refused(backend, url):
    path, _, query = url.format("x" * TEN_MB).partition("?")

    response = await request_directly(backend, "GET", path, query)

    assert response.status_code in (413, 422), response.text[:300]


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize("name", ["tag", "author", "favorited"])
async def test_article_filter_matches_hostile_text_literally(client, backend, author, name):
    # The story is tagged, written and favorited: a filter that matched wildcards would show it.
    await story_by(client, author)

    for key, value in HOSTILE_IN_URL.items():
        response = await client.get(f"/api/articles?{name}={value}")

        assert response.status_code == 200, (key, response.text)
        assert response.json() == {"articles": [], "articlesCount": 0}, key

    too_long = await client.get("/api/articles", params={name: "x" * 201})
    one_megabyte = await request_directly(backend, "GET", "/api/articles", f"{name}={'x' * ONE_MB}")
    assert too_long.json() == {"errors": {name: ["is too long (maximum is 200)"]}}
    assert (too_long.status_code, one_megabyte.status_code) == (422, 422)


# As articles/api.py and comments/api.py declare them: out of range is refused, never clamped.
PAGE_BOUNDS = {
    "/api/articles": {"limit": (1, 100), "offset": (0, 1_000_000)},
    "/api/articles/feed": {"limit": (1, 100), "offset": (0, 1_000_000)},
    "/api/articles/{slug}/comments": {"limit": (1, 500), "offset": (0, 1_000_000)},
}
NOT_INTEGERS = ["abc", "1.5", "1e3", "0x10", "", "NaN", "true", "٣"]


def out_of_range(low: int, high: int) -> list[str]:
    candidates = (low - 1, -1, high + 1, 10**12, 2**63, 2**64, -(2**63) - 1)
    return [str(number) for number in candidates if not low <= number <= high]


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize("endpoint", PAGE_BOUNDS)
@pytest.mark.parametrize("parameter", ["limit", "offset"])
async def test_limit_and_offset_out_of_range_are_refused_with_422(
    client, author, endpoint, parameter
):
    low, high = PAGE_BOUNDS[endpoint][parameter]
    path = endpoint.format(slug=await story_by(client, author))

    for value in out_of_range(low, high) + NOT_INTEGERS:
        response = await client.get(path, params={parameter: value}, headers=author.headers)

        assert response.status_code == 422, (value, response.text)
        assert list(response.json()["errors"]) == [parameter], value

    for value in (low, high):
        at_bound = await client.get(path, params={parameter: value}, headers=author.headers)
        assert at_bound.status_code == 200, (value, at_bound.text)


@pytest.mark.engines("sqlite")
async def test_comment_id_out_of_range_or_not_an_integer_is_refused_with_422(client, author):
    slug = await story_by(client, author)
    ids = out_of_range(1, 2**63 - 1) + [value for value in NOT_INTEGERS if value]

    for comment_id in ids:
        path = f"/api/articles/{slug}/comments/{quote(comment_id)}"
        response = await client.delete(path, headers=author.headers)

        assert response.status_code == 422, (comment_id, response.text)
        assert list(response.json()["errors"]) == ["id"], comment_id


# -- The site --------------------------------------------------------------------------------

SITE_PATHS = ["/@{}", "/@{}/feed.atom", "/@author/{}", "/tag/{}", "/tag/{}/feed.atom"]


def site_answer(template: str, key: str) -> int:
    """A name or slug that matches nothing is not found; a tag page lists no stories. No tag
    holds a line break, and the tag route does not match one (its `.*` stops at a newline)."""
    return 200 if template.startswith("/tag/") and key != "crlf-header" else 404


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize("template", SITE_PATHS)
async def test_site_path_answers_hostile_text_without_fault(client, backend, author, template):
    for key, value in HOSTILE_IN_URL.items():
        response = await client.get(template.format(value), follow_redirects=True)

        assert response.status_code == site_answer(template, key), (key, response.status_code)
        assert "<script>alert(1)" not in response.text, key

    nul = await client.get(template.format("a%00b"))
    one_megabyte = await request_directly(backend, "GET", template.format("x" * ONE_MB))
    assert (nul.status_code, one_megabyte.status_code) == (422, 422)


SITE_FORMS = {"/signup": NEWCOMER, "/signin": CREDENTIALS}
SITE_FIELDS = [(form, name) for form, fields in SITE_FORMS.items() for name in fields]
SITE_FIELD_IDS = [f"{form.strip('/')}.{name}" for form, name in SITE_FIELDS]
# Undecodable bytes as a form may carry them, percent-encoded or raw; the parser makes each
# U+FFFD, which leaves every field too short, malformed or wrong.
UNDECODABLE_IN_FORM = {f"percent-{key}": quote(raw).encode() for key, raw in INVALID_UTF8.items()}
UNDECODABLE_IN_FORM |= {f"raw-{key}": raw for key, raw in INVALID_UTF8.items()}
UNDECODABLE_IN_FORM |= {"percent-surrogate": b"%ED%A0%80", "raw-surrogate": b"\xed\xa0\x80"}


async def post_form(client, form: str, name: str, value: bytes) -> httpx.Response:
    """Post `form` with its CSRF token and usual fields, `value` (as sent) in the field `name`."""
    token = csrf_from((await client.get(form)).text)
    others = {other: text for other, text in SITE_FORMS[form].items() if other != name}
    body = urlencode({"csrf_token": token, **others}).encode() + f"&{name}=".encode() + value
    content_type = {"Content-Type": "application/x-www-form-urlencoded"}
    return await client.post(form, content=body, headers=content_type)


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize("text_id", HOSTILE_TEXT)
@pytest.mark.parametrize(("form", "name"), SITE_FIELDS, ids=SITE_FIELD_IDS)
async def test_site_form_takes_hostile_text_exactly_or_refuses_it_leaving_every_row(
    client, backend, author, form, name, text_id
):
    sent = SITE_FORMS[form] | {name: HOSTILE_TEXT[text_id]}
    before = await every_row(backend)

    response = await post_form(client, form, name, quote(sent[name]).encode())

    assert response.status_code < 500
    if response.status_code == 303:
        assert form == "/signup"
        login = {"user": {"email": sent["email"], "password": sent["password"]}}
        signed_in = await client.post("/api/users/login", json=login)
        assert signed_in.status_code == 200, signed_in.text
        user = signed_in.json()["user"]
        assert (user["username"], user["email"]) == (sent["username"], sent["email"])
    else:
        assert response.status_code in (401, 422), response.status_code
        assert await every_row(backend) == before


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize(("form", "name"), SITE_FIELDS, ids=SITE_FIELD_IDS)
async def test_site_form_refuses_nul_undecodable_and_oversize_text(
    client, backend, author, form, name
):
    before = await every_row(backend)
    answers = {
        key: (await post_form(client, form, name, value)).status_code
        for key, value in ({"nul": b"%00", "nul-inside": b"a%00b"} | UNDECODABLE_IN_FORM).items()
    }
    # Ten megabytes once per form: past the body limit, the field no longer matters.
    sizes = [ONE_MB, TEN_MB] if name == next(iter(SITE_FORMS[form])) else [ONE_MB]
    oversize = {
        size: (await post_form(client, form, name, b"x" * size)).status_code for size in sizes
    }

    assert {key: answers[key] for key in ("nul", "nul-inside")} == {"nul": 422, "nul-inside": 422}
    assert set(answers.values()) <= {401, 422}, answers
    assert set(oversize.values()) <= {413, 422}, oversize
    assert await every_row(backend) == before


async def test_site_forms_refuse_nul_on_every_engine(client, backend, author):
    before = await every_row(backend)

    for form, name in SITE_FIELDS:
        response = await post_form(client, form, name, b"a%00b")

        assert response.status_code == 422, (form, name, response.status_code)

    assert await every_row(backend) == before
