"""Schema migrations: Alembic is the only way the schema is made, in the app and in tests."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from broadsheet.db import Database
from broadsheet.settings import Settings


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


def _upgrade_on(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade(database: Database) -> None:
    """Bring the database to the newest revision; does nothing when it is already there."""
    async with database.write_engine.connect() as connection:
        await connection.run_sync(_upgrade_on)
        await connection.commit()


def _is_current(connection: Connection) -> bool:
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    applied = set(MigrationContext.configure(connection).get_current_heads())
    return applied == heads


async def is_current(database: Database) -> bool:
    """Whether the database has every migration applied."""
    async with database.engine.connect() as connection:
        return await connection.run_sync(_is_current)
