"""Create or drop a scratch database beside the one a server URL names.

    python scripts/scratch_database.py create SERVER_URL            prints the new database's URL
    python scripts/scratch_database.py drop SERVER_URL DATABASE_URL

The scratch database is named after the given one with "_conformance" added; create drops any
left over from an interrupted run first.
"""

import asyncio
import logging
import sys

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from broadsheet.settings import async_database_url


def _quote(url: URL, name: str) -> str:
    return f"`{name}`" if url.get_backend_name() == "mysql" else f'"{name}"'


async def _execute(server: URL, *statements: str) -> None:
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _drop_statement(server: URL, name: str) -> str:
    # PostgreSQL refuses to drop a database while a connection lingers; FORCE ends them.
    force = " WITH (FORCE)" if server.get_backend_name() == "postgresql" else ""
    return f"DROP DATABASE IF EXISTS {_quote(server, name)}{force}"


async def create(server: URL) -> URL:
    scratch = server.set(database=f"{server.database}_conformance")
    name = scratch.database or ""
    await _execute(server, _drop_statement(server, name), f"CREATE DATABASE {_quote(server, name)}")
    return scratch


async def drop(server: URL, scratch: URL) -> None:
    await _execute(server, _drop_statement(server, scratch.database or ""))


def main() -> None:
    # MariaDB's note that a database to drop "doesn't exist" is expected here, not news.
    logging.getLogger("asyncmy").setLevel(logging.ERROR)
    action, *urls = sys.argv[1:]
    server, *rest = (make_url(async_database_url(url)) for url in urls)
    try:
        if action == "create":
            print(asyncio.run(create(server)).render_as_string(hide_password=False))
        elif action == "drop":
            asyncio.run(drop(server, rest[0]))
        else:
            sys.exit(f"unknown action {action!r}: use create or drop")
    except (OSError, DBAPIError) as error:
        sys.exit(f"{server}: {error}")


if __name__ == "__main__":
    main()
