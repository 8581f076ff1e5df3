"""API-level helpers: sign up writers and publish stories through the real endpoints."""

import itertools
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select

from broadsheet.app import close, create_app
from broadsheet.db import Base
from tests.conftest import IN_CI, settings_for_tests

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"
REDIS_URL = os.environ.get("BROADSHEET_TEST_REDIS_URL") or (
    "redis://127.0.0.1:6379/0" if IN_CI else None
)


@dataclass(frozen=True)
class Writer:
    username: str
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


async def sign_up(client: httpx.AsyncClient, username: str | None = None) -> Writer:
    username = username or f"writer{next(_numbers)}"
    email = f"{username.lower()}@example.com"
    response = await client.post(
        "/api/users", json={"user": {"username": username, "email": email, "password": PASSWORD}}
    )
    assert response.status_code == 201, response.text
    return Writer(username, email, PASSWORD, response.json()["user"]["token"])


async def publish(client: httpx.AsyncClient, author: Writer, **fields: Any) -> dict[str, Any]:
    article = {
        "title": f"Story {next(_numbers)}",
        "description": "What it is about",
        "body": "# Heading\n\nSome *Markdown*.",
        "tagList": [],
    }
    article.update(fields)
    response = await client.post("/api/articles", json={"article": article}, headers=author.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()["article"]
    return result


async def every_row(backend) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: compare before and after to see a change."""
    async with backend.database.engine.connect() as connection:
        return {
            table.name: sorted(
                map(tuple, (await connection.execute(select(table))).all()), key=repr
            )
            for table in Base.metadata.sorted_tables
        }


async def redis_or_skip() -> str:
    """The test Redis's URL; skip without one, except under CI, where it must answer."""
    if REDIS_URL is None:
        pytest.skip("Redis: set BROADSHEET_TEST_REDIS_URL or CI=true to run on it")
    try:
        redis = Redis.from_url(REDIS_URL)
        await redis.ping()
        await redis.aclose()
    except (RedisError, OSError):
        if IN_CI:
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


@asynccontextmanager
async def own_app(backend, **settings: Any) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """An app of its own on the backend's database, with these settings, and a client of it."""
    app = create_app(settings_for_tests(backend.settings.database.url, **settings))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client
    finally:
        await close(app)


async def asgi_request(
    app: Any,
    method: str,
    path: str,
    *,
    headers: list[tuple[bytes, bytes]],
    query: str = "",
    http_version: str = "1.1",
) -> httpx.Response:
    """Hand one request straight to the app as a server would, with exactly these headers:
    httpx always sends one Host, and refuses URLs over 64 KiB."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": http_version,
        "method": method,
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
        "path": path,
        "raw_path": quote(path).encode(),
        "query_string": query.encode(),
        "headers": headers,
    }
    start: dict[str, Any] = {}
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def collect(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            body.append(message.get("body", b""))

    await app(scope, receive, collect)
    return httpx.Response(start["status"], headers=start["headers"], content=b"".join(body))
