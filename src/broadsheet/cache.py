"""The shared HTTP response cache: anonymous reads are answered with stored bytes before the
framework runs. In-process by default; in Redis when REDIS_URL is set, so every app server
sees the same entries and the same invalidations.

Invalidation is by generation: every successful write raises the generation number, and an
entry is served only if it was computed entirely within the current generation. A read that
overlaps a write is never stored as fresh, and no write can be forgotten, whatever it changed.
"""

import hashlib
import json
import logging
import mmap
import os
import secrets
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from cachetools import TTLCache
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.metrics import CACHE_LOOKUPS
from broadsheet.settings import Settings

log = logging.getLogger(__name__)
_TOKEN = struct.Struct("<q")


@dataclass(frozen=True)
class CachedResponse:
    generation: int
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    # Worked out once per entry, not on every replay: hits are the hot path.
    @cached_property
    def etag(self) -> bytes:
        return b'"' + hashlib.blake2b(self.body, digest_size=16).hexdigest().encode() + b'"'

    @cached_property
    def hit_headers(self) -> list[tuple[bytes, bytes]]:
        return [*self.headers, (b"etag", self.etag), (b"x-cache", b"hit")]


class ResponseStore(Protocol):
    async def generation(self) -> int: ...

    async def lookup(self, key: str) -> tuple[int, CachedResponse | None]:
        """The current generation and the entry for `key`, if any."""
        ...

    async def store(self, key: str, entry: CachedResponse) -> None: ...

    async def invalidate(self) -> None:
        """Make every stored entry stale."""
        ...

    async def close(self) -> None: ...


class SharedGeneration:
    """A generation token in a memory-mapped file, so every worker process on this machine
    sees a write made by any of them. Each write stores a new random token rather than an
    incremented one: two workers invalidating at once can never land on the same value."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a+b") as file:
            if file.seek(0, os.SEEK_END) < _TOKEN.size:
                file.write(bytes(_TOKEN.size))
                file.flush()
            self._map = mmap.mmap(file.fileno(), _TOKEN.size)

    def read(self) -> int:
        token: int = _TOKEN.unpack_from(self._map, 0)[0]
        return token

    def renew(self) -> None:
        _TOKEN.pack_into(self._map, 0, secrets.randbits(63))


def _size_of(entry: CachedResponse) -> int:
    return len(entry.body) + sum(len(name) + len(value) for name, value in entry.headers)


class LocalStore:
    """Entries in this process's memory, invalidated through a generation all workers share."""

    def __init__(self, generation: SharedGeneration, *, max_bytes: int, ttl_seconds: int):
        # Bounded by the bytes the bodies hold, not by their number: stories run to 100 KB.
        self._entries: TTLCache[str, CachedResponse] = TTLCache(
            max_bytes, ttl_seconds, getsizeof=_size_of
        )
        self._generation = generation

    async def generation(self) -> int:
        return self._generation.read()

    async def lookup(self, key: str) -> tuple[int, CachedResponse | None]:
        return self._generation.read(), self._entries.get(key)

    async def store(self, key: str, entry: CachedResponse) -> None:
        if _size_of(entry) <= self._entries.maxsize:  # a larger one is served, never kept
            self._entries[key] = entry

    async def invalidate(self) -> None:
        self._generation.renew()
        self._entries.clear()

    async def close(self) -> None:
        self._entries.clear()


class RedisStore:
    """Entries in Redis, shared by every app server. When Redis is unreachable, reads go to
    the database (a miss) rather than fail."""

    def __init__(self, redis: Redis, *, namespace: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._generation_key = f"{namespace}:generation"
        self._entry_prefix = f"{namespace}:entry:"
        self._ttl_seconds = ttl_seconds

    async def generation(self) -> int:
        try:
            return int(await self._redis.get(self._generation_key) or 0)
        except RedisError:
            log.warning("response cache: Redis unreachable")
            return -1

    async def lookup(self, key: str) -> tuple[int, CachedResponse | None]:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(self._generation_key)
                pipe.get(self._entry_prefix + key)
                raw_generation, raw_entry = await pipe.execute()
        except RedisError:
            log.warning("response cache: Redis unreachable")
            return -1, None
        return int(raw_generation or 0), _decode(raw_entry) if raw_entry else None

    async def store(self, key: str, entry: CachedResponse) -> None:
        if entry.generation < 0:
            return
        try:
            await self._redis.set(self._entry_prefix + key, _encode(entry), ex=self._ttl_seconds)
        except RedisError:
            log.warning("response cache: Redis unreachable")

    async def invalidate(self) -> None:
        try:
            await self._redis.incr(self._generation_key)
        except RedisError:
            # Entries expire on their own; until then a write made while Redis was away may be
            # shadowed for at most the entries' lifetime.
            log.error("response cache: could not invalidate, Redis unreachable")

    async def close(self) -> None:
        await self._redis.aclose()


def _encode(entry: CachedResponse) -> bytes:
    head = {
        "generation": entry.generation,
        "status": entry.status,
        "headers": [
            [name.decode("latin-1"), value.decode("latin-1")] for name, value in entry.headers
        ],
    }
    return json.dumps(head).encode() + b"\n" + entry.body


def _decode(raw: bytes) -> CachedResponse:
    head_bytes, _, body = raw.partition(b"\n")
    head = json.loads(head_bytes)
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in head["headers"]]
    return CachedResponse(head["generation"], head["status"], headers, body)


PUBLIC_CACHE_CONTROL = b"public, max-age=0, s-maxage=10, stale-while-revalidate=30"
PRIVATE_CACHE_CONTROL = b"private, no-cache"
_HITS = CACHE_LOOKUPS.labels("hit")
_MISSES = CACHE_LOOKUPS.labels("miss")
_UNCACHED_PREFIXES = ("/static/", "/healthz", "/readyz", "/metrics", "/api/docs")
_READS = frozenset({"GET", "HEAD"})
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
# Posts that change nothing a cached response shows: signing in and out, and new accounts
# (whose pages were 404s, which are never stored).
_CONTENT_NEUTRAL_POSTS = frozenset(
    {"/api/users/login", "/api/users", "/signin", "/signup", "/signout"}
)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class ResponseCache:
    """Serve anonymous GETs from the store; invalidate it on every successful write."""

    def __init__(self, app: ASGIApp, *, store: ResponseStore, personal_cookie: str) -> None:
        self.app = app
        self.store = store
        self.personal_cookie = personal_cookie.encode() + b"="

    def _is_personal(self, scope: Scope) -> bool:
        """Responses that depend on who asks are never served from, nor stored in, the cache."""
        if _header(scope, b"authorization") is not None:
            return True
        cookies = _header(scope, b"cookie")
        return cookies is not None and self.personal_cookie in cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path: str = scope["path"]
        if method not in _SAFE:
            neutral = method == "POST" and path in _CONTENT_NEUTRAL_POSTS
            await self.app(scope, receive, send if neutral else self._invalidating(send))
            return
        if method not in _READS or path.startswith(_UNCACHED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._is_personal(scope):
            await self.app(scope, receive, _marked(send, PRIVATE_CACHE_CONTROL, b"bypass"))
            return
        key = _key(scope)
        generation, entry = await self.store.lookup(key)
        if entry is not None and entry.generation == generation:
            _HITS.inc()
            await _replay(scope, send, entry)
            return
        _MISSES.inc()
        await self._compute_and_store(scope, receive, send, key, generation)

    def _invalidating(self, send: Send) -> Send:
        async def send_after_invalidating(message: Message) -> None:
            # The transaction has committed by the time the response starts; invalidating
            # before the client hears back means its next read is fresh, on every server.
            if message["type"] == "http.response.start" and message["status"] < 400:
                await self.store.invalidate()
            await send(message)

        return send_after_invalidating

    async def _compute_and_store(
        self, scope: Scope, receive: Receive, send: Send, key: str, generation: int
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(scope, send, key, generation, start, b"".join(chunks))

        await self.app(scope, receive, capture)

    async def _finish(
        self, scope: Scope, send: Send, key: str, generation: int, start: Message, body: bytes
    ) -> None:
        headers = [(bytes(name), bytes(value)) for name, value in start["headers"]]
        names = {name.lower() for name, _ in headers}
        storable = (
            start["status"] == 200
            and scope["method"] == "GET"
            and b"set-cookie" not in names
            and b"cache-control" not in names
        )
        if not storable:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        headers.append((b"cache-control", PUBLIC_CACHE_CONTROL))
        headers.append((b"vary", b"Authorization, Cookie"))
        entry = CachedResponse(generation, 200, headers, body)
        await self.store.store(key, entry)
        await _replay(scope, send, entry, status=b"miss")


def _key(scope: Scope) -> str:
    host = (_header(scope, b"host") or b"").decode("latin-1")
    query = scope["query_string"].decode("latin-1")
    return f"{scope['scheme']}://{host}{scope['path']}?{query}"


def _marked(send: Send, cache_control: bytes, status: bytes) -> Send:
    async def send_marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers.setdefault("cache-control", cache_control.decode())
            headers.append("vary", "Authorization, Cookie")
            headers["x-cache"] = status.decode()
        await send(message)

    return send_marked


async def _replay(
    scope: Scope, send: Send, entry: CachedResponse, *, status: bytes = b"hit"
) -> None:
    etag = entry.etag
    headers = (
        entry.hit_headers
        if status == b"hit"
        else [*entry.headers, (b"etag", etag), (b"x-cache", status)]
    )
    if _header(scope, b"if-none-match") in (etag, b"W/" + etag):
        kept = [(n, v) for n, v in headers if n.lower() not in (b"content-length", b"content-type")]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": entry.status, "headers": headers})
    body = b"" if scope["method"] == "HEAD" else entry.body
    await send({"type": "http.response.body", "body": body})


class Totals:
    """Counts kept in the response store until the next write anywhere, under the same rule as
    responses: a count is used only in the generation it was made in. Counting every story
    costs tens of milliseconds once there are 100,000 of them, on every list a signed-in
    reader opens."""

    def __init__(self, store: ResponseStore) -> None:
        self.store = store

    async def get(self, name: str, count: Callable[[], Awaitable[int]]) -> int:
        key = f"totals:{name}"
        generation, entry = await self.store.lookup(key)
        if entry is not None and entry.generation == generation:
            return int(entry.body)
        total = await count()
        await self.store.store(key, CachedResponse(generation, 200, [], str(total).encode()))
        return total


def response_store(settings: Settings) -> ResponseStore:
    """Redis when REDIS_URL is set, so app servers share entries; else this machine's memory."""
    if settings.redis_url:
        return RedisStore(
            Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5),
            namespace=settings.response_cache_namespace,
            ttl_seconds=settings.response_cache_ttl_seconds,
        )
    return LocalStore(
        SharedGeneration(settings.response_cache_generation_file),
        max_bytes=settings.response_cache_max_bytes,
        ttl_seconds=settings.response_cache_ttl_seconds,
    )
