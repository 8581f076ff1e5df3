"""Rate limits on attempts, counted with `limits`: in each worker's memory by default, in Redis
when REDIS_URL is set, so that every app server counts together.

When Redis is unreachable the limits stay in force: each worker counts on its own, in memory,
until Redis answers again, and says so in the log. A Redis outage makes the limits looser by the
number of workers, never absent, and never stops anyone signing in.
"""

import logging
import math
import time
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool
from starlette.requests import HTTPConnection

from broadsheet.errors import TooManyRequests
from broadsheet.settings import Settings

log = logging.getLogger(__name__)


class LimitReached(TooManyRequests):
    def __init__(self, retry_after: int, *, counted: str = "attempts") -> None:
        super().__init__(
            f"too many {counted}; please try again in {retry_after} seconds",
            retry_after=retry_after,
            field=counted,
        )


@lru_cache(maxsize=64)
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limits)) if limits else ()


class RateLimiter:
    """Counts attempts per identity against limits written as "10/minute;100/hour"."""

    def __init__(self, *, enabled: bool, redis_url: str | None, namespace: str) -> None:
        self.enabled = enabled
        self._local = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._pool: ConnectionPool | None = None
        self._shared: SlidingWindowCounterRateLimiter | None = None
        if enabled and redis_url:
            self._pool = ConnectionPool.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
            storage = RedisStorage(
                "async+redis://",
                implementation="redispy",
                # Documented, though typed narrower; our own pool is one we can close.
                connection_pool=self._pool,  # type: ignore[arg-type]
                key_prefix=namespace,
                wrap_exceptions=True,
            )
            self._shared = SlidingWindowCounterRateLimiter(storage)

    async def hit(self, limits: str, *identity: str, counted: str = "attempts") -> None:
        """Count one attempt by `identity` against each of `limits`; raise LimitReached when
        one is used up, saying what was `counted`. The first part of `identity` names the
        rule, so rules never share a count."""
        if not self.enabled:
            return
        for item in _parsed(limits):
            if self._shared is not None:
                try:
                    await self._count(self._shared, item, identity, counted)
                    continue
                except StorageError:
                    log.warning("rate limits: Redis unreachable, counting in this worker")
            await self._count(self._local, item, identity, counted)

    async def _count(
        self,
        limiter: SlidingWindowCounterRateLimiter,
        item: RateLimitItem,
        identity: tuple[str, ...],
        counted: str,
    ) -> None:
        if await limiter.hit(item, *identity):
            return
        stats = await limiter.get_window_stats(item, *identity)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise LimitReached(retry_after, counted=counted)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.disconnect()


def rate_limiter(settings: Settings) -> RateLimiter:
    return RateLimiter(
        enabled=settings.limits.enabled,
        redis_url=settings.redis_url,
        namespace=settings.limits.namespace,
    )


def client_address(connection: HTTPConnection) -> str:
    """Who is asking, as far as the network can tell: the peer's address, or the address a
    trusted proxy forwarded (see BROADSHEET_TRUSTED_PROXIES)."""
    return connection.client.host if connection.client else "unknown"
