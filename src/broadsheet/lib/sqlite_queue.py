"""A saq queue kept in a SQLite file, so jobs persist with no server to run.

saq's workers, retries, schedules and cron run on it unchanged; only the storage is ours. Every
process that opens the same file shares the queue: a job is claimed inside one `BEGIN IMMEDIATE`
transaction, so exactly one worker of one process gets it. A worker that dies mid-job leaves the
job active; once its timeout has passed, the sweep (held by one worker at a time) runs it again.

Priorities and group keys, which saq offers on PostgreSQL only, are not kept here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from saq.job import Job, Status
from saq.queue.base import Queue
from saq.utils import now, now_seconds

if TYPE_CHECKING:
    from saq.types import CountKind, DumpType, LoadType, QueueInfo, WorkerInfo

logger = logging.getLogger("saq")

Result = TypeVar("Result")
_UNCHANGED = -1
_COUNTS = {
    "queued": "SELECT count(*) FROM saq_jobs WHERE queue = :queue AND status = 'queued'"
    " AND scheduled <= :now",
    "active": "SELECT count(*) FROM saq_jobs WHERE queue = :queue AND status = 'active'",
    "incomplete": "SELECT count(*) FROM saq_jobs WHERE queue = :queue"
    " AND status IN ('new', 'queued', 'active', 'aborting')",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS saq_jobs (
    key TEXT PRIMARY KEY,
    queue TEXT NOT NULL,
    job BLOB NOT NULL,
    status TEXT NOT NULL,
    scheduled INTEGER NOT NULL DEFAULT 0,
    expire_at INTEGER
);
CREATE INDEX IF NOT EXISTS saq_jobs_due ON saq_jobs (queue, status, scheduled);
CREATE TABLE IF NOT EXISTS saq_stats (
    worker_id TEXT PRIMARY KEY,
    queue_key TEXT NOT NULL,
    stats TEXT NOT NULL,
    metadata TEXT,
    expire_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS saq_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until REAL NOT NULL
);
"""


class SqliteQueue(Queue):
    """A saq queue in the SQLite file at `path`, shared by every process that opens it.

    Workers look for due jobs every `poll_interval` seconds, and at once when this process
    enqueues one.
    """

    def __init__(
        self,
        path: Path,
        name: str = "default",
        *,
        poll_interval: float = 1.0,
        dump: DumpType | None = None,
        load: LoadType | None = None,
        swept_error_message: str | None = None,
    ) -> None:
        super().__init__(name=name, dump=dump, load=load, swept_error_message=swept_error_message)
        self.path = path
        self.poll_interval = poll_interval
        self._connection: sqlite3.Connection | None = None
        # One transaction at a time on the connection, held by the thread that runs it, so a
        # cancelled caller cannot let the next transaction start inside an unfinished one.
        self._lock = threading.Lock()
        # Only one of this process's waiting workers polls; the others wait their turn.
        self._polling = asyncio.Lock()
        self._enqueued = asyncio.Event()
        self._lease_holder = f"{os.getpid()}:{id(self)}"

    def __repr__(self) -> str:
        return f"SqliteQueue<path={self.path}, name={self.name}>"

    async def connect(self) -> None:
        if self._connection is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(_SCHEMA)
        self._connection = connection
        await super().connect()

    async def disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:

            def close() -> None:
                with self._lock:
                    connection.close()

            await asyncio.to_thread(close)

    async def _run(
        self, work: Callable[[sqlite3.Connection], Result], *, begin: str = "BEGIN IMMEDIATE"
    ) -> Result:
        """Run `work` in one transaction (a writing one unless told), off the event loop."""
        connection = self._connection
        if connection is None:
            raise RuntimeError(f"{self!r} is not connected")

        def in_transaction() -> Result:
            with self._lock:
                connection.execute(begin)
                try:
                    result = work(connection)
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
                return result

        return await asyncio.to_thread(in_transaction)

    async def _read(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[Any]:
        return await self._run(lambda db: db.execute(sql, parameters).fetchall(), begin="BEGIN")

    def _payload(self, job: Job) -> bytes:
        serialized = self.serialize(job)
        return serialized.encode() if isinstance(serialized, str) else serialized

    async def info(self, jobs: bool = False, offset: int = 0, limit: int = 10) -> QueueInfo:
        rows = await self._read(
            "SELECT worker_id, stats, queue_key, metadata FROM saq_stats"
            " WHERE expire_at >= ? AND queue_key = ?",
            (time.time(), self.name),
        )
        workers: dict[str, WorkerInfo] = {
            worker_id: {
                "stats": json.loads(stats),
                "queue_key": queue_key,
                "metadata": json.loads(metadata) if metadata else None,
            }
            for worker_id, stats, queue_key, metadata in rows
        }
        queued = await self.count("queued")
        active = await self.count("active")
        incomplete = await self.count("incomplete")
        listed: list[dict[str, Any]] = []
        if jobs:
            job_rows = await self._read(
                "SELECT job, status FROM saq_jobs WHERE queue = ? AND status IN"
                " ('new', 'queued', 'active', 'aborting') ORDER BY scheduled, rowid"
                " LIMIT ? OFFSET ?",
                (self.name, limit, offset),
            )
            listed = [job.to_dict() for job in self._jobs_of(job_rows)]
        return {
            "workers": workers,
            "name": self.name,
            "queued": queued,
            "active": active,
            "scheduled": incomplete - queued - active,
            "jobs": listed,
        }

    async def count(self, kind: CountKind) -> int:
        if kind not in _COUNTS:
            raise ValueError(f"cannot count jobs of kind {kind!r}")
        rows = await self._read(
            _COUNTS[kind],
            {"queue": self.name, "now": int(now_seconds())},
        )
        return int(rows[0][0])

    def _jobs_of(self, rows: Iterable[tuple[bytes, str]]) -> list[Job]:
        return [job for payload, status in rows if (job := self.deserialize(payload, status))]

    async def _take_lease(self, name: str, seconds: float) -> bool:
        """Hold the lease `name` for `seconds` unless another holder's lease is still running."""

        def take(db: sqlite3.Connection) -> bool:
            moment = time.time()
            row = db.execute(
                "INSERT INTO saq_leases (name, holder, until) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                " until = excluded.until WHERE saq_leases.holder = excluded.holder"
                " OR saq_leases.until < ? RETURNING 1",
                (name, self._lease_holder, moment + seconds, moment),
            ).fetchone()
            return row is not None

        return await self._run(take)

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        """Forget expired jobs and worker figures, and run again the jobs whose worker died."""
        if not await self._take_lease(f"sweep:{self.name}", lock * 2):
            return []
        moment = int(now_seconds())

        def expired_and_stuck(db: sqlite3.Connection) -> list[tuple[bytes, str]]:
            db.execute(
                "DELETE FROM saq_jobs WHERE queue = ?"
                " AND status IN ('aborted', 'complete', 'failed')"
                " AND expire_at IS NOT NULL AND expire_at <= ?",
                (self.name, moment),
            )
            db.execute("DELETE FROM saq_stats WHERE expire_at < ?", (time.time(),))
            return db.execute(
                "SELECT job, status FROM saq_jobs WHERE queue = ?"
                " AND status IN ('active', 'aborting')",
                (self.name,),
            ).fetchall()

        swept = []
        for job in self._jobs_of(await self._run(expired_and_stuck)):
            if not job.stuck:
                continue
            swept.append(job.key)
            logger.info("Sweeping %s", job.info(logger.isEnabledFor(logging.DEBUG)))
            await self.abort(job, error=self.swept_error_message)
            try:
                await job.refresh(abort)
            except TimeoutError:
                logger.info("Could not abort job %s", job.key)
            if job.retryable:
                await self.retry(job, error=self.swept_error_message)
            else:
                await self.finish(job, Status.ABORTED, error=self.swept_error_message)
        return swept

    async def _update(self, job: Job, status: Status | None = None, **kwargs: Any) -> None:
        expire_at = kwargs.pop("expire_at", _UNCHANGED)

        def write(db: sqlite3.Connection) -> None:
            stored = status
            if stored is None:
                row = db.execute("SELECT status FROM saq_jobs WHERE key = ?", (job.key,)).fetchone()
                stored = Status(row[0]) if row else None
            job.status = stored or job.status
            db.execute(
                "UPDATE saq_jobs SET job = :job, status = :status, scheduled = :scheduled,"
                " expire_at = CASE WHEN :keep_expiry THEN expire_at ELSE :expire_at END"
                " WHERE key = :key",
                {
                    "job": self._payload(job),
                    "status": job.status.value,
                    "scheduled": job.scheduled,
                    "keep_expiry": expire_at == _UNCHANGED,
                    "expire_at": None if expire_at == _UNCHANGED else expire_at,
                    "key": job.key,
                },
            )

        await self._run(write)

    async def job(self, job_key: str) -> Job | None:
        rows = await self._read(
            "SELECT job, status FROM saq_jobs WHERE key = ? AND queue = ?", (job_key, self.name)
        )
        found = self._jobs_of(rows)
        return found[0] if found else None

    async def jobs(self, job_keys: Iterable[str]) -> list[Job | None]:
        keys = list(job_keys)
        if not keys:
            return []
        rows = await self._read(
            "SELECT key, job, status FROM saq_jobs WHERE queue = ?"
            " AND key IN (SELECT value FROM json_each(?))",
            (self.name, json.dumps(keys)),
        )
        found = {key: self.deserialize(payload, status) for key, payload, status in rows}
        return [found.get(key) for key in keys]

    async def iter_jobs(
        self,
        statuses: list[Status] = list(Status),  # noqa: B006 (saq's signature; never changed)
        batch_size: int = 100,
    ) -> AsyncIterator[Job]:
        wanted = json.dumps([Status(status).value for status in statuses])
        last_key = ""
        while True:
            rows = await self._read(
                "SELECT key, job, status FROM saq_jobs WHERE queue = ? AND key > ?"
                " AND status IN (SELECT value FROM json_each(?)) ORDER BY key LIMIT ?",
                (self.name, last_key, wanted, batch_size),
            )
            if not rows:
                return
            for key, payload, status in rows:
                last_key = key
                if job := self.deserialize(payload, status):
                    yield job

    async def abort(self, job: Job, error: str, ttl: float = 5) -> None:
        stored = await self._read("SELECT status FROM saq_jobs WHERE key = ?", (job.key,))
        if not stored or stored[0][0] == Status.QUEUED.value:
            await self.finish(job, Status.ABORTED, error=error)
        else:
            await self.update(job, status=Status.ABORTING, error=error)

    async def dequeue(
        self,
        timeout: float = 0.0,  # noqa: ASYNC109 (saq's signature)
        poll_interval: float = 0.0,
    ) -> Job | None:
        """The next due job, claimed for this worker; None once `timeout` seconds (0: no limit)
        have passed without one, or when the queue is closed."""
        interval = poll_interval or self.poll_interval
        deadline = time.monotonic() + timeout if timeout > 0 else None

        def remaining() -> float | None:
            return None if deadline is None else max(0.0, deadline - time.monotonic())

        try:
            await asyncio.wait_for(self._polling.acquire(), remaining())
        except (TimeoutError, asyncio.CancelledError):
            return None
        try:
            while self._connection is not None:
                self._enqueued.clear()
                if job := await self._claim_due():
                    return job
                left = remaining()
                wait = interval if left is None else min(interval, left)
                if wait <= 0:
                    return None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._enqueued.wait(), wait)
        except asyncio.CancelledError:
            return None
        finally:
            self._polling.release()
        return None

    async def _claim_due(self) -> Job | None:
        def claim(db: sqlite3.Connection) -> Job | None:
            row = db.execute(
                "SELECT job FROM saq_jobs WHERE queue = ? AND status = 'queued'"
                " AND scheduled <= ? ORDER BY scheduled, rowid LIMIT 1",
                (self.name, int(now_seconds())),
            ).fetchone()
            if row is None:
                return None
            job = self.deserialize(row[0], Status.ACTIVE)
            if job is None:
                return None
            job.started = job.touched = now()
            db.execute(
                "UPDATE saq_jobs SET status = 'active', job = ? WHERE key = ?",
                (self._payload(job), job.key),
            )
            return job

        return await self._run(claim)

    async def write_worker_info(self, worker_id: str, info: WorkerInfo, ttl: int) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO saq_stats (worker_id, queue_key, stats, metadata, expire_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (worker_id) DO UPDATE SET"
                " queue_key = excluded.queue_key, stats = excluded.stats,"
                " metadata = excluded.metadata, expire_at = excluded.expire_at",
                (
                    worker_id,
                    info["queue_key"],
                    json.dumps(info["stats"]),
                    json.dumps(info["metadata"]),
                    time.time() + ttl,
                ),
            )

        await self._run(write)

    async def _retry(self, job: Job, error: str | None) -> None:
        delay = job.next_retry_delay()
        scheduled = time.time() + delay if delay else job.scheduled or now_seconds()
        await self.update(job, status=Status.QUEUED, scheduled=int(scheduled), expire_at=None)

    async def _finish(
        self, job: Job, status: Status, *, result: Any = None, error: str | None = None
    ) -> None:
        if job.ttl >= 0:
            expire_at = int(now_seconds()) + job.ttl if job.ttl > 0 else None
            await self.update(job, status=status, expire_at=expire_at)
        else:
            await self._run(lambda db: db.execute("DELETE FROM saq_jobs WHERE key = ?", (job.key,)))

    async def _enqueue(self, job: Job) -> Job | None:
        # A key already queued or running is not queued twice; a finished one is queued again
        # only for a later time (how saq's cron jobs come back round).
        def insert(db: sqlite3.Connection) -> bool:
            row = db.execute(
                "INSERT INTO saq_jobs (key, queue, job, status, scheduled) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET queue = excluded.queue, job = excluded.job,"
                " status = excluded.status, scheduled = excluded.scheduled, expire_at = NULL"
                " WHERE saq_jobs.status IN ('aborted', 'complete', 'failed')"
                " AND excluded.scheduled > saq_jobs.scheduled RETURNING 1",
                (
                    job.key,
                    self.name,
                    self._payload(job),
                    job.status.value,
                    job.scheduled or int(now_seconds()),
                ),
            ).fetchone()
            return row is not None

        if not await self._run(insert):
            return None
        self._enqueued.set()
        logger.info("Enqueuing %s", job.info(logger.isEnabledFor(logging.DEBUG)))
        return job
