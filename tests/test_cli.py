"""The `broadsheet` command, run for real in subprocesses against a SQLite file."""

import contextlib
import json
import os
import pty
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory

from broadsheet import migrate
from broadsheet.app import create_app
from broadsheet.cli import describe_upgrade
from tests import conftest

BROADSHEET = [str(Path(sys.executable).with_name("broadsheet"))]
if not Path(BROADSHEET[0]).exists():
    BROADSHEET = [sys.executable, "-m", "broadsheet"]
PORTS = range(8301, 8400)


class Cli:
    """Runs `broadsheet` in its own scratch directory, on its own database file."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.database = directory / "broadsheet.db"
        self.env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("BROADSHEET_") and name not in {"DATABASE_URL", "PORT"}
        }
        self.env |= {
            "DATABASE_URL": f"sqlite:///{self.database}",
            "BROADSHEET_PASSWORD_MEMORY_KIB": "1024",
            "BROADSHEET_PASSWORD_TIME_COST": "1",
        }

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own command, our own arguments)
            [*BROADSHEET, *args],
            cwd=self.directory,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603 (our own command, our own arguments)
            [*BROADSHEET, *args],
            cwd=self.directory,
            env=self.env | env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated once, copied by each test that needs the schema."""
    cli = Cli(tmp_path_factory.mktemp("template"))
    result = cli.run("migrate")
    assert result.returncode == 0, result.stderr
    return cli.database


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def migrated(cli: Cli, migrated_database: Path) -> Cli:
    shutil.copy(migrated_database, cli.database)
    return cli


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8301-8399")


def wait_until_serving(server: subprocess.Popen[str], port: int) -> httpx.Response:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/articles", timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port}")


def stop(server: subprocess.Popen[str]) -> int:
    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        raise
    finally:
        if server.stdout:
            server.stdout.close()
    assert time.monotonic() - started < 5
    return code


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        ([], "createuser"),
        (["serve"], "--port"),
        (["migrate"], "migrations"),
        (["demo"], "--force"),
        (["createuser"], "--email"),
        (["reindex"], "search"),
    ],
    ids=["broadsheet", "serve", "migrate", "demo", "createuser", "reindex"],
)
def test_every_command_explains_itself(cli, command, mentions):
    result = cli.run(*command, "--help")

    assert result.returncode == 0, result.stderr
    assert "Usage: broadsheet" in result.stdout
    assert mentions in result.stdout


@pytest.mark.parametrize(
    ("command", "flag"),
    [("serve", "reload"), ("demo", "force"), ("restore", "force")],
)
def test_help_shows_a_flag_as_itself_without_type_or_negation(cli, command, flag):
    result = cli.run(command, "--help")

    assert result.returncode == 0, result.stderr
    assert re.search(rf"^  --{flag}  +\w", result.stdout, flags=re.MULTILINE), result.stdout
    assert f"--no-{flag}" not in result.stdout
    assert "<bool>" not in result.stdout


def test_serve_help_names_the_type_of_each_value(cli):
    result = cli.run("serve", "--help")

    assert "--host <str>" in result.stdout
    assert "--port <int>" in result.stdout


def test_migrate_says_what_it_did_then_that_nothing_was_left(cli):
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    head = scripts.get_current_head()
    count = sum(1 for _ in scripts.walk_revisions())

    first = cli.run("migrate")
    second = cli.run("migrate")

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert first.stdout == f"migrated the database from empty to {head} ({count} migrations)\n"
    assert second.stdout == f"the database is already up to date at {head}\n"
    assert cli.database.exists()


def test_migrate_names_a_single_migration_in_the_singular():
    one = migrate.Upgrade(before="2be68c390af0", after="880d278efd9e", applied=1)

    described = describe_upgrade(one)

    assert described == "migrated the database from 2be68c390af0 to 880d278efd9e (1 migration)"


@pytest.mark.parametrize(
    ("database_url", "complaint"),
    [
        ("nonsense://x", "cannot use the database at nonsense://x: "),
        ("no url at all", "the database URL is not a URL"),
        (
            "postgresql://writer:hunter2@127.0.0.1:1/broadsheet",
            "cannot reach the database at postgresql+asyncpg://writer:***@127.0.0.1:1/broadsheet:"
            " connection refused",
        ),
        (
            "mysql://writer:hunter2@127.0.0.1:1/broadsheet",
            "cannot reach the database at mysql+asyncmy://writer:***@127.0.0.1:1/broadsheet:"
            " connection refused",
        ),
    ],
    ids=["unknown-kind", "not-a-url", "postgresql-refused", "mariadb-refused"],
)
def test_migrate_explains_a_database_it_cannot_use_in_one_line(cli, database_url, complaint):
    cli.env["DATABASE_URL"] = database_url

    result = cli.run("migrate")

    assert result.returncode == 1
    assert result.stderr.startswith(complaint), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["demo"],
        ["createuser", "--username", "ann", "--email", "ann@example.com"],
        ["restore", "copy.dump"],
    ],
    ids=["demo", "createuser", "restore"],
)
def test_commands_that_connect_explain_an_unreachable_database(cli, command):
    cli.env["DATABASE_URL"] = "postgresql://writer:hunter2@127.0.0.1:1/broadsheet"
    (cli.directory / "copy.dump").write_bytes(b"a pg_dump file would be here")

    result = cli.run(*command, stdin="a long enough password\n")

    assert result.returncode == 1
    assert result.stderr.startswith("cannot reach the database at "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_demo_loads_once_then_asks_for_force(migrated):
    loaded = migrated.run("demo")
    again = migrated.run("demo")
    forced = migrated.run("demo", "--force")

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("loaded 5 writers, 30 stories, ")
    assert again.returncode != 0
    assert "--force" in again.stderr
    assert "Traceback" not in again.stderr
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout == loaded.stdout


def test_demo_on_a_fresh_database_loads(cli):
    result = cli.run("demo")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("loaded 5 writers, 30 stories, ")


async def test_createuser_reads_the_password_from_stdin_and_the_user_can_sign_in(migrated):
    result = migrated.run(
        "createuser", "--username", "ines", "--email", "ines@example.com", stdin="a long secret\n"
    )
    assert result.returncode == 0, result.stderr
    assert "ines" in result.stdout

    app = create_app(conftest.settings_for_tests(migrated.env["DATABASE_URL"]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        credentials = {"email": "ines@example.com", "password": "a long secret"}
        response = await client.post("/api/users/login", json={"user": credentials})
    await app.state.database.dispose()
    assert response.status_code == 200, response.text
    assert response.json()["user"]["username"] == "ines"


def test_createuser_refuses_a_taken_username_readably(migrated):
    migrated.run(
        "createuser", "--username", "ines", "--email", "a@example.com", stdin="secret123\n"
    )

    result = migrated.run(
        "createuser", "--username", "Ines", "--email", "b@example.com", stdin="secret123\n"
    )

    assert result.returncode != 0
    assert "username" in result.stderr
    assert "taken" in result.stderr
    assert "Traceback" not in result.stderr


def test_createuser_refuses_a_short_password_readably(migrated):
    result = migrated.run(
        "createuser", "--username", "ines", "--email", "ines@example.com", stdin="short\n"
    )

    assert result.returncode != 0
    assert "password" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_answers_and_stops_cleanly_on_sigterm(migrated):
    port = free_port()
    server = migrated.start("serve", "--port", str(port))
    try:
        response = wait_until_serving(server, port)
    finally:
        code = stop(server)

    assert response.status_code == 200
    assert response.json() == {"articles": [], "articlesCount": 0}
    assert code == 0


def test_serve_listens_on_the_port_in_port(migrated):
    port = free_port()
    server = migrated.start("serve", PORT=str(port))
    try:
        response = wait_until_serving(server, port)
    finally:
        code = stop(server)

    assert response.status_code == 200
    assert code == 0


def served_output(cli: Cli, *, terminal: bool, **env: str) -> str:
    """All that `broadsheet serve` writes from its start to SIGTERM, its stdout and stderr on a
    terminal or on a pipe."""
    reader, writer = pty.openpty() if terminal else os.pipe()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (our own command, our own arguments)
        [*BROADSHEET, "serve", "--port", str(port)],
        cwd=cli.directory,
        env=cli.env | env,
        stdout=writer,
        stderr=writer,
    )
    os.close(writer)
    try:
        wait_until_serving(server, port)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    chunks = []
    with contextlib.suppress(OSError):  # a terminal whose other end closed answers EIO
        while chunk := os.read(reader, 65536):
            chunks.append(chunk)
    os.close(reader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_serve_on_a_terminal_logs_text_and_says_where_it_answers(migrated):
    output = served_output(migrated, terminal=True)

    assert output.startswith("starting Broadsheet at http://127.0.0.1:"), output
    assert "/api/docs" in output.splitlines()[0]
    assert " INFO uvicorn.error " in output
    assert '{"level"' not in output
    assert "sign in as a demo writer" not in output  # no demo content here


def test_serve_logs_json_to_a_pipe_and_tells_how_to_sign_in_as_a_demo_writer(migrated):
    assert migrated.run("demo").returncode == 0

    output = served_output(migrated, terminal=False)

    greeting, sign_in, *logs = output.splitlines()
    assert greeting.startswith("starting Broadsheet at http://127.0.0.1:")
    assert sign_in == "sign in as a demo writer: margot.lind@example.com, password broadsheet-demo"
    assert {json.loads(line)["logger"] for line in logs} >= {"uvicorn.error"}


def test_serve_logs_json_on_a_terminal_when_told_to(migrated):
    output = served_output(migrated, terminal=True, BROADSHEET_LOG_FORMAT="json")

    assert json.loads(output.splitlines()[1])["logger"] == "uvicorn.error"


def test_serve_refuses_a_database_url_it_can_never_use_in_one_line(cli):
    cli.env["DATABASE_URL"] = "nonsense://x"

    result = cli.run("serve", "--port", str(free_port()))

    assert result.returncode == 1
    assert result.stderr.startswith("cannot use the database at nonsense://x: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_serve_starts_while_the_database_is_unreachable(cli):
    unreachable = "postgresql://writer:hunter2@127.0.0.1:1/broadsheet"

    output = served_output(cli, terminal=False, DATABASE_URL=unreachable)

    assert output.startswith("starting Broadsheet at http://127.0.0.1:"), output
    assert "hunter2" not in output


def _is_admin(cli: Cli, username: str) -> bool:
    with sqlite3.connect(cli.database) as connection:
        (admin,) = connection.execute(
            "SELECT is_admin FROM users WHERE username = ?", (username,)
        ).fetchone()
    return bool(admin)


def test_an_admin_is_made_at_creation_or_granted_and_revoked_later(migrated):
    created = migrated.run(
        "createuser",
        "--username",
        "ada",
        "--email",
        "ada@example.com",
        "--admin",
        stdin="a long secret\n",
    )
    migrated.run(
        "createuser", "--username", "grace", "--email", "g@example.com", stdin="a long secret\n"
    )

    assert created.returncode == 0, created.stderr
    assert created.stdout == "created ada, a site admin\n"
    assert (_is_admin(migrated, "ada"), _is_admin(migrated, "grace")) == (True, False)

    granted = migrated.run("admin", "grant", "GRACE")
    revoked = migrated.run("admin", "revoke", "ada")
    unknown = migrated.run("admin", "grant", "nobody")

    assert granted.stdout == "grace is now a site admin\n"
    assert revoked.stdout == "ada is no longer a site admin\n"
    assert (_is_admin(migrated, "ada"), _is_admin(migrated, "grace")) == (False, True)
    assert unknown.returncode == 1
    assert unknown.stderr == "no account is named nobody\n"


def _matching(cli: Cli, word: str) -> list[str]:
    with sqlite3.connect(cli.database) as connection:
        rows = connection.execute(
            "SELECT title FROM search_documents_fts WHERE search_documents_fts MATCH ?"
            " ORDER BY title",
            (word,),
        )
        return [title for (title,) in rows]


def test_reindex_makes_every_story_searchable_again_and_says_how_many(migrated):
    assert migrated.run("demo").returncode == 0
    found = _matching(migrated, "sourdough")
    with sqlite3.connect(migrated.database) as connection:
        connection.execute("DELETE FROM search_documents")
        connection.execute(
            "INSERT INTO search_documents_fts (search_documents_fts) VALUES ('delete-all')"
        )
    assert _matching(migrated, "sourdough") == []

    result = migrated.run("reindex")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "reindexed 30 stories\n"
    assert "reindexing" in result.stderr
    assert found
    assert _matching(migrated, "sourdough") == found
