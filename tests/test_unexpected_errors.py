"""A failure no handler expected is answered 500, as JSON under /api and as a page elsewhere,
with the security headers every response carries, and logged with its traceback."""

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.helpers import own_app

pytestmark = pytest.mark.engines("sqlite")


@pytest.fixture
async def failing_site(backend) -> AsyncIterator[httpx.AsyncClient]:
    async with own_app(backend) as (app, client):

        async def fail() -> None:
            raise RuntimeError("a bug in a handler")

        app.add_api_route("/api/fails", fail)
        app.add_api_route("/fails", fail)
        yield client


@pytest.mark.parametrize("path", ["/api/fails", "/fails"])
async def test_an_unexpected_failure_is_answered_500_with_the_security_headers(
    failing_site, caplog, path
):
    with caplog.at_level(logging.ERROR, logger="broadsheet.errors"):
        response = await failing_site.get(path)

    assert response.status_code == 500
    if path.startswith("/api"):
        assert response.json() == {"errors": {"body": ["something went wrong on our side"]}}
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert "something went wrong" in response.text.lower()
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "RuntimeError: a bug in a handler" in caplog.text
    # The site answers the next request as ever.
    assert (await failing_site.get("/api/tags")).status_code == 200
