"""The benchmark's databases: where they are, making them, and the reads the runner needs."""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url

from bench.generate import Size, is_generated
from broadsheet.accounts.models import User
from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from broadsheet.db import connect, session_scope
from broadsheet.settings import Settings

VAR = Path(__file__).resolve().parent / "var"
REPO = VAR.parent.parent
ROTATION = 1_000


def database_url(engine: str, size: Size) -> str:
    """SQLite under bench/var/; PostgreSQL at BENCH_POSTGRES_URL, suffixed for sizes but small."""
    if engine == "sqlite":
        return f"sqlite+aiosqlite:///{VAR / size.name}.sqlite"
    base = os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
    )
    url = make_url(base)
    if size.name != "small":
        url = url.set(database=f"{url.database}_{size.name}")
    return url.render_as_string(hide_password=False)


def _asyncpg_dsn(url: str, *, database: str | None = None) -> str:
    plain = make_url(url).set(drivername="postgresql")
    if database is not None:
        plain = plain.set(database=database)
    return plain.render_as_string(hide_password=False)


async def reachable(url: str) -> bool:
    """Whether the database answers; a PostgreSQL database that does not exist yet is created."""
    if Settings(database={"url": url}).database.is_sqlite:
        return True
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        server = await asyncpg.connect(_asyncpg_dsn(url, database="postgres"))
        try:
            await server.execute(f'CREATE DATABASE "{make_url(url).database}"')
        finally:
            await server.close()
        return True
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL at {url} is not reachable ({error}); skipped", file=sys.stderr)
        return False
    await connection.close()
    return True


def generate_missing(engines: list[str], size: Size) -> dict[str, float]:
    """Generate the engines' databases that lack data, side by side; returns seconds taken."""
    missing = [e for e in engines if not asyncio.run(is_generated(database_url(e, size), size))]
    started = time.perf_counter()
    processes = {
        engine: subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bench.generate", size.name,
             "--database-url", database_url(engine, size)],
            cwd=REPO,
        )
        for engine in missing
    }  # fmt: skip
    seconds = {}
    for engine, process in processes.items():
        if process.wait() != 0:
            raise RuntimeError(f"generating {size.name} on {engine} failed")
        seconds[engine] = time.perf_counter() - started
        if not asyncio.run(is_generated(database_url(engine, size), size)):
            raise RuntimeError(f"{database_url(engine, size)} holds other data than {size.name}")
    return seconds


async def story_addresses(url: str) -> list[tuple[str, str]]:
    """(author, slug) of ROTATION stories spread evenly over the whole table."""
    database = connect(Settings(database={"url": url}))
    try:
        async with session_scope(database, write=False) as session:
            query = (
                select(User.username, Article.slug)
                .join(User, User.id == Article.author_id)
                .order_by(Article.id)
            )
            rows = [(author, slug) for author, slug in await session.execute(query)]
    finally:
        await database.dispose()
    step = max(1, len(rows) // ROTATION)
    return rows[::step][:ROTATION]


async def newest_comment_id(url: str) -> int:
    database = connect(Settings(database={"url": url}))
    try:
        async with session_scope(database, write=False) as session:
            return await session.scalar(select(func.max(Comment.id))) or 0
    finally:
        await database.dispose()


async def delete_comments_after(url: str, comment_id: int) -> None:
    """Take away the comments the write scenario added, so every run starts from the same data."""
    database = connect(Settings(database={"url": url}))
    try:
        async with session_scope(database) as session:
            await session.execute(delete(Comment).where(Comment.id > comment_id))
    finally:
        await database.dispose()
