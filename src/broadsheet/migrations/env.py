"""Alembic environment: runs migrations on the configured database, or on a given connection."""

import asyncio

from alembic import context
from sqlalchemy import Connection

from broadsheet import models  # noqa: F401  (registers every table on the metadata)
from broadsheet.db import Base, connect
from broadsheet.migrate import described_by_the_models, foreign_keys_held
from broadsheet.settings import Settings

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=described_by_the_models,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_configured_database() -> None:
    database = connect(Settings())
    try:
        async with (
            database.write_engine.connect() as connection,
            foreign_keys_held(connection),
        ):
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await database.dispose()


given_connection = config.attributes.get("connection")
if given_connection is not None:
    _run(given_connection)
else:
    asyncio.run(_run_on_configured_database())
