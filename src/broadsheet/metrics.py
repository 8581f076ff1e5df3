"""Prometheus metrics at /metrics, for scrapers on allowed networks only (loopback by default).

`broadsheet serve` with several workers sets PROMETHEUS_MULTIPROC_DIR to a fresh directory: each
worker writes its figures there and /metrics, whichever worker answers it, adds them all up.
"""

import logging
import os
import time
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy.pool import QueuePool
from starlette.routing import NoMatchFound
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:  # the database module imports the cache, which counts its lookups here
    from broadsheet.db import Database


MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "broadsheet_http_requests_total",
    "Requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "broadsheet_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Sampled at the end of each request; summed over the live workers.
POOL_CHECKED_OUT = Gauge(
    "broadsheet_db_pool_checked_out",
    "Database connections in use.",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "broadsheet_db_pool_size",
    "Database connections the pools keep open.",
    multiprocess_mode="livesum",
)
CACHE_LOOKUPS = Counter(
    "broadsheet_response_cache_lookups_total",
    "Anonymous reads looked up in the response cache, by result (hit or miss).",
    ["result"],
)

JOB_RUNS = Counter(
    "broadsheet_job_runs_total",
    "Attempts at jobs, by kind and outcome (complete, retried, failed, aborted).",
    ["job", "outcome"],
)
JOB_DURATION = Histogram(
    "broadsheet_job_duration_seconds",
    "Time one attempt at a job took, by kind.",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0),
)
# Read from the queue when /metrics is asked for.
JOBS_WAITING = Gauge(
    "broadsheet_jobs",
    "Jobs in the queue, by state: queued (due now), scheduled (for later), active (running).",
    ["state"],
    multiprocess_mode="mostrecent",
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Figures for Prometheus; a 404 for clients outside the allowed networks."""
    client = request.client.host if request.client else ""
    if not _allowed(client, request.app.state.settings.metrics_networks):
        return PlainTextResponse("not found", status_code=404)
    await _sample_queue(request.app.state.database)
    return Response(
        _exposition(), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"}
    )


async def _sample_queue(database: "Database") -> None:
    try:
        depth = await database.jobs.depth()
    except Exception:
        # The other figures matter most when the queue's server is away.
        logger.warning("cannot read the job queue's depth", exc_info=True)
        return
    for state, count in depth.items():
        JOBS_WAITING.labels(state).set(count)


def _allowed(client: str, networks: list[Any]) -> bool:
    try:
        address = ip_address(client)
    except ValueError:
        return False
    return any(address in network for network in networks)


def _exposition() -> bytes:
    if MULTIPROCESS_DIR_VARIABLE not in os.environ:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def forget_this_worker() -> None:
    """Drop this worker's live gauges when it stops, so they no longer count in the sums."""
    if MULTIPROCESS_DIR_VARIABLE in os.environ:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class RequestMetrics:
    """Count and time every request by its route template, and sample the database pools."""

    def __init__(self, app: ASGIApp, *, database: "Database") -> None:
        self.app = app
        self.pools = [
            engine.pool
            for engine in {database.engine, database.write_engine}
            if isinstance(engine.pool, QueuePool)
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            route = self._template(scope)
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
            POOL_CHECKED_OUT.set(sum(pool.checkedout() for pool in self.pools))
            POOL_SIZE.set(sum(pool.size() for pool in self.pools))

    def _template(self, scope: Scope) -> str:
        path: str = scope["path"]
        if path.startswith("/static/"):
            return "/static/{path}"
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        placeholders = {name: f"{{{name}}}" for name in getattr(route, "param_convertors", {})}
        try:
            return str(scope["app"].url_path_for(route.name, **placeholders))
        except (NoMatchFound, AttributeError, KeyError):
            return UNMATCHED
