"""The `broadsheet` command: serve, worker, jobs, migrate, demo, createuser, admin, reindex,
backup, restore."""

import asyncio
import getpass
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn, TypeVar

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from broadsheet import backup as backups
from broadsheet import migrate as migrations
from broadsheet.accounts import service as accounts
from broadsheet.accounts.schemas import NewUser
from broadsheet.db import (
    BadDatabaseUrl,
    DatabaseUnreachable,
    DatabaseUnusable,
    connect_reachable,
    session_scope,
)
from broadsheet.errors import Invalid, NotFound, validation_problems
from broadsheet.jobs import Jobs, queue_for
from broadsheet.logs import logging_config
from broadsheet.metrics import MULTIPROCESS_DIR_VARIABLE
from broadsheet.settings import Settings, renamed_in_use

# Plain help: typer's Rich layout gives every flag, --help included, a "<bool>" type column.
app = typer.Typer(
    help="Broadsheet, an open-source publishing platform.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
Result = TypeVar("Result")


@app.callback()
def _name_renamed_variables() -> None:
    for old, new in renamed_in_use(os.environ):
        typer.echo(f"{old} is now {new}: rename it (the old name is still read)", err=True)


def _run(work: Coroutine[Any, Any, Result]) -> Result:
    """Run a command's async work; a database it cannot use ends it with one line, not a
    traceback."""
    try:
        return asyncio.run(work)
    except DatabaseUnusable as error:
        _give_up(error)


def _give_up(error: Exception) -> NoReturn:
    typer.echo(error, err=True)
    raise typer.Exit(1) from error


def _exit_cleanly(_signal: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _demo_sign_in(settings: Settings) -> str | None:
    from broadsheet.demo import demo_sign_in

    async def find() -> str | None:
        database = await connect_reachable(settings)
        try:
            async with session_scope(database, write=False) as session:
                return await demo_sign_in(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(find())
    except (DatabaseUnreachable, SQLAlchemyError):
        # Serving starts all the same (the database may come up later); /readyz tells whether
        # it can be used. A URL that can never work stops it (BadDatabaseUrl is not caught).
        return None


# Listening on every address names no host to link to; the loopback address does.
_ANY_ADDRESS_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104  # nosec B104


def _listening_at(host: str, port: int) -> str:
    """The URL of a server listening on `host`."""
    local = _ANY_ADDRESS_LOOPBACK.get(host, host)
    return f"http://[{local}]:{port}" if ":" in local else f"http://{local}:{port}"


def _greet(settings: Settings, *, host: str, port: int) -> None:
    """Say where the site answers, and how to sign in when the demo content is there."""
    sign_in = _demo_sign_in(settings)
    address = _listening_at(host, port)
    typer.echo(f"starting Broadsheet at {address} (API docs at {address}/api/docs)")
    if sign_in:
        typer.echo(sign_in)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(envvar="PORT", help="Port to listen on (PORT is honoured when set).")
    ] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    reload: Annotated[
        bool, typer.Option("--reload", help="Restart when the code changes (development).")
    ] = False,
    graceful_timeout: Annotated[
        int, typer.Option(help="Seconds in-flight requests get to finish on SIGTERM.")
    ] = 30,
) -> None:
    """Serve the site and the API with a production server."""
    # uvicorn finishes in-flight requests on SIGTERM, then raises the signal again under the
    # handler it found; this one makes that a clean exit instead of death by signal.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    settings = Settings()
    if "base_url" not in settings.model_fields_set:
        # Unconfigured, the site is where this server listens; the workers read it from here.
        os.environ["BROADSHEET_BASE_URL"] = _listening_at(host, port)
    # JSON lines for log collectors; a person at a terminal reads text better.
    log_format = settings.log_format or ("text" if sys.stderr.isatty() else "json")
    try:
        _greet(settings, host=host, port=port)
    except BadDatabaseUrl as error:
        _give_up(error)
    with tempfile.TemporaryDirectory(prefix="broadsheet-metrics-") as metrics_dir:
        if workers > 1 and not reload:
            # Each worker process writes its metrics here; /metrics adds them all up.
            os.environ[MULTIPROCESS_DIR_VARIABLE] = metrics_dir
        uvicorn.run(
            "broadsheet.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=None if reload else workers,
            reload=reload,
            timeout_graceful_shutdown=graceful_timeout,
            proxy_headers=False,
            server_header=False,
            access_log=False,
            log_config=logging_config(level=settings.log_level, log_format=log_format),
        )


@app.command()
def worker(
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve this worker's metrics on 127.0.0.1 at this port."),
    ] = None,
) -> None:
    """Run jobs from the queue (and the periodic ones) until SIGTERM or Ctrl-C; start as many
    as the work needs, on any machines that share the queue."""
    import logging.config

    from prometheus_client import start_http_server

    from broadsheet.worker import build_worker, stop_worker

    settings = Settings()
    log_format = settings.log_format or ("text" if sys.stderr.isatty() else "json")
    logging.config.dictConfig(logging_config(level=settings.log_level, log_format=log_format))
    if metrics_port is not None:
        start_http_server(metrics_port, addr="127.0.0.1")

    async def run() -> None:
        database = await connect_reachable(settings)
        try:
            queue = await database.jobs.connect()
            runner = build_worker(settings, database)
            stopping = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stopping.set)
            typer.echo(f"working on {queue!r}", err=True)
            task = asyncio.create_task(runner.start())
            await stopping.wait()
            await stop_worker(runner)
            await task
        finally:
            await database.dispose()

    _run(run())


jobs_app = typer.Typer(
    help="Jobs that failed every attempt: list them, and queue them again.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(jobs_app, name="jobs")


def _with_jobs(work: Callable[[Jobs], Coroutine[Any, Any, Result]]) -> Result:
    async def run() -> Result:
        jobs = Jobs(queue_for(Settings()))
        try:
            return await work(jobs)
        finally:
            await jobs.close()

    return _run(run())


@jobs_app.command("list")
def list_jobs() -> None:
    """Show each failed job: its key, kind, attempts, when it failed and its last error."""
    dead = _with_jobs(lambda jobs: jobs.dead_letters())
    if not dead:
        typer.echo("no failed jobs")
    for job in dead:
        failed = datetime.fromtimestamp(job.completed / 1000, UTC).isoformat(timespec="seconds")
        last_line = (job.error or "").strip().splitlines()[-1:] or ["(no error recorded)"]
        typer.echo(
            f"{job.key}  {job.function}  {job.status.value} after {job.attempts} attempts"
            f"  at {failed}\n    {last_line[0]}"
        )


@jobs_app.command("retry")
def retry_jobs(
    keys: Annotated[list[str] | None, typer.Argument(help="Keys from `jobs list`.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Retry every failed job.")] = False,
) -> None:
    """Queue failed jobs again, each with all its attempts."""
    if not keys and not every:
        typer.echo("name the jobs to retry (keys from `broadsheet jobs list`), or --all", err=True)
        raise typer.Exit(2)

    async def retry(jobs: Jobs) -> list[str]:
        wanted = list(keys or []) or [job.key for job in await jobs.dead_letters()]
        return [key for key in wanted if await jobs.retry(key) is None]

    missing = _with_jobs(retry)
    for key in missing:
        typer.echo(f"no failed job with the key {key}", err=True)
    if missing:
        raise typer.Exit(1)
    typer.echo("queued again")


def describe_upgrade(done: migrations.Upgrade) -> str:
    """What `migrate` did, in a line."""
    if done.applied == 0:
        return f"the database is already up to date at {done.after}"
    start = done.before or "empty"
    plural = "" if done.applied == 1 else "s"
    return f"migrated the database from {start} to {done.after} ({done.applied} migration{plural})"


@app.command()
def migrate() -> None:
    """Apply database migrations to the configured database (safe to run again)."""

    async def run() -> migrations.Upgrade:
        database = await connect_reachable(Settings())
        try:
            return await migrations.upgrade(database)
        finally:
            await database.dispose()

    typer.echo(describe_upgrade(_run(run())))


@app.command()
def demo(
    force: Annotated[
        bool, typer.Option("--force", help="Load even when the database has content.")
    ] = False,
) -> None:
    """Load demo writers, stories, comments, follows and favorites."""
    from broadsheet.demo import DatabaseNotEmpty, load_demo

    async def run() -> str:
        settings = Settings()
        database = await connect_reachable(settings)
        try:
            await migrations.upgrade(database)
            async with session_scope(database) as session:
                return await load_demo(
                    session, passwords=accounts.password_hashing(settings), force=force
                )
        finally:
            await database.dispose()

    try:
        typer.echo(_run(run()))
    except DatabaseNotEmpty as error:
        typer.echo(f"{error}; use --force to load the demo content anyway", err=True)
        raise typer.Exit(1) from error


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password (again): "):
        typer.echo("the passwords do not match", err=True)
        raise typer.Exit(1)
    return password


@app.command()
def createuser(
    username: Annotated[str, typer.Option(help="The new user's username.")],
    email: Annotated[str, typer.Option(help="The new user's email address.")],
    admin: Annotated[
        bool, typer.Option("--admin", help="Make the account a site admin (moderation).")
    ] = False,
) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    password = _read_password()

    async def run() -> None:
        settings = Settings()
        database = await connect_reachable(settings)
        try:
            new_user = NewUser(username=username, email=email, password=password)
            await migrations.upgrade(database)
            async with session_scope(database) as session:
                user = await accounts.register(
                    session, new_user, passwords=accounts.password_hashing(settings)
                )
                user.is_admin = admin
        finally:
            await database.dispose()

    try:
        _run(run())
    except (Invalid, ValidationError) as error:
        problems = (
            error.errors() if isinstance(error, Invalid) else validation_problems(error.errors())
        )
        for field, messages in problems.items():
            typer.echo(f"cannot create the user: {field} {', '.join(messages)}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"created {username}" + (", a site admin" if admin else ""))


admin_app = typer.Typer(help="Site admins: who may work through reports and suspend accounts.")
app.add_typer(admin_app, name="admin")


def _set_admin(username: str, *, admin: bool) -> None:
    from broadsheet.moderation.service import grant_admin

    async def run() -> str:
        settings = Settings()
        database = await connect_reachable(settings)
        try:
            await migrations.upgrade(database)
            async with session_scope(database) as session:
                return (await grant_admin(session, username, admin=admin)).username
        finally:
            await database.dispose()

    try:
        name = _run(run())
    except NotFound as error:
        typer.echo(f"no account is named {username}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"{name} is {'now' if admin else 'no longer'} a site admin")


@admin_app.command()
def grant(username: Annotated[str, typer.Argument(help="The account's username.")]) -> None:
    """Make an account a site admin."""
    _set_admin(username, admin=True)


@admin_app.command()
def revoke(username: Annotated[str, typer.Argument(help="The account's username.")]) -> None:
    """Take site admin away from an account."""
    _set_admin(username, admin=False)


REINDEX_BATCH = 200


@app.command()
def reindex() -> None:
    """Write every story's words for search again, a batch a transaction, and rebuild the
    engine's index: after a restore from elsewhere, or to repair it. The site keeps serving."""
    from broadsheet.search import service as search

    async def run() -> int:
        database = await connect_reachable(Settings())
        try:
            await migrations.upgrade(database)
            async with session_scope(database, write=False) as session:
                total = await search.stories_to_index(session)
            done, last_id = 0, 0
            with typer.progressbar(length=total, label="reindexing", file=sys.stderr) as bar:
                while True:
                    async with session_scope(database) as session:
                        ids = await search.reindex_batch(
                            session, after_id=last_id, size=REINDEX_BATCH
                        )
                    if not ids:
                        break
                    last_id = ids[-1]
                    done += len(ids)
                    bar.update(len(ids))
            async with session_scope(database) as session:
                await search.rebuild_index(session)
            return done
        finally:
            await database.dispose()

    typer.echo(f"reindexed {_run(run())} stories")


@app.command()
def backup(
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="File to write the copy to (replaced if present)."),
    ],
) -> None:
    """Copy the database to PATH while the site keeps serving (SQLite, PostgreSQL)."""
    try:
        backups.backup(Settings(), path)
    except BadDatabaseUrl as error:
        _give_up(error)
    except backups.BackupFailed as error:
        typer.echo(f"cannot back up: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"backed up to {path}")


@app.command()
def restore(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="A copy made by `broadsheet backup`.")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the content of a database that holds some.")
    ] = False,
) -> None:
    """Load the copy in PATH into the database; refuses one with content unless --force."""
    try:
        _run(backups.restore(Settings(), path, replace=force))
    except backups.BackupFailed as error:
        typer.echo(f"cannot restore: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"restored from {path}")
