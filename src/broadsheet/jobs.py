"""Work done outside a request, on saq's queue: kinds of job, jobs sent after the commit, and
the dead letters an operator can list and retry.

The queue is a SQLite file under ./var/ unless Redis is configured (JOBS_URL, or REDIS_URL), in
which case any number of `broadsheet worker` processes on any machines share it. A service asks
for a job with `later(session, KIND, ...)`; the job is sent once the transaction commits, and
never if it rolls back. A job that fails every attempt stays in the queue as a dead letter.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from saq import Queue
from saq.job import UNSUCCESSFUL_TERMINAL_STATUSES, Job, Status
from saq.queue.redis import RedisQueue
from saq.types import Context as SaqContext
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet import effects
from broadsheet.lib.sqlite_queue import SqliteQueue
from broadsheet.settings import Settings

if TYPE_CHECKING:  # the database module sends jobs through this one
    from broadsheet.db import Database


class Context(SaqContext, total=False):
    """What a job function is given: saq's worker and job, and Broadsheet's own."""

    settings: Settings
    database: "Database"
    started: float


JobFunction = Callable[..., Awaitable[Any]]
DEAD = tuple(UNSUCCESSFUL_TERMINAL_STATUSES)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A kind of job: the function that does it, and how long and how often it may try.

    Attempts after the first wait `retry_delay` seconds, doubled each time (with jitter), up to
    `max_retry_delay`. A function must be safe to run twice: a worker that dies mid-job leaves
    it to be run again once `timeout` has passed.
    """

    function: JobFunction
    timeout: int = 60
    attempts: int = 5
    retry_delay: float = 5.0
    max_retry_delay: float = 3600.0

    @property
    def name(self) -> str:
        # saq names cron jobs by their function's __qualname__: every kind is named so.
        return self.function.__qualname__

    def job(self, kwargs: dict[str, Any], *, scheduled: int = 0, key: str | None = None) -> Job:
        job = Job(
            function=self.name,
            kwargs=kwargs,
            timeout=self.timeout,
            retries=self.attempts,
            retry_delay=self.retry_delay,
            retry_backoff=self.max_retry_delay,
            scheduled=scheduled,
        )
        if key is not None:
            job.key = key
        return job


@dataclass(frozen=True)
class PendingJob:
    kind: Kind
    kwargs: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None
    key: str | None = None

    def job(self) -> Job:
        scheduled = int(self.at.timestamp()) if self.at is not None else 0
        return self.kind.job(self.kwargs, scheduled=scheduled, key=self.key)


def later(
    session: AsyncSession,
    kind: Kind,
    *,
    at: datetime | None = None,
    key: str | None = None,
    **kwargs: Any,
) -> None:
    """Send a job of `kind` with `kwargs` once this transaction commits: at once, or to run at
    `at`. A `key` still queued or running is not queued again."""
    effects.later(session, PendingJob(kind, kwargs, at, key))


class _KeepsDeadLetters(Queue):
    """Keeps a job that failed its last attempt until an operator retries or forgets it (saq
    would otherwise let it expire with the finished ones)."""

    async def finish(
        self,
        job: Job,
        status: Status,
        *,
        result: Any = None,
        error: str | None = None,
        **kwargs: Any,
    ) -> None:
        if status in UNSUCCESSFUL_TERMINAL_STATUSES:
            job.ttl = 0  # kept until removed
        await super().finish(job, status, result=result, error=error, **kwargs)


class _SqliteJobQueue(_KeepsDeadLetters, SqliteQueue):
    pass


class _RedisJobQueue(_KeepsDeadLetters, RedisQueue):
    pass


def queue_for(settings: Settings) -> Queue:
    """The configured queue, not yet connected."""
    url = settings.jobs.url or settings.redis_url
    if url:
        return _RedisJobQueue.from_url(url, name=settings.jobs.queue_name)
    return _SqliteJobQueue(settings.jobs.file, name=settings.jobs.queue_name)


class Jobs:
    """The queue as the app, the CLI and the workers use it; it connects on first use."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self._connected = False
        self._connecting = asyncio.Lock()

    async def connect(self) -> Queue:
        async with self._connecting:
            if not self._connected:
                await self.queue.connect()
                self._connected = True
        return self.queue

    async def send(self, pending: Sequence[PendingJob]) -> None:
        """Queue jobs a committed transaction asked for. The commit stands whatever happens
        here: a job that cannot be queued is logged, not raised to a client whose write has
        succeeded."""
        for each in pending:
            try:
                await (await self.connect()).enqueue(each.job())
            except Exception:
                logger.exception("could not queue a job", extra={"job": each.kind.name})

    async def depth(self) -> dict[str, int]:
        """Jobs waiting to run now, waiting for their time, and running."""
        info = await (await self.connect()).info()
        return {state: info[state] for state in ("queued", "scheduled", "active")}

    async def dead_letters(self) -> list[Job]:
        """Jobs that failed their last attempt, oldest first."""
        queue = await self.connect()
        dead = [job async for job in queue.iter_jobs(statuses=list(DEAD))]
        return sorted(dead, key=lambda job: (job.completed, job.key))

    async def retry(self, key: str) -> Job | None:
        """Queue the dead letter `key` again, with all its attempts; None if there is none."""
        queue = await self.connect()
        dead = await queue.job(key)
        if dead is None or dead.status not in UNSUCCESSFUL_TERMINAL_STATUSES:
            return None
        again = Job(
            function=dead.function,
            kwargs=dead.kwargs,
            key=dead.key,
            timeout=dead.timeout,
            retries=dead.retries,
            retry_delay=dead.retry_delay,
            retry_backoff=dead.retry_backoff,
            # A finished key is queued again only for a later time than it had.
            scheduled=max(int(time.time()), dead.scheduled + 1),
        )
        return await queue.enqueue(again)

    async def close(self) -> None:
        if not self._connected:
            return
        self._connected = False
        try:
            await self.queue.disconnect()
        except Exception:
            # A queue server that went away must not stop the rest of a shutdown.
            logger.warning("could not close the job queue cleanly", exc_info=True)
