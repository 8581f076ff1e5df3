"""Database plumbing: the declarative base, engines, and the one owner of each transaction."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String, Text, event
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry

from broadsheet import effects
from broadsheet.cache import ResponseStore, response_store
from broadsheet.jobs import Jobs, queue_for
from broadsheet.lib.clock import utcnow
from broadsheet.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # MariaDB keeps whole seconds unless told to keep microseconds.
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql")
    }


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Database:
    """Engines and session factories for one configured database.

    SQLite allows one writer at a time. A transaction that reads first and writes later can fail
    at once with "database is locked" instead of waiting, so writes take the lock up front with
    BEGIN IMMEDIATE on their own engine, while reads keep SQLite's concurrent readers.
    """

    engine: AsyncEngine
    write_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    write_sessions: async_sessionmaker[AsyncSession]
    # What is cached of the rows, purged after each commit by what the commit changed.
    responses: ResponseStore | None
    # Where jobs asked for by a transaction go once it has committed.
    jobs: Jobs

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()
        if self.responses is not None:
            await self.responses.close()
        await self.jobs.close()


def _sqlite_engine(url: str, *, begin: str, echo: bool) -> AsyncEngine:
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Hand transaction control to the "begin" hook below instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def connect(settings: Settings) -> Database:
    url = settings.database.url
    if settings.database.is_sqlite:
        database_path = make_url(url).database
        if database_path and database_path != ":memory:":
            Path(database_path).parent.mkdir(parents=True, exist_ok=True)
        engine = _sqlite_engine(url, begin="BEGIN", echo=settings.database.echo)
        write_engine = _sqlite_engine(url, begin="BEGIN IMMEDIATE", echo=settings.database.echo)
    else:
        engine = create_async_engine(
            url,
            echo=settings.database.echo,
            pool_size=settings.database.pool_size,
            # No ping before each checkout: it doubles the cost of a short read. A connection
            # that died with its server fails once (503) and SQLAlchemy then discards every
            # connection the pool held from before, so the next requests reconnect.
            pool_recycle=1800,
            # Requests past the pool's size wait for a connection: connections opened for a
            # burst and closed after it cost more than the wait (a third of the throughput of
            # signed-in reads under steady load).
            max_overflow=0,
        )
        write_engine = engine
    read_engine = engine
    if engine.dialect.name == "postgresql":
        # A read needs no transaction of its own on PostgreSQL: without one it saves the
        # BEGIN and COMMIT round trips, a third of a short read's. (asyncmy would instead pay
        # two SET autocommit round trips per checkout, so MariaDB keeps its transactions.)
        read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return Database(
        engine=engine,
        write_engine=write_engine,
        sessions=async_sessionmaker(read_engine, expire_on_commit=False),
        write_sessions=async_sessionmaker(write_engine, expire_on_commit=False),
        responses=response_store(settings) if settings.cache.enabled else None,
        jobs=Jobs(queue_for(settings)),
    )


class DatabaseUnusable(Exception):
    """The configured database cannot be used; the message says where (password hidden) and
    why, in one line."""


class BadDatabaseUrl(DatabaseUnusable):
    """The database URL names nothing Broadsheet can connect to."""


class DatabaseUnreachable(DatabaseUnusable):
    """The database server did not answer, or refused the connection."""


def _why_unreachable(error: Exception) -> str:
    """The root cause in a few words: drivers wrap the socket error at various depths."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, TimeoutError):
            return "timed out"
        if isinstance(cause, OSError):
            return (cause.strerror or str(cause)).lower()
        cause = cause.__cause__ or cause.__context__
    reason = error.orig if isinstance(error, DBAPIError) else error
    return str(reason).splitlines()[0]


def database_url(settings: Settings) -> URL:
    """The configured database's URL, parsed; BadDatabaseUrl if it is not a URL."""
    try:
        return make_url(settings.database.url)
    except ArgumentError as error:
        example = "postgresql://user:password@host/name"
        raise BadDatabaseUrl(f"the database URL is not a URL like {example}") from error


async def connect_reachable(settings: Settings) -> Database:
    """Connect to the configured database and check that it answers, for commands that would
    otherwise fail part way with a driver's traceback."""
    where = database_url(settings).render_as_string(hide_password=True)
    try:
        database = connect(settings)
    except NoSuchModuleError as error:
        raise BadDatabaseUrl(
            f"cannot use the database at {where}: Broadsheet takes sqlite, postgresql and mysql"
            " (MariaDB) URLs"
        ) from error
    try:
        async with database.engine.connect():
            pass
    except (OSError, DBAPIError) as error:
        await database.dispose()
        reason = _why_unreachable(error)
        raise DatabaseUnreachable(f"cannot reach the database at {where}: {reason}") from error
    return database


@asynccontextmanager
async def session_scope(
    database: Database, *, write: bool = True, shown_into: set[str] | None = None
) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block ends, rolled back if it raises. What it
    changed is purged from the caches and the jobs it asked for are sent after the commit,
    never after a rollback; the keys of what its reads showed are gathered into `shown_into`."""
    factory = database.write_sessions if write else database.sessions
    async with factory() as session:
        if shown_into is not None:
            effects.collect_shown(session, shown_into)
        async with session.begin():
            yield session
        await effects.after_commit(session, database.responses, database.jobs)


# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")


# MariaDB compares text case-insensitively by default; these columns must compare exactly, as
# they do on PostgreSQL and SQLite.
def exact_text(length: int) -> String:
    return String(length).with_variant(mysql.VARCHAR(length, collation="utf8mb4_bin"), "mysql")


# MariaDB's TEXT holds 64 KB; long stories need more room there.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql")


async def add_unless_present(session: AsyncSession, row: Base) -> bool:
    """Insert `row`, or return False when a row with its key already exists (even one a
    concurrent transaction committed a moment ago)."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True
