"""A real `broadsheet serve` per database engine, and Debian's Chromium driven by Playwright.

The server runs as a subprocess on a fresh database: a SQLite file always, and a scratch
PostgreSQL database (created beside the one BROADSHEET_TEST_POSTGRES_URL names, dropped after)
when a server is given or CI=true. Without Chromium the tests skip, except under CI=true, where
they fail. BROADSHEET_TEST_PORTS ("8201-8299") picks the server's port from a range; by default
the system hands out a free one.
"""

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from broadsheet.settings import async_database_url
from tests.conftest import IN_CI, PROCESS_SUFFIX, SERVER_URLS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Every host but this machine is unknown, so no test reaches for the network.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
POSTGRES_SERVER_URL = SERVER_URLS["postgresql"]
BROADSHEET = [sys.executable, "-m", "broadsheet"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SERVER_START_SECONDS = 30


def _missing(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: failing instead of skipping)")
    pytest.skip(reason)


@dataclass(frozen=True)
class Site:
    """A running Broadsheet server."""

    engine: str
    url: str
    # For the `broadsheet` command run beside the server (granting an admin).
    database_url: str = ""


def _free_port() -> int:
    """A port nobody listens on: from BROADSHEET_TEST_PORTS when set, else one the system picks."""
    wanted = os.environ.get("BROADSHEET_TEST_PORTS")
    first, last = (int(end) for end in wanted.split("-")) if wanted else (0, 0)
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError(f"no free port in {wanted}")


def _quoted(backend: str, name: str) -> str:
    return f"`{name}`" if backend == "mysql" else f'"{name}"'


async def _recreate_database(server_url: str, name: str, *, create: bool) -> None:
    server = make_url(async_database_url(server_url))
    backend = server.get_backend_name()
    # PostgreSQL refuses to drop a database while a connection lingers; FORCE ends them.
    force = " WITH (FORCE)" if backend == "postgresql" else ""
    statements = [f"DROP DATABASE IF EXISTS {_quoted(backend, name)}{force}"]
    if create:
        statements.append(f"CREATE DATABASE {_quoted(backend, name)}")
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


async def _wait_until_serving(server: asyncio.subprocess.Process, url: str, log: Path) -> None:
    deadline = asyncio.get_running_loop().time() + SERVER_START_SECONDS
    async with httpx.AsyncClient(base_url=url, timeout=2) as client:
        while asyncio.get_running_loop().time() < deadline:
            if server.returncode is not None:
                pytest.fail(f"broadsheet serve exited with {server.returncode}:\n{_log_tail(log)}")
            try:
                if (await client.get("/robots.txt")).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    pytest.fail(f"broadsheet serve did not answer in {SERVER_START_SECONDS}s:\n{_log_tail(log)}")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Site]:
    engine: str = request.param
    work = tmp_path_factory.mktemp(f"site-{engine}")
    scratch_database = None
    if engine == "sqlite":
        database_url = f"sqlite+aiosqlite:///{work / 'broadsheet.db'}"
    else:
        if not POSTGRES_SERVER_URL:
            pytest.skip("postgresql: set BROADSHEET_TEST_POSTGRES_URL or CI=true to run on it")
        postgres = make_url(async_database_url(POSTGRES_SERVER_URL))
        scratch_database = f"{postgres.database}{PROCESS_SUFFIX}_browser"
        try:
            await _recreate_database(POSTGRES_SERVER_URL, scratch_database, create=True)
        except OSError as error:
            if IN_CI:
                raise
            pytest.skip(f"postgresql is not reachable at {POSTGRES_SERVER_URL}: {error}")
        scratch_url = postgres.set(database=scratch_database)
        database_url = scratch_url.render_as_string(hide_password=False)

    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BROADSHEET_SECRET_KEY": "browser-test-secret-key-" + "x" * 32,
        "BROADSHEET_PASSWORD_MEMORY_KIB": "1024",
        "BROADSHEET_PASSWORD_TIME_COST": "1",
        # The hostile-input run signs up a hundred readers from one address.
        "BROADSHEET_LIMITS_ENABLED": "false",
    }
    environment.pop("PORT", None)
    migrate = await asyncio.create_subprocess_exec(
        *BROADSHEET,
        "migrate",
        env=environment,
        cwd=work,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    migrate_output, _ = await migrate.communicate()
    if migrate.returncode != 0:
        pytest.fail(f"broadsheet migrate failed:\n{migrate_output.decode()}")

    port = _free_port()
    environment["BROADSHEET_BASE_URL"] = f"http://127.0.0.1:{port}"
    log = work / "serve.log"
    with log.open("wb") as output:
        server = await asyncio.create_subprocess_exec(
            *BROADSHEET,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=environment,
            cwd=work,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        await _wait_until_serving(server, url, log)
        yield Site(engine, url, database_url)
    finally:
        server.terminate()
        try:
            await asyncio.wait_for(server.wait(), timeout=15)
        except TimeoutError:
            server.kill()
            await server.wait()
        if scratch_database:
            await _recreate_database(POSTGRES_SERVER_URL or "", scratch_database, create=False)


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.is_file():  # noqa: ASYNC240 (one stat, before the browser starts)
        _missing(f"Chromium is not installed at {CHROMIUM} (Debian package: chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


NewContext = Callable[..., Awaitable[BrowserContext]]


@pytest.fixture
async def new_context(chromium: Browser, site: Site) -> AsyncIterator[NewContext]:
    """Open browser contexts (separate cookie jars) on the site; all closed after the test."""
    contexts: list[BrowserContext] = []

    async def open_context(**options: Any) -> BrowserContext:
        context = await chromium.new_context(base_url=site.url, **options)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        await context.close()


@pytest.fixture
def screenshots() -> Path:
    """Where a test keeps screenshots for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
