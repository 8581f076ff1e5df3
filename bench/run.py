"""Run the benchmark: generate data, start the servers, load them with wrk, write RESULTS.md.

    python -m bench.run [--size small] [--engines sqlite postgresql] [--duration 8]

The ceiling comes from the same run: nginx serving a static file as large as a story page, and
a raw ASGI app returning those bytes under the same server and worker count as Broadsheet.
Results go to bench/results/<size>-<engine>.json; RESULTS.md is written from all of them.
Logs, wrk's output and the servers' working directories stay in bench/var/last-run/.
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import databases, environment, report, servers
from bench.databases import VAR, database_url
from bench.generate import SIZES, Size
from bench.load import Load, Measurement, Scenario, measure, scenarios

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
ENGINES = ("sqlite", "postgresql")
DEEP_PAGE = "/api/articles?limit=20&offset=10000"


def deep_page_ms(base_url: str) -> float:
    """Median time of 20 single requests for a page 10,000 stories deep, none from the cache."""
    timings = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for attempt in range(21):
            started = time.perf_counter()
            # A query parameter the API ignores makes every request a cache miss.
            response = client.get(f"{DEEP_PAGE}&attempt={attempt}")
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            if response.headers.get("x-cache") == "hit":
                raise RuntimeError("the deep page came from the cache")
    return statistics.median(timings[1:])


def worker_mb(server_pid: int) -> list[float]:
    return [servers.rss_bytes(pid) / 1e6 for pid in servers.worker_pids(server_pid)]


def broadsheet_env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "BROADSHEET_SECRET_KEY": secrets.token_urlsafe(48),
        # The login scenario signs one account in thousands of times a second.
        "BROADSHEET_LIMITS_ENABLED": "false",
    }


def story_page(url: str, address: tuple[str, str], port: int, load: Load, scratch: Path) -> bytes:
    """The bytes of one story page, as Broadsheet serves them: the ceilings' payload."""
    base_url = f"http://127.0.0.1:{port}"
    with servers.running(
        servers.broadsheet_command(port, workers=load.workers),
        ready_url=f"{base_url}/healthz",
        log=scratch / "payload.log",
        env=broadsheet_env(url),
        cwd=scratch,
    ):
        response = httpx.get(f"{base_url}/@{address[0]}/{address[1]}", timeout=30)
        response.raise_for_status()
        return response.content


def ceilings(payload: bytes, port: int, load: Load, scratch: Path) -> dict[str, Measurement]:
    print(f"ceilings, {len(payload)} bytes:", file=sys.stderr)
    log = scratch / "wrk.log"
    base_url = f"http://127.0.0.1:{port}"
    found = {}
    nginx_root = scratch / "nginx"
    nginx_root.mkdir()
    with servers.running(
        servers.nginx_command(nginx_root, port=port, workers=load.workers, payload=payload),
        ready_url=f"{base_url}/story.html",
        log=scratch / "nginx.log",
        cwd=nginx_root,
    ):
        static = Scenario("nginx", "nginx, static file", "fixed.lua", "/story.html")
        found["nginx"] = measure(static, base_url, load, log)
    (scratch / "payload.html").write_bytes(payload)
    with servers.running(
        servers.raw_asgi_command(port, workers=load.workers),
        ready_url=base_url,
        log=scratch / "raw_asgi.log",
        env={"BENCH_PAYLOAD": str(scratch / "payload.html")},
    ):
        raw = Scenario("raw", "raw ASGI app, uvicorn", "fixed.lua", "/")
        found["raw_asgi"] = measure(raw, base_url, load, log)
    return found


def run_engine(
    engine: str, size: Size, port: int, load: Load, scratch: Path, *, only: list[str]
) -> dict[str, Any]:
    url = database_url(engine, size)
    addresses = asyncio.run(databases.story_addresses(url))
    base_url = f"http://127.0.0.1:{port}"
    work = scratch / engine
    work.mkdir()
    print(f"{size.name} on {engine}:", file=sys.stderr)
    measurements = []
    deep_page = None
    with servers.running(
        servers.broadsheet_command(port, workers=load.workers),
        ready_url=f"{base_url}/healthz",
        log=work / "server.log",
        env=broadsheet_env(url),
        cwd=work,
    ) as server:
        rss_at_start = worker_mb(server.pid)
        for scenario in scenarios(base_url, addresses, work):
            if only and scenario.key not in only:
                continue
            newest = asyncio.run(databases.newest_comment_id(url))
            measurement = measure(scenario, base_url, load, work / "wrk.log")
            measurement.largest_worker_mb = max(worker_mb(server.pid), default=0.0)
            measurement.load_average = os.getloadavg()[0]
            measurements.append(measurement)
            if scenario.adds_comments:
                asyncio.run(databases.delete_comments_after(url, newest))
        rss = worker_mb(server.pid)
        if size.name != "small":
            deep_page = deep_page_ms(base_url)
    return {
        "scenarios": [asdict(measurement) for measurement in measurements],
        "worker_rss_mb": rss,
        "worker_rss_mb_at_start": rss_at_start,
        "deep_page_ms": deep_page,
        "database": asyncio.run(environment.database_version(url)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--duration", type=int, default=8, help="seconds per scenario")
    parser.add_argument("--warm-up", type=int, default=1, help="seconds before each read")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8501, help="first of three ports")
    parser.add_argument("--scenarios", nargs="+", default=[], help="only these, by letter")
    arguments = parser.parse_args()
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"the benchmark needs {' and '.join(missing)} (Debian: apt-get install wrk nginx)")
    size = SIZES[arguments.size]
    load = Load(
        arguments.duration, arguments.warm_up, arguments.threads, arguments.connections,
        arguments.workers,
    )  # fmt: skip
    started = time.perf_counter()
    VAR.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    engines = [
        e for e in arguments.engines if asyncio.run(databases.reachable(database_url(e, size)))
    ]
    if not engines:
        sys.exit("no database to measure")
    generated = databases.generate_missing(engines, size)
    load_before = os.getloadavg()
    scratch = VAR / "last-run"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(mode=0o755)  # nginx's workers run as nobody and must reach their files
    first = database_url(engines[0], size)
    address = asyncio.run(databases.story_addresses(first))[0]
    payload = story_page(first, address, arguments.port + 2, load, scratch)
    ceiling = ceilings(payload, arguments.port, load, scratch)
    for engine in engines:
        outcome = run_engine(
            engine, size, arguments.port + 2, load, scratch, only=arguments.scenarios
        )
        result = {
            "size": size.name,
            "engine": engine,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": environment.commit(),
            "machine": environment.machine(),
            "versions": environment.versions(),
            "load": asdict(load),
            "payload_bytes": len(payload),
            "ceilings": {name: asdict(m) for name, m in ceiling.items()},
            "generated_seconds": generated.get(engine),
            "load_average": [load_before[0], os.getloadavg()[0]],
            "cache_store": "Redis" if os.environ.get("REDIS_URL") else "in-process",
            **outcome,
        }
        path = RESULTS / f"{size.name}-{engine}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
    report.write(RESULTS, BENCH / "RESULTS.md")
    print(f"wrote {BENCH / 'RESULTS.md'} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
