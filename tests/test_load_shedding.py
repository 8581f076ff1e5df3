"""Past its limit of requests in flight a worker answers 503 at once instead of queueing."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from broadsheet.app import close, create_app
from tests.conftest import settings_for_tests
from tests.helpers import sign_up


@pytest.fixture
async def one_at_a_time(backend) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for_tests(backend.settings.database_url, max_requests_in_flight=1))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await close(app)


@pytest.mark.engines("sqlite")
async def test_a_request_over_the_limit_is_refused_at_once_and_the_admitted_one_completes(
    one_at_a_time,
):
    writer = await sign_up(one_at_a_time)
    body_may_finish = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield b'{"user": {"bio": "slowly'
        await body_may_finish.wait()
        yield b' written"}}'

    in_flight = asyncio.create_task(
        one_at_a_time.put(
            "/api/user",
            content=slow_body(),
            headers={**writer.headers, "Content-Type": "application/json"},
        )
    )
    await asyncio.sleep(0.05)  # the slow request now holds the only place
    refused_api = await one_at_a_time.get("/api/tags")
    refused_page = await one_at_a_time.get("/")
    probe = await one_at_a_time.get("/healthz")
    body_may_finish.set()
    admitted = await in_flight
    afterwards = await one_at_a_time.get("/api/tags")

    assert refused_api.status_code == 503
    assert refused_api.headers["retry-after"] == "1"
    assert refused_api.json()["errors"]["body"]
    assert refused_page.status_code == 503
    assert "busy" in refused_page.text
    assert probe.status_code == 200
    assert admitted.status_code == 200
    assert admitted.json()["user"]["bio"] == "slowly written"
    assert afterwards.status_code == 200
