"""Past its limit of requests in flight a worker answers 503 at once instead of queueing."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.helpers import own_app, sign_up


@dataclass
class Site:
    """An app admitting one request at a time, with a route that is worked on until told."""

    client: httpx.AsyncClient
    held_entered: asyncio.Event = field(default_factory=asyncio.Event)
    held_may_finish: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
async def one_at_a_time(backend) -> AsyncIterator[Site]:
    settings = {"max_requests_in_flight": 1, "request_body_timeout_seconds": 5}
    async with own_app(backend, **settings) as (app, client):
        site = Site(client)

        @app.get("/api/held")
        async def held() -> dict[str, str]:
            site.held_entered.set()
            await site.held_may_finish.wait()
            return {"held": "done"}

        try:
            yield site
        finally:
            site.held_may_finish.set()


@pytest.mark.engines("sqlite")
async def test_a_request_over_the_limit_is_refused_at_once_and_the_admitted_one_completes(
    one_at_a_time,
):
    client = one_at_a_time.client
    in_flight = asyncio.create_task(client.get("/api/held"))
    await one_at_a_time.held_entered.wait()
    refused_api = await client.get("/api/tags")
    refused_page = await client.get("/")
    probe = await client.get("/healthz")
    one_at_a_time.held_may_finish.set()
    admitted = await in_flight
    afterwards = await client.get("/api/tags")

    assert refused_api.status_code == 503
    assert refused_api.headers["retry-after"] == "1"
    assert refused_api.json()["errors"]["body"]
    assert refused_page.status_code == 503
    assert "busy" in refused_page.text
    for refused in (refused_api, refused_page):
        assert "default-src" in refused.headers["content-security-policy"]
        assert refused.headers["x-content-type-options"] == "nosniff"
        assert refused.headers["x-frame-options"] == "DENY"
        assert refused.headers["referrer-policy"]
    assert probe.status_code == 200
    assert admitted.json() == {"held": "done"}
    assert afterwards.status_code == 200


@pytest.mark.engines("sqlite")
async def test_a_client_still_sending_its_body_holds_no_place(one_at_a_time):
    client = one_at_a_time.client
    writer = await sign_up(client)
    first_part_sent = asyncio.Event()
    body_may_finish = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield b'{"user": {"bio": "slowly'
        first_part_sent.set()
        await body_may_finish.wait()
        yield b' written"}}'

    sending = asyncio.create_task(
        client.put(
            "/api/user",
            content=slow_body(),
            headers={**writer.headers, "Content-Type": "application/json"},
        )
    )
    await first_part_sent.wait()
    meanwhile = await client.get("/api/user", headers=writer.headers)
    body_may_finish.set()
    sent = await sending

    assert meanwhile.status_code == 200, meanwhile.text
    assert sent.status_code == 200, sent.text
    assert sent.json()["user"]["bio"] == "slowly written"


@pytest.mark.engines("sqlite")
async def test_a_body_that_does_not_arrive_in_time_is_answered_408(backend):
    never = asyncio.Event()

    async def stalled_body() -> AsyncIterator[bytes]:
        yield b'{"user": {"bio": "never fin'
        await never.wait()
        yield b'ished"}}'

    async with own_app(backend, request_body_timeout_seconds=0.05) as (_, client):
        writer = await sign_up(client)
        try:
            stalled = await client.put(
                "/api/user",
                content=stalled_body(),
                headers={**writer.headers, "Content-Type": "application/json"},
            )
        finally:
            never.set()
        user = await client.get("/api/user", headers=writer.headers)

    assert stalled.status_code == 408
    assert stalled.headers["connection"] == "close"
    assert stalled.json() == {
        "errors": {"body": ["the request body did not arrive within 0.05 seconds"]}
    }
    assert user.json()["user"]["bio"] is None
