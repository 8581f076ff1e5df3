"""Copies of the database taken while the site serves: SQLite's online backup API, and
pg_dump's custom format for PostgreSQL. Restoring refuses a database that holds content unless
told to replace it."""

import asyncio
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL

from broadsheet import effects, models
from broadsheet.cache import response_store
from broadsheet.db import Base, connect_reachable, database_url
from broadsheet.settings import Settings

_ = models  # every table registered on Base.metadata
WriteTo = Callable[[Path], None]


class BackupFailed(Exception):
    """A backup or restore that could not be done; the message says why."""


class TargetNotEmpty(BackupFailed):
    pass


def backup(settings: Settings, destination: Path) -> None:
    """Write a consistent copy of the configured database to `destination`."""
    url = database_url(settings)
    if destination.is_dir():
        raise BackupFailed(f"{destination} is a directory; name the file to write in it")
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_path(url), destination)
    elif url.get_backend_name() == "postgresql":
        _write_atomically(destination, lambda draft: _pg_dump(url, draft))
    else:
        raise BackupFailed(
            f"backups of {url.get_backend_name()} are not supported here; use mariadb-dump"
        )


async def holds_content(settings: Settings) -> bool:
    """Whether any of Broadsheet's tables in the configured database has a row."""
    database = await connect_reachable(settings)
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(_any_rows)
    finally:
        await database.dispose()


def _any_rows(connection: Connection) -> bool:
    existing = set(inspect(connection).get_table_names())
    return any(
        # Our own table names, not input.
        # nosemgrep: sql-built-from-strings
        connection.execute(text(f"SELECT 1 FROM {table.name} LIMIT 1")).first() is not None  # noqa: S608 # nosec B608
        for table in Base.metadata.sorted_tables
        if table.name in existing
    )


async def restore(settings: Settings, source: Path, *, replace: bool = False) -> None:
    """Load the copy in `source` into the configured database; one that holds content is
    refused unless `replace` is set. The copy is checked before the database is touched, so a
    refused restore leaves nothing behind."""
    url = database_url(settings)
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupFailed(
            f"restoring {url.get_backend_name()} is not supported here; use the mariadb client"
        )
    _check_is_a_file(source)
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
    if not replace and await _target_holds_content(settings, url):
        raise TargetNotEmpty("the database already holds content; use --force to replace it")
    await asyncio.to_thread(_load_copy, url, source)
    await _forget_cached_responses(settings)


async def _forget_cached_responses(settings: Settings) -> None:
    """Every cached response was read from the database just replaced."""
    if settings.cache.enabled:
        store = response_store(settings)
        try:
            await store.purge([effects.EVERYTHING])
        finally:
            await store.close()


async def _target_holds_content(settings: Settings, url: URL) -> bool:
    # Connecting would create a missing SQLite file, which a refused restore must not leave.
    if url.get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        return False
    return await holds_content(settings)


def _check_is_a_file(source: Path) -> None:
    if source.is_dir():
        raise BackupFailed(f"{source} is a directory; name the backup file in it")
    if not source.is_file():
        raise BackupFailed(f"there is no file at {source}")


def _load_copy(url: URL, source: Path) -> None:
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    else:
        _pg_restore(url, source)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupFailed("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _sqlite_backup(source: Path, destination: Path) -> None:
    if not source.is_file():
        raise BackupFailed(f"there is no database at {source}")

    def copy(draft: Path) -> None:
        # One step copies every page under one read transaction: a consistent snapshot that
        # writers in WAL mode do not wait for.
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(draft)) as copy:
            live.backup(copy)
            # A backup is one self-contained file, not a database with a write-ahead log.
            copy.execute("PRAGMA journal_mode=DELETE")

    _write_atomically(destination, copy)


def _read_only(source: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)


def _check_sqlite_backup(source: Path) -> None:
    """Refuse a file that is not a SQLite database, or one that Broadsheet did not make."""
    with closing(_read_only(source)) as copy:
        try:
            found = copy.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupFailed(f"{source} is not a SQLite backup: {error}") from error
    if found is None:
        raise BackupFailed(f"{source} is a SQLite database but not a Broadsheet backup")


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(_read_only(source)) as copy, closing(sqlite3.connect(target)) as live:
        copy.backup(live)


def _write_atomically(destination: Path, write: WriteTo) -> None:
    """Write through a draft beside `destination`, so a failed backup leaves no partial file."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, draft_name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    os.close(handle)
    draft = Path(draft_name)
    try:
        write(draft)
        draft.replace(destination)
    finally:
        draft.unlink(missing_ok=True)


def _libpq_environment(url: URL) -> dict[str, str]:
    """Connection details for the PostgreSQL tools, the password out of their command line."""
    named = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    return {**os.environ, **{key: value for key, value in named.items() if value}}


def _run_tool(tool: str, *arguments: str, url: URL) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupFailed(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(  # noqa: S603 (a fixed tool with our own arguments)
        [executable, *arguments],
        env=_libpq_environment(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupFailed(f"{tool} failed: {result.stderr.strip()}")


def _pg_dump(url: URL, draft: Path) -> None:
    _run_tool("pg_dump", "--format=custom", "--no-owner", f"--file={draft}", url=url)


def _pg_restore(url: URL, source: Path) -> None:
    # One transaction: a restore that fails part way leaves the database as it was.
    _run_tool(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url.database}",
        str(source),
        url=url,
    )
