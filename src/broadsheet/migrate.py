"""Schema migrations: Alembic is the only way the schema is made, in the app and in tests."""

import logging
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

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
        config.set_main_option("sqlalchemy.url", settings.database_url)
    return config


@dataclass(frozen=True)
class Upgrade:
    """What an upgrade did: the revision before it (None for an empty database), the revision
    after it, and how many migrations ran in between."""

    before: str | None
    after: str | None
    applied: int


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade_on(connection: Connection) -> Upgrade:
    config = alembic_config()
    config.attributes["connection"] = connection
    before = _revision(connection)
    command.upgrade(config, "head")
    after = _revision(connection)
    script = ScriptDirectory.from_config(config)
    ran = script.iterate_revisions(after, before or "base") if after != before else ()
    return Upgrade(before=before, after=after, applied=sum(1 for _ in ran))


async def upgrade(database: Database) -> Upgrade:
    """Bring the database to the newest revision; does nothing when it is already there."""
    async with database.write_engine.connect() as connection:
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
