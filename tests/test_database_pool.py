"""A worker never holds more database connections than its pool's size, however many requests."""

import asyncio

import httpx
import pytest
from sqlalchemy import event

from broadsheet.app import close, create_app
from tests.conftest import settings_for_tests


@pytest.mark.engines("postgresql", "mariadb")
async def test_a_burst_of_requests_waits_for_the_pool_instead_of_opening_connections(backend):
    app = create_app(
        settings_for_tests(
            backend.settings.database.url, database={"pool_size": 2}, cache={"enabled": False}
        )
    )
    connections_opened = 0

    def count_connection(*_: object) -> None:
        nonlocal connections_opened
        connections_opened += 1

    event.listen(app.state.database.engine.sync_engine, "connect", count_connection)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            burst = [client.get("/api/articles") for _ in range(30)]
            responses = await asyncio.gather(*burst)
    finally:
        await close(app)

    assert [response.status_code for response in responses] == [200] * 30
    assert connections_opened <= 2
