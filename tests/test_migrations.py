"""The migrations build exactly the schema the models describe, on every engine."""

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from broadsheet import migrate
from broadsheet.db import Base, Database, connect
from tests.conftest import settings_for_tests as settings_for


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    return compare_metadata(context, Base.metadata)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _head_revision() -> str | None:
    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


async def _schema_differences(database: Database) -> list[Any]:
    async with database.write_engine.connect() as connection:
        return await connection.run_sync(_differences)


async def test_migrated_schema_matches_the_models(backend):
    assert await _schema_differences(backend.database) == []


async def test_upgrade_again_changes_nothing(backend):
    await migrate.upgrade(backend.database)
    await migrate.upgrade(backend.database)
    async with backend.database.write_engine.connect() as connection:
        assert await connection.run_sync(_current_revision) == _head_revision()
    assert await _schema_differences(backend.database) == []


def _downgrade_to_base(connection: Connection) -> None:
    _downgrade(connection, "base")


def _downgrade(connection: Connection, revision: str) -> None:
    config = migrate.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


@pytest.mark.engines("sqlite")
async def test_downgrade_to_base_and_upgrade_again_on_sqlite(tmp_path):
    database = connect(settings_for(f"sqlite+aiosqlite:///{tmp_path / 'round-trip.db'}"))
    try:
        await migrate.upgrade(database)
        async with database.write_engine.connect() as connection:
            await connection.run_sync(_downgrade_to_base)
            await connection.commit()
            assert await connection.run_sync(_table_names) == {"alembic_version"}
            assert await connection.run_sync(_current_revision) is None

        await migrate.upgrade(database)
        async with database.write_engine.connect() as connection:
            tables = await connection.run_sync(_table_names)
        assert tables == {table.name for table in Base.metadata.sorted_tables} | {"alembic_version"}
        assert await _schema_differences(database) == []
    finally:
        await database.dispose()


@pytest.mark.engines("sqlite")
async def test_upgrade_reports_where_it_started_and_how_many_migrations_ran(tmp_path):
    database = connect(settings_for(f"sqlite+aiosqlite:///{tmp_path / 'report.db'}"))
    try:
        from_empty = await migrate.upgrade(database)
        async with database.write_engine.connect() as connection:
            await connection.run_sync(_downgrade, "-1")
            await connection.commit()
            one_back = await connection.run_sync(_current_revision)
        from_one_back = await migrate.upgrade(database)
        again = await migrate.upgrade(database)
    finally:
        await database.dispose()

    head = _head_revision()
    every = sum(1 for _ in ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions())
    assert from_empty == migrate.Upgrade(before=None, after=head, applied=every)
    assert from_one_back == migrate.Upgrade(before=one_back, after=head, applied=1)
    assert again == migrate.Upgrade(before=head, after=head, applied=0)
