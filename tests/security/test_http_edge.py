"""The HTTP edge: which Host headers are answered, where absolute URLs come from, how the
response cache tells requests apart, and how big request headers may be."""

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.helpers import asgi_request, own_app, publish, sign_up
from tests.publications.helpers import found

pytestmark = pytest.mark.engines("sqlite")

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


async def get_naming(app: Any, path: str, *hosts: str, http_version: str = "1.1"):
    """GET `path` with one Host header for each of `hosts`, however many."""
    headers = [(b"host", host.encode()) for host in hosts]
    return await asgi_request(app, "GET", path, headers=headers, http_version=http_version)


def assert_refused_400(response: httpx.Response, *, api: bool) -> None:
    assert response.status_code == 400, response.text
    if api:
        assert response.json()["errors"]["body"]
    else:
        assert response.headers["content-type"].startswith("text/plain")
    for name in SECURITY_HEADERS:
        assert response.headers[name]


# -- The Host header ------------------------------------------------------------------------

MALFORMED_HOSTS = [
    "testserver/@author",
    "testserver/feed.atom?x=",
    "test server",
    "user@testserver",
    "testserver:80:80",
    "testserver:http",
    "testserver:123456",
    "",
    "testserver\\x",
    "[::1",
]


@pytest.mark.parametrize("path", ["/", "/api/tags", "/feed.atom", "/healthz"])
@pytest.mark.parametrize("host", MALFORMED_HOSTS)
async def test_a_malformed_host_is_refused_before_anything_runs(backend, path, host):
    response = await get_naming(backend.app, path, host)

    assert_refused_400(response, api=path.startswith("/api"))
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("path", ["/", "/api/tags", "/healthz"])
async def test_two_host_headers_or_none_on_http_1_1_are_refused(backend, path):
    twice = await get_naming(backend.app, path, "testserver", "testserver")
    missing = await get_naming(backend.app, path)
    old_client = await get_naming(backend.app, path, http_version="1.0")

    assert_refused_400(twice, api=path.startswith("/api"))
    assert_refused_400(missing, api=path.startswith("/api"))
    assert old_client.status_code == 200


@pytest.mark.parametrize(
    "host", ["testserver", "TESTSERVER", "testserver:80", "testserver.", "testserver:8000"]
)
async def test_the_configured_host_is_answered_in_any_case_and_on_any_port(backend, host):
    response = await get_naming(backend.app, "/api/tags", host)

    assert response.status_code == 200, response.text


@pytest.mark.parametrize("host", ["evil.example", "testserver.evil.example", "127.0.0.1", "[::1]"])
@pytest.mark.parametrize("path", ["/", "/api/tags", "/feed.atom", "/signin/", "/static/x"])
async def test_a_host_this_site_does_not_answer_for_is_refused(backend, host, path):
    response = await get_naming(backend.app, path, host)

    assert_refused_400(response, api=path.startswith("/api"))
    assert "location" not in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
async def test_probes_are_answered_whatever_address_names_the_server(backend, path):
    response = await get_naming(backend.app, path, "10.0.0.5:8000")

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("host", "answered"),
    [
        ("news.example", True),
        ("www.news.example", True),
        ("a.b.news.example:8443", True),
        ("evilnews.example", False),
        ("news.example.evil", False),
    ],
)
async def test_a_leading_dot_allows_a_domain_and_its_subdomains(backend, host, answered):
    settings = {"base_url": "https://news.example", "allowed_hosts": ".news.example"}
    async with own_app(backend, **settings) as (app, _client):
        response = await get_naming(app, "/api/tags", host)

    assert response.status_code == (200 if answered else 400), response.text


@pytest.fixture
async def site_behind_any_host(backend) -> AsyncIterator[httpx.AsyncClient]:
    """The site at https://news.example, answering every Host (as behind a proxy that checks
    them), reached by a client that names another host."""
    async with own_app(backend, base_url="https://News.Example", allowed_hosts="*") as (_, client):
        client.base_url = httpx.URL("http://evil.example")
        yield client


BASE = "https://news.example"


def absolute_urls(text: str) -> list[str]:
    """Every absolute URL in a page or document, but the vocabularies' names (XML namespaces,
    schema.org's @context)."""
    names = ("http://www.w3.org/", "http://www.sitemaps.org/", "https://schema.org")
    found = re.findall(r"https?://[^\s\"'<>]+", text)
    return [url for url in found if not url.startswith(names)]


@pytest.mark.parametrize(
    ("path", "moved_to"),
    [
        ("/signin/", "/signin"),
        ("/api/tags/", "/api/tags"),
        ("/@a%20b/feed.atom/?page=2", "/@a%20b/feed.atom?page=2"),
        ("/@author/", "/@author"),
    ],
)
async def test_trailing_slash_redirects_go_to_the_base_url(site_behind_any_host, path, moved_to):
    response = await site_behind_any_host.get(path)

    assert response.status_code == 307
    assert response.headers["location"] == BASE + moved_to


async def test_every_absolute_url_comes_from_the_base_url(site_behind_any_host):
    client = site_behind_any_host
    author = await sign_up(client, "author")
    await found(client, author)
    story = await publish(client, author, tagList=["news"], publication="codeburst")
    pages = [
        "/",
        "/p/codeburst",
        "/p/codeburst/feed.atom",
        f"/@author/{story['slug']}",
        "/@author",
        "/tag/news",
        "/feed.atom",
        "/@author/feed.atom",
        "/tag/news/feed.atom",
        "/sitemap.xml",
        "/robots.txt",
    ]

    for path in pages:
        response = await client.get(path)

        assert response.status_code == 200, path
        urls = absolute_urls(response.text)
        assert urls, path
        assert all(url.startswith(BASE + "/") for url in urls), (path, urls)
    story_page = (await client.get(f"/@author/{story['slug']}")).text
    assert f'<link rel="canonical" href="{BASE}/@author/{story["slug"]}">' in story_page


# -- The response cache key -----------------------------------------------------------------


async def test_a_host_carrying_a_path_cannot_plant_one_feed_under_another(client, backend):
    author = await sign_up(client, "author")
    await publish(client, author, title="By the author")
    other = await sign_up(client, "other")
    await publish(client, other, title="By someone else")

    planted = await get_naming(backend.app, "/feed.atom", "testserver/@author")
    author_feed = await client.get("/@author/feed.atom")

    assert planted.status_code == 400
    assert "stories by author" in author_feed.text
    assert "By someone else" not in author_feed.text


async def test_an_encoded_question_mark_in_the_path_is_not_a_query(client):
    author = await sign_up(client, "author")
    question = await publish(client, author, title="Question", tagList=["a?b"])
    plain = await publish(client, author, title="Plain", tagList=["a"])

    # Tag "a?b" with no query, and tag "a" with the query "b?": one text if joined naively.
    for order in (["/tag/a%3Fb", "/tag/a?b?"], ["/tag/a?b?", "/tag/a%3Fb"]):
        answers = {path: (await client.get(path)).text for path in order}

        assert question["slug"] in answers["/tag/a%3Fb"], order
        assert plain["slug"] not in answers["/tag/a%3Fb"], order
        assert plain["slug"] in answers["/tag/a?b?"], order
        assert question["slug"] not in answers["/tag/a?b?"], order


# -- Request headers ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/tags"])
async def test_too_many_or_too_large_headers_are_answered_431(client, path):
    large = await client.get(path, headers={"X-Padding": "x" * 40_000})
    many = await client.get(path, headers={f"X-Field-{number}": "1" for number in range(120)})
    within = await client.get(path, headers={f"X-Field-{number}": "1" for number in range(50)})

    for response in (large, many):
        assert response.status_code == 431, response.text
        assert "request headers must stay within" in response.text.lower()
        for name in SECURITY_HEADERS:
            assert response.headers[name]
    assert within.status_code == 200
