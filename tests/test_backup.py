"""`broadsheet backup` and `broadsheet restore`: consistent copies taken while the site serves,
restored only into an empty database unless --force."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from broadsheet import backup as backups
from broadsheet.app import close, create_app
from tests.conftest import settings_for_tests
from tests.helpers import publish, sign_up
from tests.test_cli import Cli


def usernames(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as connection:
        return [name for (name,) in connection.execute("SELECT username FROM users ORDER BY 1")]


def _cli_in(directory: Path) -> Cli:
    directory.mkdir()
    return Cli(directory)


def test_a_sqlite_copy_restores_into_an_empty_database_and_only_there(tmp_path):
    source = _cli_in(tmp_path / "source")
    source.run("createuser", "--username", "ines", "--email", "i@example.com", stdin="secret12\n")
    copy = tmp_path / "copies" / "broadsheet.backup"
    elsewhere = _cli_in(tmp_path / "elsewhere")

    backed_up = source.run("backup", str(copy))
    restored = elsewhere.run("restore", str(copy))
    again = elsewhere.run("restore", str(copy))
    forced = elsewhere.run("restore", str(copy), "--force")

    assert backed_up.returncode == 0, backed_up.stderr
    assert restored.returncode == 0, restored.stderr
    assert usernames(elsewhere.database) == ["ines"]
    assert again.returncode == 1
    assert "--force" in again.stderr
    assert "Traceback" not in again.stderr
    assert forced.returncode == 0, forced.stderr
    assert list(copy.parent.iterdir()) == [copy]  # no draft left beside it


def test_backup_into_a_directory_is_refused_and_writes_nothing(tmp_path):
    site = _cli_in(tmp_path / "site")
    assert site.run("migrate").returncode == 0
    directory = tmp_path / "copies"
    directory.mkdir()

    result = site.run("backup", str(directory))

    assert result.returncode == 1
    assert (
        result.stderr
        == f"cannot back up: {directory} is a directory; name the file to write in it\n"
    )
    assert list(directory.iterdir()) == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["copies", "site"]  # no draft


def test_restore_of_a_missing_file_says_so_and_creates_no_database(tmp_path):
    site = _cli_in(tmp_path / "site")
    missing = tmp_path / "no-such.backup"

    result = site.run("restore", str(missing))

    assert result.returncode == 1
    assert result.stderr == f"cannot restore: there is no file at {missing}\n"
    assert list(site.directory.iterdir()) == []


def test_restore_refuses_a_file_that_is_not_a_backup_and_creates_no_database(tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    site = _cli_in(tmp_path / "site")

    result = site.run("restore", str(junk))

    assert result.returncode == 1
    assert result.stderr.startswith(f"cannot restore: {junk} is not a SQLite backup: ")
    assert "Traceback" not in result.stderr
    assert list(site.directory.iterdir()) == []


def test_restore_refuses_a_sqlite_database_that_broadsheet_did_not_make(tmp_path):
    stranger = tmp_path / "stranger.db"
    with closing(sqlite3.connect(stranger)) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    site = _cli_in(tmp_path / "site")

    result = site.run("restore", str(stranger))

    assert result.returncode == 1
    assert "is a SQLite database but not a Broadsheet backup" in result.stderr
    assert list(site.directory.iterdir()) == []


async def test_a_restore_leaves_nothing_cached_from_the_database_it_replaced(tmp_path):
    source = _cli_in(tmp_path / "source")
    source.run("createuser", "--username", "ines", "--email", "i@example.com", stdin="secret12\n")
    copy = tmp_path / "copy.backup"
    assert source.run("backup", str(copy)).returncode == 0
    site = _cli_in(tmp_path / "site")
    site.run("createuser", "--username", "zoe", "--email", "z@example.com", stdin="secret12\n")
    settings = settings_for_tests(
        f"sqlite+aiosqlite:///{site.database}",
        cache={"purges_file": site.directory / "var" / "cache-purges"},
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.get("/api/profiles/zoe")
            assert (await client.get("/api/profiles/zoe")).headers["x-cache"] == "hit"
            restored = site.run("restore", str(copy), "--force")
            assert restored.returncode == 0, restored.stderr
            assert (await client.get("/api/profiles/zoe")).status_code == 404
            assert (await client.get("/api/profiles/ines")).status_code == 200
    finally:
        await close(app)


@asynccontextmanager
async def serving(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for_tests(database_url, cache={"enabled": False}))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await close(app)


@pytest.mark.engines("sqlite")
async def test_a_sqlite_backup_taken_during_writes_holds_every_earlier_write(backend, tmp_path):
    async with serving(backend.settings.database.url) as client:
        author = await sign_up(client)
        story = await publish(client, author)
        acknowledged: list[int] = []
        stop = asyncio.Event()
        some_acknowledged = asyncio.Event()

        async def keep_commenting() -> None:
            while not stop.is_set():
                response = await client.post(
                    f"/api/articles/{story['slug']}/comments",
                    json={"comment": {"body": "while the copy is made"}},
                    headers=author.headers,
                )
                assert response.status_code == 200, response.text
                acknowledged.append(response.json()["comment"]["id"])
                if len(acknowledged) >= 3:
                    some_acknowledged.set()

        writer = asyncio.create_task(keep_commenting())
        await some_acknowledged.wait()
        before_backup = list(acknowledged)
        await asyncio.to_thread(backups.backup, backend.settings, tmp_path / "copy.db")
        stop.set()
        await writer

    with closing(sqlite3.connect(tmp_path / "copy.db")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        kept = {row[0] for row in copy.execute("SELECT id FROM comments")}
    assert before_backup
    assert set(before_backup) <= kept


@asynccontextmanager
async def scratch_postgres_database(server_url: str) -> AsyncIterator[str]:
    server = make_url(server_url)
    scratch = server.set(database=f"{server.database}_restore")
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)')
    try:
        async with engine.connect() as connection:
            await connection.execute(drop)
            await connection.execute(text(f'CREATE DATABASE "{scratch.database}"'))
        yield scratch.render_as_string(hide_password=False)
        async with engine.connect() as connection:
            await connection.execute(drop)
    finally:
        await engine.dispose()


def _cli_on(directory: Path, database_url: str) -> Cli:
    cli = Cli(directory)
    cli.env["DATABASE_URL"] = database_url
    return cli


@pytest.mark.engines("postgresql")
async def test_a_postgresql_dump_restores_into_a_scratch_database(backend, client, tmp_path):
    author = await sign_up(client)
    story = await publish(client, author, title="Kept in the copy")
    copy = tmp_path / "broadsheet.dump"
    source = _cli_on(tmp_path, backend.settings.database.url)

    backed_up = source.run("backup", str(copy))
    async with scratch_postgres_database(backend.settings.database.url) as scratch_url:
        target = _cli_on(tmp_path, scratch_url)
        restored = target.run("restore", str(copy))
        again = target.run("restore", str(copy))
        forced = target.run("restore", str(copy), "--force")
        async with serving(scratch_url) as restored_site:
            article = await restored_site.get(f"/api/articles/{story['slug']}")
            ready = await restored_site.get("/readyz")

    assert backed_up.returncode == 0, backed_up.stderr
    assert restored.returncode == 0, restored.stderr
    assert again.returncode == 1
    assert "--force" in again.stderr
    assert forced.returncode == 0, forced.stderr
    assert article.status_code == 200
    assert article.json()["article"]["title"] == "Kept in the copy"
    assert ready.status_code == 200


@pytest.mark.engines("mariadb")
async def test_mariadb_backups_point_to_mariadb_dump(backend, tmp_path):
    result = _cli_on(tmp_path, backend.settings.database.url).run("backup", str(tmp_path / "x"))

    assert result.returncode == 1
    assert "mariadb-dump" in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_with_a_database_url_that_is_not_a_url_says_so_in_one_line(tmp_path):
    site = _cli_in(tmp_path / "site")
    site.env["DATABASE_URL"] = "not a url"

    result = site.run("backup", str(tmp_path / "copy.db"))

    assert result.returncode == 1
    assert result.stderr.startswith("the database URL is not a URL"), result.stderr
    assert result.stderr.count("\n") == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]
