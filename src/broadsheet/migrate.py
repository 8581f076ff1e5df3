"""Schema migrations: Alembic is the only way the schema is made, in the app and in tests."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from broadsheet.db import Database
from broadsheet.settings import Settings

# Each MigrationContext announces its dialect and DDL mode at INFO, and the readiness probe makes
# one per call: two lines a probe, every few seconds, saying nothing. `broadsheet migrate`
# reports what it ran itself.
logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)


def alembic_config(settings: Settings | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "broadsheet:migrations")
    config.set_main_option(
        "file_template",
        "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s",
    )
    if settings is not None:
        config.set_main_option("sqlalchemy.url", settings.database.url)
    return config


def described_by_the_models(name: str | None, type_: str, _parents: object) -> bool:
    """Whether the models describe a schema object. Full-text search indexes differ by engine
    (an FTS5 table and its shadow tables, a `tsvector` column, FULLTEXT indexes, all named
    `…fts…`): the migration that made them keeps them, and comparisons with the models skip
    them."""
    return name is None or not (name == "fts" or "_fts" in name)


@dataclass(frozen=True)
class Upgrade:
    """What an upgrade did: the revision before it (None for an empty database), the revision
    after it, and how many migrations ran in between."""

    before: str | None
    after: str | None
    applied: int


class BrokenReferences(RuntimeError):
    pass


def _pragma(connection: Connection, statement: str) -> None:
    # On the driver's connection: SQLAlchemy would open a transaction first, and SQLite ignores
    # a change to foreign key enforcement inside one.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def _check_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise BrokenReferences(f"the migration left rows that refer to nothing: {broken[:5]}")


@asynccontextmanager
async def foreign_keys_held(connection: AsyncConnection) -> AsyncIterator[None]:
    """On SQLite, migrate with foreign keys unenforced, and check them before the commit.

    SQLite alters a table in batch mode by copying it and dropping the original; with foreign
    keys enforced, the drop would cascade and delete every comment, favorite and tag of every
    story when the stories' table is altered."""
    if connection.dialect.name != "sqlite":
        yield
        return
    await connection.run_sync(_pragma, "PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        await connection.run_sync(_pragma, "PRAGMA foreign_keys=ON")


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade_on(connection: Connection) -> Upgrade:
    config = alembic_config()
    config.attributes["connection"] = connection
    before = _revision(connection)
    command.upgrade(config, "head")
    if connection.dialect.name == "sqlite":
        _check_references(connection)
    after = _revision(connection)
    script = ScriptDirectory.from_config(config)
    ran = script.iterate_revisions(after, before or "base") if after != before else ()
    return Upgrade(before=before, after=after, applied=sum(1 for _ in ran))


async def upgrade(database: Database) -> Upgrade:
    """Bring the database to the newest revision; does nothing when it is already there."""
    async with database.write_engine.connect() as connection, foreign_keys_held(connection):
        done = await connection.run_sync(_upgrade_on)
        await connection.commit()
    return done


def _is_current(connection: Connection) -> bool:
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    applied = set(MigrationContext.configure(connection).get_current_heads())
    return applied == heads


async def is_current(database: Database) -> bool:
    """Whether the database has every migration applied."""
    async with database.engine.connect() as connection:
        return await connection.run_sync(_is_current)
