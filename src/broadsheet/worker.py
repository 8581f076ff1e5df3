"""The worker: runs queued jobs and the periodic ones on time, and counts them in the metrics.

`broadsheet worker` runs one on its own; `broadsheet serve` runs one in each of its processes
unless BROADSHEET_WORKER_EMBEDDED=false. However many there are, on however many machines, each
job runs once per attempt and each periodic job once per time.
"""

import asyncio
import contextlib
import time
from collections.abc import Sequence

from saq import CronJob, Worker
from saq.job import Status
from saq.types import PartialTimersDict

from broadsheet.accounts.jobs import FORGET_EXPIRED_SESSIONS
from broadsheet.articles.jobs import ANNOUNCE_FEEDS, PUBLISH_DUE_CRON, PUBLISH_DUE_STORIES
from broadsheet.db import Database
from broadsheet.jobs import Context, Kind
from broadsheet.metrics import JOB_DURATION, JOB_RUNS
from broadsheet.reactions.jobs import RANK_POPULAR_CRON, RANK_POPULAR_STORIES
from broadsheet.settings import Settings

KINDS: Sequence[Kind] = (
    FORGET_EXPIRED_SESSIONS,
    ANNOUNCE_FEEDS,
    PUBLISH_DUE_STORIES,
    RANK_POPULAR_STORIES,
)
# Each kind with its cron times (minute hour day month weekday [second], UTC).
PERIODIC: Sequence[tuple[Kind, str]] = (
    (FORGET_EXPIRED_SESSIONS, "17 * * * *"),
    (PUBLISH_DUE_STORIES, PUBLISH_DUE_CRON),
    (RANK_POPULAR_STORIES, RANK_POPULAR_CRON),
)

# A job whose worker died is run again once its timeout has passed and a sweep has seen it.
TIMERS: PartialTimersDict = {"schedule": 1, "worker_info": 10, "sweep": 10, "abort": 1}
_OUTCOMES = {
    Status.COMPLETE: "complete",
    Status.QUEUED: "retried",
    Status.FAILED: "failed",
    Status.ABORTED: "aborted",
}


async def _note_start(ctx: Context) -> None:
    ctx["started"] = time.perf_counter()


async def _count(ctx: Context) -> None:
    job = ctx["job"]
    JOB_RUNS.labels(job.function, _OUTCOMES.get(job.status, job.status.value)).inc()
    JOB_DURATION.labels(job.function).observe(time.perf_counter() - ctx["started"])


def build_worker(
    settings: Settings,
    database: Database,
    *,
    kinds: Sequence[Kind] = KINDS,
    periodic: Sequence[tuple[Kind, str]] = PERIODIC,
) -> Worker[Context]:
    """A worker on the configured queue; the caller connects the queue and handles signals."""
    names = [kind.name for kind in kinds]
    if len(set(names)) != len(names):
        raise ValueError(f"two kinds of job share a name: {sorted(names)}")

    async def provide(ctx: Context) -> None:
        ctx["settings"] = settings
        ctx["database"] = database

    worker: Worker[Context] = Worker(
        database.jobs.queue,
        functions=[(kind.name, kind.function) for kind in kinds],
        cron_jobs=[
            CronJob(kind.function, cron=cron, timeout=kind.timeout, retries=kind.attempts)
            for kind, cron in periodic
        ],
        concurrency=settings.worker.concurrency,
        startup=provide,
        before_process=_note_start,
        after_process=_count,
        timers=TIMERS,
        # Idle workers look up from the queue this often, so that stopping need not wait.
        dequeue_timeout=1,
        shutdown_grace_period_s=settings.worker.grace_seconds,
    )
    worker.SIGNALS = []
    return worker


async def stop_worker(worker: Worker[Context]) -> None:
    """Let running jobs finish (within the grace period) and stop at once otherwise: saq would
    wait for its upkeep tasks to wake from their sleep (up to the sweep interval)."""
    worker.event.set()
    for task in worker.tasks:
        if task.get_name() != "process":
            task.cancel()
    await worker.stop()


class EmbeddedWorker:
    """A worker on the serving process's event loop, stopped with it."""

    def __init__(self, worker: Worker[Context], database: Database) -> None:
        self.worker = worker
        self.database = database
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.database.jobs.connect()
        self._task = asyncio.create_task(self.worker.start(), name="embedded worker")

    async def stop(self) -> None:
        await stop_worker(self.worker)
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
