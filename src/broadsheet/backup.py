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

from broadsheet import models
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
    refused unless `replace` is set."""
    url = database_url(settings)
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupFailed(
            f"restoring {url.get_backend_name()} is not supported here; use the mariadb client"
        )
    if not replace and await holds_content(settings):
        raise TargetNotEmpty("the database already holds content; use --force to replace it")
    await asyncio.to_thread(_load_copy, url, source)


def _load_copy(url: URL, source: Path) -> None:
    if not source.is_file():
        raise BackupFailed(f"{source} is not a file")
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


def _sqlite_restore(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as copy:
        try:
            copy.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupFailed(f"{source} is not a SQLite backup: {error}") from error
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(target)) as live:
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
