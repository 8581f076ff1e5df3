"""The SQLite queue under saq's own worker: runs, retries, schedules, exactly-once claims and the
sweep that runs again what a dead worker held."""

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from saq import Worker
from saq.job import Job, Status

from broadsheet.lib.sqlite_queue import SqliteQueue

Context = dict[str, Any]


@pytest.fixture
async def queue(tmp_path: Path) -> AsyncIterator[SqliteQueue]:
    queue = SqliteQueue(tmp_path / "jobs.db", poll_interval=0.05)
    await queue.connect()
    yield queue
    await queue.disconnect()


class Runs:
    """What the job functions saw, and an event per awaited count."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.total = 0
        self.changed = asyncio.Event()

    def record(self, key: str) -> None:
        self.keys[key] += 1
        self.total += 1
        self.changed.set()

    async def reach(self, total: int) -> None:
        while self.total < total:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 30)


def worker_on(queue: SqliteQueue, runs: Runs, *, concurrency: int = 4) -> Worker[Context]:
    async def record(ctx: Context, *, name: str) -> str:
        runs.record(name)
        return name.upper()

    async def fail(ctx: Context) -> None:
        runs.record(ctx["job"].key)
        raise RuntimeError("this job always fails")

    worker: Worker[Context] = Worker(
        queue,
        functions=[("record", record), ("fail", fail)],
        concurrency=concurrency,
        timers={"sweep": 3600, "schedule": 3600},
    )
    worker.SIGNALS = []
    return worker


async def running(worker: Worker[Context]) -> asyncio.Task[None]:
    return asyncio.create_task(worker.start())


async def stop(worker: Worker[Context], task: asyncio.Task[None]) -> None:
    await worker.stop()
    await task


async def drained(queue: SqliteQueue) -> None:
    """Return once every job has finished (its result written, not only run)."""
    # The queue tells of no such moment: look until it comes (the caller bounds the wait).
    while await queue.count("incomplete"):  # noqa: ASYNC110
        await asyncio.sleep(0.02)


async def test_a_job_runs_and_keeps_its_result(queue: SqliteQueue) -> None:
    runs = Runs()
    worker = worker_on(queue, runs)
    task = await running(worker)
    job = await queue.enqueue("record", name="story")
    assert job is not None
    await job.refresh(until_complete=30)
    await stop(worker, task)
    assert job.status == Status.COMPLETE
    assert job.result == "STORY"
    assert runs.keys == {"story": 1}


async def test_a_failing_job_is_tried_its_number_of_times_then_failed(queue: SqliteQueue) -> None:
    runs = Runs()
    worker = worker_on(queue, runs)
    task = await running(worker)
    job = await queue.enqueue("fail", retries=3, retry_delay=0.01, retry_backoff=True)
    assert job is not None
    await runs.reach(3)
    await job.refresh(until_complete=30)
    await stop(worker, task)
    assert job.status == Status.FAILED
    assert job.attempts == 3
    assert "this job always fails" in (job.error or "")


async def test_a_job_scheduled_for_later_waits_and_counts_as_scheduled(
    queue: SqliteQueue,
) -> None:
    later = await queue.enqueue("record", name="later", scheduled=int(time.time()) + 3600)
    now = await queue.enqueue("record", name="now")
    assert later is not None
    assert now is not None
    info = await queue.info(jobs=True)
    assert (info["queued"], info["scheduled"]) == (1, 1)
    assert [job["key"] for job in info["jobs"]] == [now.key, later.key]
    claimed = await queue.dequeue(timeout=0.2)
    assert claimed is not None
    assert claimed.key == now.key
    assert await queue.dequeue(timeout=0.2) is None


async def test_a_key_is_queued_once_and_again_only_for_a_later_time(queue: SqliteQueue) -> None:
    """How cron jobs from many workers come to be queued once per time."""
    first = await queue.enqueue("record", key="tick", scheduled=100)
    assert first is not None
    assert await queue.enqueue("record", key="tick", scheduled=200) is None
    await queue.finish(first, Status.COMPLETE)
    assert await queue.enqueue("record", key="tick", scheduled=100) is None
    assert await queue.enqueue("record", key="tick", scheduled=200) is not None
    assert await queue.count("incomplete") == 1


async def test_queues_sharing_a_file_claim_each_job_exactly_once(tmp_path: Path) -> None:
    queues = [SqliteQueue(tmp_path / "jobs.db", poll_interval=0.02) for _ in range(3)]
    for each in queues:
        await each.connect()
    runs = Runs()
    workers = [worker_on(each, runs) for each in queues]
    tasks = [await running(worker) for worker in workers]
    keys = [f"job-{number}" for number in range(150)]
    for number, key in enumerate(keys):
        await queues[number % 3].enqueue("record", name=key)
    await runs.reach(len(keys))
    await asyncio.wait_for(drained(queues[0]), 30)
    for worker, task in zip(workers, tasks, strict=True):
        await stop(worker, task)
    assert runs.keys == dict.fromkeys(keys, 1)
    for each in queues:
        await each.disconnect()


def _claimed_long_ago(path: Path, job: Job, *, seconds: int) -> None:
    """Make the claim of `job` look `seconds` old, as when its worker died back then."""
    with sqlite3.connect(path) as db:
        payload = db.execute("SELECT job FROM saq_jobs WHERE key = ?", (job.key,)).fetchone()[0]
        stale = job.queue.deserialize(payload)  # type: ignore[union-attr]
        assert stale is not None
        stale.started = stale.touched = stale.started - seconds * 1000
        db.execute(
            "UPDATE saq_jobs SET job = ? WHERE key = ?",
            (job.queue.serialize(stale), job.key),  # type: ignore[union-attr]
        )


async def test_a_job_whose_worker_died_is_swept_and_run_again(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    dead = SqliteQueue(path)
    await dead.connect()
    job = await dead.enqueue("record", name="orphan", timeout=5, retries=2)
    assert job is not None
    claimed = await dead.dequeue(timeout=1)
    assert claimed is not None
    await dead.disconnect()  # the worker died with the job in hand
    _claimed_long_ago(path, claimed, seconds=60)

    alive = SqliteQueue(path, poll_interval=0.05)
    await alive.connect()
    runs = Runs()
    worker = worker_on(alive, runs)
    task = await running(worker)
    assert await alive.sweep(abort=0.1) == [job.key]
    await runs.reach(1)
    rerun = await alive.job(job.key)
    assert rerun is not None
    await rerun.refresh(until_complete=30)
    await stop(worker, task)
    await alive.disconnect()
    assert runs.keys == {"orphan": 1}
    assert rerun.status == Status.COMPLETE


async def test_one_queue_sweeps_at_a_time(tmp_path: Path) -> None:
    first, second = SqliteQueue(tmp_path / "jobs.db"), SqliteQueue(tmp_path / "jobs.db")
    await first.connect()
    await second.connect()
    assert await first._take_lease("sweep:default", 60)
    assert not await second._take_lease("sweep:default", 60)
    assert await first._take_lease("sweep:default", 60)
    await first.disconnect()
    await second.disconnect()
