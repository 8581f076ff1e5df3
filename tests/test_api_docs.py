"""The API docs page works with no internet: every asset it loads comes from our own origin."""

import re
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.engines("sqlite")

ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


async def test_api_docs_page_names_the_openapi_document(client):
    response = await client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'data-openapi-url="/api/openapi.json"' in response.text


async def test_api_docs_page_loads_only_same_origin_assets_that_answer(client):
    page = (await client.get("/api/docs")).text
    urls = asset_urls(page)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    assert any(url.endswith("swagger-ui.css") for url in urls)
    for url in urls:
        assert urlsplit(url).netloc == "", url
        response = await client.get(url)
        assert response.status_code == 200, url
        expected = ASSET_TYPES[url[url.rindex(".") :]]
        assert response.headers["content-type"].startswith(expected), url


async def test_api_docs_page_runs_no_inline_script(client):
    page = (await client.get("/api/docs")).text
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.DOTALL):
        attributes, body = script
        assert "src=" in attributes
        assert body.strip() == ""


async def test_api_docs_policy_allows_our_origin_only(client):
    policy = (await client.get("/api/docs")).headers["content-security-policy"]
    assert "http" not in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'self'" in policy
