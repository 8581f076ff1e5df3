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
        connection,
        opts={
            "compare_type": True,
            "render_as_batch": True,
            "include_name": migrate.described_by_the_models,
        },
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


# An FTS5 table and the shadow tables it keeps its index in.
FTS5_PARTS = ("", "_config", "_data", "_docsize", "_idx")


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
        modelled = {name for name in tables if migrate.described_by_the_models(name, "table", {})}
        assert modelled == {table.name for table in Base.metadata.sorted_tables} | {
            "alembic_version"
        }
        assert tables - modelled == {f"search_documents_fts{part}" for part in FTS5_PARTS}
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


def _upgrade_to(connection: Connection, revision: str) -> None:
    config = migrate.alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


BEFORE_STATUS = "880d278efd9e"
ROWS_BEFORE_STATUS = [
    "INSERT INTO users (id, username, username_key, email, email_key, password_hash,"
    " token_version, created_at, updated_at)"
    " VALUES (1, 'ada', 'ada', 'ada@example.com', 'ada@example.com', 'x', 0,"
    " '2026-01-01 09:00:00', '2026-01-01 09:00:00')",
    "INSERT INTO articles (id, slug, title, description, body, body_html, reading_minutes,"
    " author_id, favorites_count, created_at, updated_at)"
    " VALUES (1, 'first', 'First', 'd', 'b', '<p>b</p>', 1, 1, 1,"
    " '2026-01-02 09:00:00', '2026-01-02 09:00:00')",
    "INSERT INTO tags (id, name) VALUES (1, 'Python'), (2, 'python'), (3, 'Go')",
    "INSERT INTO article_tags (article_id, tag_id) VALUES (1, 1), (1, 2), (1, 3)",
    "INSERT INTO favorites (user_id, article_id, created_at) VALUES (1, 1, '2026-01-03')",
    "INSERT INTO comments (id, body, article_id, author_id, created_at, updated_at)"
    " VALUES (1, 'Kept', 1, 1, '2026-01-03', '2026-01-03')",
]


@pytest.mark.engines("sqlite")
async def test_upgrading_a_database_with_stories_keeps_every_row_that_refers_to_them(tmp_path):
    database = connect(settings_for(f"sqlite+aiosqlite:///{tmp_path / 'lived-in.db'}"))
    try:
        async with (
            database.write_engine.connect() as connection,
            migrate.foreign_keys_held(connection),
        ):
            await connection.run_sync(_upgrade_to, BEFORE_STATUS)
            for statement in ROWS_BEFORE_STATUS:
                await connection.exec_driver_sql(statement)
            await connection.commit()

        await migrate.upgrade(database)

        async with database.write_engine.connect() as connection:
            counts = {
                table: (
                    await connection.exec_driver_sql(f"SELECT count(*) FROM {table}")  # noqa: S608 (three names written here)
                ).scalar()
                for table in ("articles", "comments", "favorites")
            }
            tags = (await connection.exec_driver_sql("SELECT name, name_key FROM tags")).all()
            tagged = (
                await connection.exec_driver_sql("SELECT count(*) FROM article_tags")
            ).scalar()
            story = (
                await connection.exec_driver_sql("SELECT status, published_at FROM articles")
            ).one()
            enforced = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    finally:
        await database.dispose()

    assert counts == {"articles": 1, "comments": 1, "favorites": 1}
    # Tags that differ only in case become one, the first written; the story keeps both names.
    assert sorted(tags) == [("Go", "go"), ("Python", "python")]
    assert tagged == 2
    assert story == ("published", "2026-01-02 09:00:00")
    assert enforced == 1


BEFORE_KEYBOARD_BODIES = "885aa9d34700"


async def _upgraded_from(
    database: Database, revision: str, *statements: tuple[str, tuple[Any, ...]]
) -> None:
    """Bring `database` to `revision`, write with `statements`, then upgrade it to the head."""
    async with (
        database.write_engine.connect() as connection,
        migrate.foreign_keys_held(connection),
    ):
        await connection.run_sync(_upgrade_to, revision)
        for statement, parameters in statements:
            await connection.exec_driver_sql(statement, parameters)
        await connection.commit()
    await migrate.upgrade(database)


@pytest.mark.engines("sqlite")
async def test_upgrading_renders_every_story_again_with_its_code_in_reach_of_a_keyboard(tmp_path):
    database = connect(settings_for(f"sqlite+aiosqlite:///{tmp_path / 'lived-in.db'}"))
    body = "```python\nprint(1)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] Done\n"
    try:
        await _upgraded_from(
            database,
            BEFORE_KEYBOARD_BODIES,
            (ROWS_BEFORE_STATUS[0], ()),
            (
                "INSERT INTO articles (id, slug, title, description, body, body_html,"
                " reading_minutes, author_id, favorites_count, status, created_at, updated_at)"
                " VALUES (1, 'first', 'First', 'd', ?, '<pre><code>print(1)</code></pre>', 1,"
                " 1, 0, 'published', '2026-01-02 09:00:00', '2026-01-02 09:00:00')",
                (body,),
            ),
        )
        async with database.write_engine.connect() as connection:
            html = (await connection.exec_driver_sql("SELECT body_html FROM articles")).scalar()
    finally:
        await database.dispose()

    assert '<pre tabindex="0">' in html
    assert '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">' in html
    assert "<label><input" in html


BEFORE_SEARCH = "4cb65bcecd89"


@pytest.mark.engines("sqlite")
async def test_upgrading_makes_every_story_already_written_searchable(tmp_path):
    database = connect(settings_for(f"sqlite+aiosqlite:///{tmp_path / 'lived-in.db'}"))
    try:
        await _upgraded_from(
            database,
            BEFORE_SEARCH,
            (ROWS_BEFORE_STATUS[0], ()),
            (
                "INSERT INTO articles (id, slug, title, description, body, body_html,"
                " reading_minutes, author_id, favorites_count, claps_count, status,"
                " created_at, updated_at)"
                " VALUES (1, 'first', 'First', 'A subtitle', ?, '', 1, 1, 0, 0, 'published',"
                " '2026-01-02 09:00:00', '2026-01-02 09:00:00')",
                ("# Kelp\n\nA *kelp* forest.",),
            ),
        )
        async with database.write_engine.connect() as connection:
            document = (await connection.exec_driver_sql("SELECT * FROM search_documents")).one()
            matched = await connection.exec_driver_sql(
                "SELECT rowid FROM search_documents_fts WHERE search_documents_fts MATCH 'forest'"
            )
            found = matched.scalars().all()
    finally:
        await database.dispose()

    assert tuple(document) == (1, "First", "A subtitle", "Kelp\nA kelp forest.")
    assert found == [1]
