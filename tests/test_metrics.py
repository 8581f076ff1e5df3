"""Prometheus metrics at /metrics: per route, cache and pool figures, for allowed networks only."""

import os
import subprocess
import sys
import textwrap

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from broadsheet.app import close, create_app
from broadsheet.metrics import MULTIPROCESS_DIR_VARIABLE
from broadsheet.settings import Settings
from tests.conftest import settings_for_tests
from tests.helpers import publish, sign_up


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client: httpx.AsyncClient) -> dict:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def requests_counted(figures: dict, method: str, route: str, status: str) -> float:
    labels = (("method", method), ("route", route), ("status", status))
    return figures.get(("broadsheet_http_requests_total", labels), 0.0)


def cache_lookups(figures: dict, result: str) -> float:
    return figures.get(("broadsheet_response_cache_lookups_total", (("result", result),)), 0.0)


async def test_requests_are_counted_by_route_template_and_status(client):
    author = await sign_up(client)
    story = await publish(client, author)
    before = await scrape(client)
    await client.get(f"/api/articles/{story['slug']}")
    await client.get(f"/api/articles/{story['slug']}")  # a cache hit: counted by the cache alone
    await client.get("/api/articles/no-such-story")
    await client.get(f"/@{author.username}/{story['slug']}")
    after = await scrape(client)

    def grew(method: str, route: str, status: str) -> float:
        return requests_counted(after, method, route, status) - requests_counted(
            before, method, route, status
        )

    assert grew("GET", "/api/articles/{slug}", "200") == 1
    assert grew("GET", "/api/articles/{slug}", "404") == 1
    assert grew("GET", "/@{username}/{slug}", "200") == 1
    timed = (
        "broadsheet_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/api/articles/{slug}")),
    )
    assert after[timed] - before.get(timed, 0.0) == 2
    assert cache_lookups(after, "hit") - cache_lookups(before, "hit") == 1


async def test_cache_hits_and_misses_are_counted(client):
    before = await scrape(client)
    await client.get("/api/tags?limit=7")
    await client.get("/api/tags?limit=7")
    after = await scrape(client)

    assert cache_lookups(after, "miss") - cache_lookups(before, "miss") == 1
    assert cache_lookups(after, "hit") - cache_lookups(before, "hit") == 1


@pytest.mark.engines("postgresql")
async def test_the_database_pool_is_reported(backend, client):
    await client.get("/api/articles")
    figures = await scrape(client)

    assert figures[("broadsheet_db_pool_size", ())] >= 1
    assert figures[("broadsheet_db_pool_checked_out", ())] >= 0


@pytest.mark.engines("sqlite")
async def test_metrics_are_refused_to_clients_outside_the_allowed_networks(backend):
    transport = httpx.ASGITransport(app=backend.app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as outsider:
        response = await outsider.get("/metrics")

    assert response.status_code == 404
    assert "broadsheet_" not in response.text


@pytest.mark.engines("sqlite")
async def test_an_allowed_network_may_read_the_metrics(backend):
    settings = settings_for_tests(backend.settings.database.url, metrics_networks="203.0.113.0/24")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            allowed = await c.get("/metrics")
    finally:
        await close(app)

    assert allowed.status_code == 200
    assert "broadsheet_http_requests_total" in allowed.text


def test_the_allowed_networks_are_loopback_by_default():
    networks = [str(network) for network in Settings().metrics_networks]

    assert networks == ["127.0.0.0/8", "::1/128"]


@pytest.mark.engines("sqlite")
async def test_metrics_are_not_part_of_the_public_api(client):
    document = (await client.get("/api/openapi.json")).json()

    assert not any("metrics" in path for path in document["paths"])
    assert (await client.get("/api/metrics")).status_code == 404


_WORKER = textwrap.dedent(
    """
    import asyncio, sys
    import httpx
    from broadsheet.app import close, create_app
    from tests.conftest import settings_for_tests

    async def main():
        app = create_app(settings_for_tests(sys.argv[1]))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            for _ in range(int(sys.argv[2])):
                assert (await c.get("/healthz")).status_code == 200
        await close(app)

    asyncio.run(main())
    """
)


def _serve_from_two_processes(database_url: str, shared: str) -> None:
    environment = {**os.environ, MULTIPROCESS_DIR_VARIABLE: shared}
    workers = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", _WORKER, database_url, str(count)], env=environment
        )
        for count in (3, 4)
    ]
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0]


@pytest.mark.engines("sqlite")
async def test_figures_of_every_worker_process_are_added_up(backend, tmp_path, monkeypatch):
    shared = tmp_path / "metrics"
    shared.mkdir()
    _serve_from_two_processes(backend.settings.database.url, str(shared))

    monkeypatch.setenv(MULTIPROCESS_DIR_VARIABLE, str(shared))
    transport = httpx.ASGITransport(app=backend.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        figures = await scrape(c)

    assert requests_counted(figures, "GET", "/healthz", "200") == 7
