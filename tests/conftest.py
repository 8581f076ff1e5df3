"""An app per database engine, with the schema built by the real migrations.

SQLite always runs. PostgreSQL and MariaDB run when their URLs are given
(BROADSHEET_TEST_POSTGRES_URL, BROADSHEET_TEST_MARIADB_URL) or when CI=true, which means the
machine's own servers; there an unreachable server fails the run instead of skipping it.

Tests commit for real, as requests do, so that concurrency can be tested; every table is
emptied after each test instead of rolling a shared transaction back.
"""

import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from broadsheet import effects, migrate
from broadsheet.app import create_app
from broadsheet.db import Base, Database, session_scope
from broadsheet.settings import Settings, async_database_url

IN_CI = os.environ.get("CI", "").lower() == "true"
ENGINE_URL_VARIABLES = {
    "postgresql": "BROADSHEET_TEST_POSTGRES_URL",
    "mariadb": "BROADSHEET_TEST_MARIADB_URL",
}
SERVER_URLS = {
    "postgresql": os.environ.get("BROADSHEET_TEST_POSTGRES_URL")
    or ("postgresql+asyncpg://postgres@127.0.0.1:5432/test" if IN_CI else None),
    "mariadb": os.environ.get("BROADSHEET_TEST_MARIADB_URL")
    or ("mysql+asyncmy://root@127.0.0.1:3306/test" if IN_CI else None),
}
ENGINES = ["sqlite", "postgresql", "mariadb"]
# pytest-xdist runs the suite in several processes: each keeps to databases of its own, named
# after the configured one (test_gw0 beside test), created on the same server when missing.
PROCESS_SUFFIX = (
    f"_{os.environ['PYTEST_XDIST_WORKER']}" if "PYTEST_XDIST_WORKER" in os.environ else ""
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Honour `@pytest.mark.engines("sqlite", ...)` by dropping the other engines' variants."""
    kept = []
    for item in items:
        marker = item.get_closest_marker("engines")
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("backend") if callspec else None
        if marker is None or engine is None or engine in marker.args:
            kept.append(item)
    items[:] = kept
    for item in items:
        # Schemathesis names each operation's test ("…[GET /api/tags]") but, under pytest 9,
        # leaves every one the function's node id; pytest-xdist tells tests apart by node id
        # and would run one of them.
        label = getattr(item, "operation_label", None)
        if label and item.nodeid.endswith(f"::{item.originalname}"):
            item._id = item._id.with_params(label)


# Kept for the whole run and removed at its end: the suite writes nothing into ./var/.
_SCRATCH = tempfile.TemporaryDirectory(prefix="broadsheet-tests-")


def settings_for_tests(database_url: str, **overrides: Any) -> Settings:
    """Settings for tests: cheap password hashing, a fixed key, nothing read from ./var/."""
    values: dict[str, Any] = {
        "database": {"url": database_url},
        # Where the tests' client says it is (httpx's default host).
        "base_url": "http://testserver",
        "cache": {"purges_file": Path(_SCRATCH.name) / "cache-purges"},
        # A queue of its own for each app, and no worker unless a test starts one.
        "jobs": {"file": Path(tempfile.mkdtemp(dir=_SCRATCH.name)) / "jobs.db"},
        "worker": {"embedded": False},
        "storage": {"directory": Path(tempfile.mkdtemp(dir=_SCRATCH.name)) / "media"},
        "secret_key": "test-secret-key-" + "x" * 32,
        "password": {"memory_kib": 1024, "time_cost": 1, "hash_concurrency": 4},
        # The suite signs up and in thousands of times from one address; tests of the limits
        # set their own.
        "limits": dict.fromkeys(
            (
                "login_per_address",
                "login_per_account_and_address",
                "login_per_account",
                "signup_per_address",
                "signup_per_account",
                "email_change_per_account",
                "upload_per_account",
            ),
            "1000000/minute",
        ),
    }
    for name, value in overrides.items():
        # A group given as a dict changes only the settings it names.
        if isinstance(value, dict) and isinstance(values.get(name), dict):
            values[name] = values[name] | value
        else:
            values[name] = value
    return Settings(**values)


async def _own_database(server_url: str) -> str:
    """The URL of this process's database on the server `server_url` names."""
    if not PROCESS_SUFFIX:
        return server_url
    server = make_url(async_database_url(server_url))
    own = server.set(database=f"{server.database}{PROCESS_SUFFIX}")
    if server.get_backend_name() == "postgresql":
        exists = text("SELECT 1 FROM pg_database WHERE datname = :name")
        create = text(f'CREATE DATABASE "{own.database}"')
    else:
        exists = text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name")
        create = text(f"CREATE DATABASE `{own.database}`")
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            if not await connection.scalar(exists, {"name": own.database}):
                await connection.execute(create)
    finally:
        await engine.dispose()
    return own.render_as_string(hide_password=False)


async def _empty_schema(database: Database, engine: str) -> None:
    async with database.write_engine.begin() as connection:
        if engine == "postgresql":
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        elif engine == "mariadb":
            await connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
            tables = await connection.execute(text("SHOW TABLES"))
            for (table,) in tables.all():
                await connection.execute(text(f"DROP TABLE `{table}`"))
            await connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@dataclass
class Backend:
    """One database engine under test, with its app and settings."""

    name: str
    settings: Settings
    app: Any
    database: Database
    queries: QueryCounter


@pytest.fixture(scope="session", params=ENGINES)
async def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Backend]:
    engine: str = request.param
    if engine == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'broadsheet.db'}"
    else:
        url = SERVER_URLS[engine] or ""
        if not url:
            pytest.skip(f"{engine}: set {ENGINE_URL_VARIABLES[engine]} or CI=true to run on it")
    try:
        if engine != "sqlite":
            url = await _own_database(url)
        settings = settings_for_tests(url)
        app = create_app(settings)
        database: Database = app.state.database
        await _empty_schema(database, engine)
    except OSError as error:
        if IN_CI:
            raise
        pytest.skip(f"{engine} is not reachable at {url}: {error}")
    await migrate.upgrade(database)

    counter = QueryCounter()
    for sync_engine in {database.engine.sync_engine, database.write_engine.sync_engine}:
        event.listen(
            sync_engine,
            "before_cursor_execute",
            lambda _conn, _cursor, statement, *_args: counter.statements.append(statement),
        )
    yield Backend(engine, settings, app, database, counter)
    await database.dispose()


@pytest.fixture
def engine(backend: Backend) -> str:
    return backend.name


@pytest.fixture(autouse=True)
async def _empty_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "backend" not in request.fixturenames:
        return
    backend: Backend = request.getfixturevalue("backend")
    async with backend.database.write_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
    # The rows went away behind the app's back; so must what it cached of them, and the jobs
    # that would act on them.
    await backend.database.responses.purge([effects.EVERYTHING])
    if backend.settings.jobs.file.exists():
        with sqlite3.connect(backend.settings.jobs.file) as jobs:
            jobs.execute("DELETE FROM saq_jobs")


@pytest.fixture
async def client(backend: Backend) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=backend.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def session(backend: Backend) -> AsyncIterator[AsyncSession]:
    """A session whose work is committed when the test's block ends."""
    async with session_scope(backend.database) as session:
        yield session


@pytest.fixture
def queries(backend: Backend) -> QueryCounter:
    backend.queries.reset()
    return backend.queries


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a scratch directory, so ./var/ files are the test's own."""
    monkeypatch.chdir(tmp_path)
    return tmp_path / "var"
