"""The shared HTTP response cache: anonymous reads are answered with stored bytes before the
framework runs. In-process by default; in Redis when REDIS_URL is set, so every app server
sees the same entries and the same purges.

Each entry is kept under the surrogate keys of what it shows (see effects.py), and purged when
a committed write names one of them. A read that overlaps a purge of one of its keys is never
stored as fresh: the store hands out a stamp before the read and checks it when storing.
"""

import hashlib
import json
import logging
import mmap
import os
import secrets
import struct
import zlib
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from cachetools import TTLCache
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet import effects
from broadsheet.lib.paths import raw_path
from broadsheet.metrics import CACHE_LOOKUPS
from broadsheet.settings import Settings

log = logging.getLogger(__name__)
_TOKEN = struct.Struct("<q")


@dataclass(frozen=True)
class CachedResponse:
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


# What a store saw of its purges when a response began to be computed; handed back with the
# response so that one overlapping a purge of its keys is never kept as fresh.
Stamp = object


class ResponseStore(Protocol):
    async def lookup(self, key: str) -> tuple[Stamp, CachedResponse | None]:
        """A stamp for computing `key` afresh, and its entry if one is fresh."""
        ...

    async def store(
        self, key: str, entry: CachedResponse, *, keys: Collection[str], stamp: Stamp
    ) -> None:
        """Keep `entry` until one of its surrogate `keys` is purged (or it expires), unless one
        was purged since `stamp` was taken."""
        ...

    async def purge(self, keys: Collection[str]) -> None: ...

    async def close(self) -> None: ...


class SharedPurges:
    """A table of purge tokens in a memory-mapped file, so every worker process on this machine
    sees a purge made by any of them (or by the CLI). Each surrogate key hashes to one slot; a
    purge stores a new random token in its keys' slots, never an incremented one, so two
    processes purging at once cannot land on the same value. Keys sharing a slot are purged
    together: a miss too many, never a stale hit."""

    SLOTS = 8192

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        size = self.SLOTS * _TOKEN.size
        with path.open("a+b") as file:
            if file.seek(0, os.SEEK_END) < size:
                file.truncate(size)
            self._map = mmap.mmap(file.fileno(), size)
        self._tokens = memoryview(self._map).cast("q")

    @classmethod
    def slots_of(cls, keys: Iterable[str]) -> tuple[int, ...]:
        return tuple(sorted({zlib.crc32(key.encode()) % cls.SLOTS for key in keys}))

    def snapshot(self) -> bytes:
        return self._map[:]

    @staticmethod
    def tokens_in(snapshot: bytes, slots: tuple[int, ...]) -> tuple[int, ...]:
        tokens = memoryview(snapshot).cast("q")
        return tuple(tokens[slot] for slot in slots)

    def unchanged(self, slots: tuple[int, ...], tokens: tuple[int, ...]) -> bool:
        current = self._tokens
        return all(current[slot] == token for slot, token in zip(slots, tokens, strict=True))

    def purge(self, keys: Iterable[str]) -> None:
        for slot in self.slots_of(keys):
            self._tokens[slot] = secrets.randbits(63)


@dataclass(frozen=True)
class _LocalEntry:
    response: CachedResponse
    slots: tuple[int, ...]
    tokens: tuple[int, ...]


def _size_of(entry: _LocalEntry) -> int:
    response = entry.response
    return len(response.body) + sum(len(name) + len(value) for name, value in response.headers)


class LocalStore:
    """Entries in this process's memory, purged through a table all workers share."""

    def __init__(self, purges: SharedPurges, *, max_bytes: int, ttl_seconds: int):
        # Bounded by the bytes the bodies hold, not by their number: stories run to 100 KB.
        self._entries: TTLCache[str, _LocalEntry] = TTLCache(
            max_bytes, ttl_seconds, getsizeof=_size_of
        )
        self._purges = purges

    async def lookup(self, key: str) -> tuple[Stamp, CachedResponse | None]:
        entry = self._entries.get(key)
        if entry is not None and self._purges.unchanged(entry.slots, entry.tokens):
            return None, entry.response
        return self._purges.snapshot(), None

    async def store(
        self, key: str, entry: CachedResponse, *, keys: Collection[str], stamp: Stamp
    ) -> None:
        assert isinstance(stamp, bytes)  # noqa: S101 (only lookup() makes stamps)
        slots = self._purges.slots_of(keys)
        local = _LocalEntry(entry, slots, self._purges.tokens_in(stamp, slots))
        if _size_of(local) <= self._entries.maxsize:  # a larger one is served, never kept
            self._entries[key] = local

    async def purge(self, keys: Collection[str]) -> None:
        self._purges.purge(keys)

    async def close(self) -> None:
        self._entries.clear()


# Keep an entry unless one of its keys was purged after its read began (ARGV[1], the purge
# sequence then), and list it under each key so that a purge can find it.
_STORE_SCRIPT = """
local since = tonumber(ARGV[1])
for i = 3, #KEYS, 2 do
  local purged = tonumber(redis.call('GET', KEYS[i + 1]) or '-1')
  if purged > since then return 0 end
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
for i = 3, #KEYS, 2 do
  redis.call('SADD', KEYS[i], KEYS[2])
  redis.call('EXPIRE', KEYS[i], ARGV[3])
end
return 1
"""
# Raise the purge sequence, mark each key purged at it, and delete the entries listed under it.
_PURGE_SCRIPT = """
local sequence = redis.call('INCR', KEYS[1])
for i = 2, #KEYS, 2 do
  redis.call('SET', KEYS[i + 1], sequence, 'EX', ARGV[1])
  local entries = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #entries, 500 do
    redis.call('UNLINK', unpack(entries, j, math.min(j + 499, #entries)))
  end
  redis.call('UNLINK', KEYS[i])
end
return sequence
"""


class RedisStore:
    """Entries in Redis, shared by every app server; a purge deletes the entries listed under
    its keys. When Redis is unreachable, reads go to the database (a miss) rather than fail."""

    def __init__(self, redis: Redis, *, namespace: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._namespace = namespace
        self._sequence_key = f"{namespace}:purges"
        self._entry_prefix = f"{namespace}:entry:"
        self._ttl_seconds = ttl_seconds
        self._store_script = redis.register_script(_STORE_SCRIPT)
        self._purge_script = redis.register_script(_PURGE_SCRIPT)

    def _key_names(self, keys: Iterable[str]) -> list[str]:
        names: list[str] = []
        for key in sorted(keys):
            names += (f"{self._namespace}:key:{key}", f"{self._namespace}:purged:{key}")
        return names

    async def lookup(self, key: str) -> tuple[Stamp, CachedResponse | None]:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(self._sequence_key)
                pipe.get(self._entry_prefix + key)
                raw_sequence, raw_entry = await pipe.execute()
        except RedisError:
            log.warning("response cache: Redis unreachable")
            return None, None
        return int(raw_sequence or 0), _decode(raw_entry) if raw_entry else None

    async def store(
        self, key: str, entry: CachedResponse, *, keys: Collection[str], stamp: Stamp
    ) -> None:
        if not isinstance(stamp, int):
            return  # Redis was unreachable when the read began
        names = [self._sequence_key, self._entry_prefix + key, *self._key_names(keys)]
        try:
            await self._store_script(keys=names, args=[stamp, _encode(entry), self._ttl_seconds])
        except RedisError:
            log.warning("response cache: Redis unreachable")

    async def purge(self, keys: Collection[str]) -> None:
        names = [self._sequence_key, *self._key_names(keys)]
        try:
            await self._purge_script(keys=names, args=[self._ttl_seconds])
        except RedisError:
            # Entries expire on their own; until then a write made while Redis was away may be
            # shadowed for at most the entries' lifetime.
            log.error("response cache: could not purge, Redis unreachable")

    async def close(self) -> None:
        await self._redis.aclose()


def _encode(entry: CachedResponse) -> bytes:
    head = {
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
    return CachedResponse(head["status"], headers, body)


PUBLIC_CACHE_CONTROL = b"public, max-age=0, s-maxage=10, stale-while-revalidate=30"
PRIVATE_CACHE_CONTROL = b"private, no-cache"
_HITS = CACHE_LOOKUPS.labels("hit")
_MISSES = CACHE_LOOKUPS.labels("miss")
_UNCACHED_PREFIXES = ("/static/", "/healthz", "/readyz", "/metrics", "/api/docs")
_READS = frozenset({"GET", "HEAD"})
# The scope entry where a request's reads gather the surrogate keys of what its response shows.
SHOWN_KEYS = "broadsheet.shown_keys"
VARY = b"Accept, Authorization, Cookie"


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class ResponseCache:
    """Serve anonymous GETs from the store, and keep each one until what it shows changes.
    Purging is the writes' business (effects.py), after their commit; this layer only stores."""

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
        if (
            scope["type"] != "http"
            or scope["method"] not in _READS
            or scope["path"].startswith(_UNCACHED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        if self._is_personal(scope):
            await self.app(scope, receive, _marked(send, PRIVATE_CACHE_CONTROL, b"bypass"))
            return
        key = _key(scope)
        stamp, entry = await self.store.lookup(key)
        if entry is not None:
            _HITS.inc()
            await _replay(scope, send, entry)
            return
        _MISSES.inc()
        await self._compute_and_store(scope, receive, send, key, stamp)

    async def _compute_and_store(
        self, scope: Scope, receive: Receive, send: Send, key: str, stamp: Stamp
    ) -> None:
        shown = {effects.EVERYTHING}
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
                    response = _Computed(start, b"".join(chunks), shown)
                    await self._finish(scope, send, key, stamp, response)

        await self.app({**scope, SHOWN_KEYS: shown}, receive, capture)

    async def _finish(
        self, scope: Scope, send: Send, key: str, stamp: Stamp, response: "_Computed"
    ) -> None:
        start = response.start
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
            await send({"type": "http.response.body", "body": response.body})
            return
        keys = sorted(response.keys)
        headers += [
            (b"cache-control", PUBLIC_CACHE_CONTROL),
            (b"vary", VARY),
            (b"surrogate-key", " ".join(keys).encode()),
            (b"cache-tag", ",".join(keys).encode()),
        ]
        entry = CachedResponse(200, headers, response.body)
        await self.store.store(key, entry, keys=keys, stamp=stamp)
        await _replay(scope, send, entry, status=b"miss")


@dataclass(frozen=True)
class _Computed:
    start: Message
    body: bytes
    keys: set[str]


def _key(scope: Scope) -> str:
    """The entry a request reads: its parts kept apart, so that no two different requests
    share one. None but the last can hold a space: the scheme, the Host header (checked by
    CheckRequestHead), and the raw path (an encoded "?" stays encoded) and query, which a
    request line delimits with spaces. `Accept` is there because one URL may answer HTML,
    JSON or another form by what the client accepts."""
    host = (_header(scope, b"host") or b"").decode("latin-1").lower()
    query = scope["query_string"].decode("latin-1")
    accept = (_header(scope, b"accept") or b"").decode("latin-1")
    return f"{scope['scheme']} {host} {raw_path(scope)} {query} {accept}"


def _marked(send: Send, cache_control: bytes, status: bytes) -> Send:
    async def send_marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers.setdefault("cache-control", cache_control.decode())
            headers.append("vary", VARY.decode())
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
    """Counts kept in the response store until what they count changes, under the same rule
    as responses: a count is kept under the surrogate keys of the list it counts. Counting
    every story costs tens of milliseconds once there are 100,000 of them, on every list a
    signed-in reader opens."""

    def __init__(self, store: ResponseStore) -> None:
        self.store = store

    async def get(
        self, name: str, keys: Collection[str], count: Callable[[], Awaitable[int]]
    ) -> int:
        key = f"totals:{name}"
        stamp, entry = await self.store.lookup(key)
        if entry is not None:
            return int(entry.body)
        total = await count()
        entry = CachedResponse(200, [], str(total).encode())
        await self.store.store(key, entry, keys=[effects.EVERYTHING, *keys], stamp=stamp)
        return total


def response_store(settings: Settings) -> ResponseStore:
    """Redis when REDIS_URL is set, so app servers share entries; else this machine's memory."""
    if settings.redis_url:
        return RedisStore(
            Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5),
            namespace=settings.cache.namespace,
            ttl_seconds=settings.cache.ttl_seconds,
        )
    return LocalStore(
        SharedPurges(settings.cache.purges_file),
        max_bytes=settings.cache.max_bytes,
        ttl_seconds=settings.cache.ttl_seconds,
    )
