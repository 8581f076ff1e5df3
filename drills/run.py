"""Fault drills: each fault is caused for real against `broadsheet serve --workers 2` on a private
PostgreSQL (and Redis) under steady load; each figure is printed and written with its bar to
drills/RESULTS.md.

    python -m drills.run            every drill
    python -m drills.run overload   some of them, by name
"""

import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from saq import Queue
from saq.job import Job, Status

from broadsheet.accounts.jobs import FORGET_EXPIRED_SESSIONS
from broadsheet.jobs import Jobs, PendingJob, queue_for
from broadsheet.settings import Settings
from drills.http import Client, Failure, Response
from drills.load import PASSWORD, Load, Record, Site, last_failure_after, now, seed
from drills.services import (
    HeldLock,
    PrivatePostgres,
    PrivateRedis,
    Server,
    established_connections,
    rss_mib,
    start_worker,
)

HTTP_PORT = 8601
POSTGRES_PORT = 8632
REDIS_PORT = 8679
GRACEFUL_TIMEOUT = 10
# The job drill's own queue: the serving processes' workers never take its job.
JOB_DRILL_QUEUE = "drill-jobs"
RESULTS = Path(__file__).with_name("RESULTS.md")


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    bar: str
    met: bool | None  # None: a figure without a bar, shown for context


@dataclass
class Rig:
    postgres: PrivatePostgres
    redis: PrivateRedis
    server: Server
    site: Site

    def comment_ids(self, database: str = "broadsheet") -> set[int]:
        out = self.postgres.psql("SELECT id FROM comments", database=database)
        return {int(line) for line in out.split()}


def p99(seconds: list[float]) -> float:
    if len(seconds) < 2:
        return seconds[0] if seconds else 0.0
    return statistics.quantiles(seconds, n=100)[98]


def _statuses(records: list[Record]) -> str:
    counts = Counter(
        r.outcome.error if isinstance(r.outcome, Failure) else str(r.outcome.status)
        for r in records
    )
    return ", ".join(f"{key}×{value}" for key, value in sorted(counts.items()))


def _lost(rig: Rig, acknowledged: set[int]) -> Figure:
    lost = acknowledged - rig.comment_ids()
    return Figure("acknowledged writes lost", f"{len(lost)} of {len(acknowledged)}", "0", not lost)


async def _steady(rig: Rig, **options: float) -> Load:
    load = Load(HTTP_PORT, rig.site, **options)  # type: ignore[arg-type]
    load.start()
    return load


async def drill_postgres_restart(rig: Rig) -> list[Figure]:
    load = await _steady(rig)
    await asyncio.sleep(3)
    down = now()
    await asyncio.to_thread(rig.postgres.stop, "immediate")
    await asyncio.sleep(3)
    await asyncio.to_thread(rig.postgres.start)
    back = now()
    await asyncio.sleep(7)
    await load.stop()
    during = load.between(down, back + 7)
    server_errors = [r for r in during if isinstance(r.outcome, Response)]
    five_hundreds = [r for r in server_errors if r.outcome.status == 500]
    unavailable = [r for r in server_errors if r.outcome.status == 503]
    without_retry_after = [r for r in unavailable if "retry-after" not in r.outcome.headers]
    dropped = [r for r in during if isinstance(r.outcome, Failure)]
    recovered = last_failure_after(load.records, back)
    return [
        Figure("outage", f"{back - down:.1f} s", "", None),
        Figure("responses during and after the outage", _statuses(during), "", None),
        Figure("500 responses", str(len(five_hundreds)), "0", not five_hundreds),
        Figure(
            "503 without Retry-After",
            f"{len(without_retry_after)} of {len(unavailable)}",
            "0",
            not without_retry_after,
        ),
        Figure("requests without any response", str(len(dropped)), "0", not dropped),
        Figure(
            "full service after the database returned",
            f"{recovered:.2f} s",
            "≤ 5 s",
            recovered <= 5,
        ),
        _lost(rig, {cid for _, cid in load.acknowledged}),
    ]


async def drill_kill_worker(rig: Rig) -> list[Figure]:
    load = await _steady(rig)
    await asyncio.sleep(3)
    workers = rig.server.workers()
    victim = workers[0]
    held = established_connections(victim, HTTP_PORT)
    startups = rig.server.startups()
    killed = now()
    os.kill(victim, signal.SIGKILL)
    # The supervisor says so only in its log, which is read as it grows.
    while rig.server.startups() <= startups and now() - killed < 30:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    replaced = now() - killed
    replacement = [pid for pid in rig.server.workers() if pid not in workers]
    await asyncio.sleep(4)
    await load.stop()
    failed = [r for r in load.between(killed - 1, now()) if r.failed]
    return [
        Figure("connections the killed worker held", str(held), "", None),
        Figure(
            "worker replaced (new process serving)",
            f"{replaced:.2f} s (pid {replacement[0] if replacement else '?'})",
            "≤ 5 s",
            replaced <= 5 and bool(replacement),
        ),
        Figure(
            "failed requests",
            f"{len(failed)} ({_statuses(failed) or 'none'})",
            f"≤ {held}",
            len(failed) <= held,
        ),
        _lost(rig, {cid for _, cid in load.acknowledged}),
    ]


EXPIRED_SESSIONS = 5000
LIVE_SESSIONS = 100


def _seed_sessions(rig: Rig) -> None:
    """Expired and live browser sessions for one writer, for the job to tell apart."""
    rig.postgres.psql(
        "INSERT INTO site_sessions (token_hash, user_id, created_at, expires_at)"  # noqa: S608
        " SELECT md5('expired' || n) || md5('e' || n), (SELECT min(id) FROM users),"
        " now() - interval '30 days', now() - interval '1 day'"
        f" FROM generate_series(1, {EXPIRED_SESSIONS}) AS n;"
        " INSERT INTO site_sessions (token_hash, user_id, created_at, expires_at)"
        " SELECT md5('live' || n) || md5('l' || n), (SELECT min(id) FROM users),"
        " now(), now() + interval '14 days'"
        f" FROM generate_series(1, {LIVE_SESSIONS}) AS n",
        database="broadsheet",
    )


def _sessions(rig: Rig, expired: bool) -> int:
    sign = "<" if expired else ">="
    out = rig.postgres.psql(
        f"SELECT count(*) FROM site_sessions WHERE expires_at {sign} now()",  # noqa: S608
        database="broadsheet",
    )
    return int(out)


async def _status_of(queue: Queue, key: str) -> Job:
    job = await queue.job(key)
    assert job is not None, f"the job {key} is not in the queue"
    return job


async def drill_kill_job_worker(rig: Rig) -> list[Figure]:
    """A `broadsheet worker` killed with -9 in the middle of a job: the job runs again on
    another worker once its timeout has passed, and its effect happens once."""
    _seed_sessions(rig)
    env = {**rig.server.env, "BROADSHEET_JOBS_QUEUE_NAME": JOB_DRILL_QUEUE}
    settings = Settings(jobs={"url": rig.redis.url, "queue_name": JOB_DRILL_QUEUE})
    jobs = Jobs(queue_for(settings))
    queue = await jobs.connect()
    lock = HeldLock(rig.postgres, "site_sessions", "broadsheet")
    victim = start_worker(rig.server.folder, env, "job-worker-killed")
    key = "drill-forget-expired-sessions"
    await jobs.send([PendingJob(FORGET_EXPIRED_SESSIONS, key=key)])
    # Mid-job: the worker has taken it and its DELETE waits on the lock.
    while (await _status_of(queue, key)).status != Status.ACTIVE:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    while "Lock" not in rig.postgres.psql(  # noqa: ASYNC110
        "SELECT wait_event_type FROM pg_stat_activity WHERE query LIKE 'DELETE FROM site%'"
    ):
        await asyncio.sleep(0.05)
    killed = now()
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    lock.release()
    survivor = start_worker(rig.server.folder, env, "job-worker")
    try:
        job = await _status_of(queue, key)
        bar = FORGET_EXPIRED_SESSIONS.timeout + 30
        await job.refresh(until_complete=bar + 30)
        rerun = now() - killed
    finally:
        survivor.send_signal(signal.SIGTERM)
        survivor.wait(timeout=60)
        await jobs.close()
    expired_left, live_left = _sessions(rig, expired=True), _sessions(rig, expired=False)
    return [
        Figure(
            "job state after the kill and the rerun",
            job.status.value,
            "complete",
            job.status == Status.COMPLETE,
        ),
        Figure(
            "attempts (the killed one, then the rerun)", str(job.attempts), "2", job.attempts == 2
        ),
        Figure(
            "from kill -9 to the job done on another worker",
            f"{rerun:.1f} s (job timeout {FORGET_EXPIRED_SESSIONS.timeout} s)",
            f"≤ {bar} s",
            rerun <= bar,
        ),
        Figure(
            "expired sessions deleted by the rerun",
            f"{job.result} of {EXPIRED_SESSIONS}",
            str(EXPIRED_SESSIONS),
            job.result == EXPIRED_SESSIONS,
        ),
        Figure("expired sessions left", str(expired_left), "0", expired_left == 0),
        Figure(
            "live sessions kept",
            f"{live_left} of {LIVE_SESSIONS}",
            str(LIVE_SESSIONS),
            live_left == LIVE_SESSIONS,
        ),
    ]


async def drill_redis_stopped(rig: Rig) -> list[Figure]:
    load = await _steady(rig)
    await asyncio.sleep(2)
    logins = Client(HTTP_PORT)
    login_outcomes: list[Record] = []

    async def try_login() -> None:
        credentials = {"email": rig.site.emails[0], "password": PASSWORD}
        outcome = await logins.request("POST", "/api/users/login", json_body={"user": credentials})
        login_outcomes.append(Record("login", outcome))

    down = now()
    await asyncio.to_thread(rig.redis.stop)
    for _ in range(5):
        await try_login()
    await asyncio.sleep(3)
    await asyncio.to_thread(rig.redis.start)
    back = now()
    await asyncio.sleep(6)
    await load.stop()
    await logins.close()
    reads = [r for r in load.between(down, back) if r.kind != "write"]
    read_errors = [r for r in reads if r.failed]
    cache_hits_after = [
        r.outcome.started - back
        for r in load.between(back, back + 6)
        if isinstance(r.outcome, Response) and r.outcome.headers.get("x-cache") == "hit"
    ]
    first_hit = min(cache_hits_after) if cache_hits_after else float("inf")
    recovered = max(last_failure_after(load.records, back), first_hit)
    limiter = Path(__file__).parents[1] / "src" / "broadsheet" / "ratelimit.py"
    return [
        Figure("reads while Redis was down", f"{len(reads)} ({_statuses(reads)})", "", None),
        Figure(
            "reads that failed (5xx or no response)", str(len(read_errors)), "0", not read_errors
        ),
        Figure(
            "sign-ins while Redis was down",
            _statuses(login_outcomes),
            "200, or 429 past the limit (ratelimit.py: limits kept per worker)"
            if limiter.exists()
            else "no login limiter in this tree: shown only",
            all(r.outcome.status in (200, 429) for r in login_outcomes)
            if limiter.exists()
            else None,
        ),
        Figure(
            "full recovery (no failures, cache hits again) after Redis returned",
            f"{recovered:.2f} s",
            "≤ 5 s",
            recovered <= 5,
        ),
        _lost(rig, {cid for _, cid in load.acknowledged}),
    ]


async def _closed_loop(rig: Rig, users: int, seconds: float) -> tuple[float, list[Record]]:
    load = Load(HTTP_PORT, rig.site, users=users, pause=0, write_share=0)
    started = now()
    load.start()
    await asyncio.sleep(seconds)
    await load.stop()
    ok = [r for r in load.records if not r.failed and r.outcome.status < 300]
    return len(ok) / (now() - started), load.records


async def drill_overload(rig: Rig) -> list[Figure]:
    _, quiet = await _closed_loop(rig, users=2, seconds=2)
    baseline = p99([r.outcome.seconds for r in quiet if not r.failed])
    capacity, _ = await _closed_loop(rig, users=24, seconds=4)
    memory_before = rss_mib(rig.server.workers())
    rate = 3 * capacity
    client = Client(HTTP_PORT, timeout=30)
    load = Load(HTTP_PORT, rig.site, write_share=0)
    pending: set[asyncio.Task[None]] = set()
    memory_peak = memory_before
    started = now()
    sent = 0
    while (elapsed := now() - started) < 6:
        while sent < rate * elapsed:
            task = asyncio.create_task(load.one_request(client))
            pending.add(task)
            task.add_done_callback(pending.discard)
            sent += 1
        memory_peak = max(memory_peak, rss_mib(rig.server.workers()))
        await asyncio.sleep(0.005)
    overload_end = now()
    await asyncio.gather(*pending)
    await client.close()
    admitted = [r.outcome.seconds for r in load.records if not r.failed and r.outcome.status < 300]
    refused = [r for r in load.records if r.outcome.status in (429, 503)]
    errors = [r for r in load.records if r.failed and r.outcome.status != 503]
    refusal_p99 = p99([r.outcome.seconds for r in refused]) if refused else 0.0
    # Back to normal: light load until every one-second window is as fast as before, unrefused.
    after = Load(HTTP_PORT, rig.site, users=2, write_share=0)
    after.start()
    await asyncio.sleep(12)
    await after.stop()
    normal_after = float("inf")
    for second in range(12):
        window_start = overload_end + second
        rest = after.between(window_start, overload_end + 12)
        healthy = all(not r.failed and r.outcome.status < 300 for r in rest)
        if rest and healthy and p99([r.outcome.seconds for r in rest]) <= max(2 * baseline, 0.1):
            normal_after = float(second)
            break
    memory_after = rss_mib(rig.server.workers())
    return [
        Figure("capacity (24 signed-in readers, closed loop)", f"{capacity:.0f} req/s", "", None),
        Figure("offered load", f"{rate:.0f} req/s for 6 s ({sent} requests)", "3× capacity", None),
        Figure("outcomes", _statuses(load.records), "", None),
        Figure(
            "refused fast (503/429)", f"{len(refused)}, p99 {refusal_p99 * 1000:.0f} ms", "", None
        ),
        Figure("errors other than 503", str(len(errors)), "0", not errors),
        Figure(
            "p99 of admitted requests",
            f"{p99(admitted) * 1000:.0f} ms (quiet p99 {baseline * 1000:.0f} ms)",
            "< 1 s",
            p99(admitted) < 1,
        ),
        Figure(
            "workers' memory before / peak / after",
            f"{memory_before:.0f} / {memory_peak:.0f} / {memory_after:.0f} MiB",
            "flat (peak ≤ before + 50 MiB)",
            memory_peak <= memory_before + 50,
        ),
        Figure(
            "back to normal after the overload",
            f"{normal_after:.0f} s",
            "≤ 10 s",
            normal_after <= 10,
        ),
    ]


async def drill_backup_under_load(rig: Rig) -> list[Figure]:
    load = await _steady(rig)
    await asyncio.sleep(3)
    began = now()
    before_backup = load.acknowledged_before(began)
    copy = rig.server.folder / "drill.dump"
    await asyncio.to_thread(rig.server.run, "backup", str(copy))
    took = now() - began
    await asyncio.sleep(1)
    await load.stop()
    rig.postgres.psql("DROP DATABASE IF EXISTS restored")
    rig.postgres.psql("CREATE DATABASE restored")
    restorer = Server(rig.server.folder, HTTP_PORT, rig.server.env)
    restorer.env = {**rig.server.env, "DATABASE_URL": rig.postgres.database_url("restored")}
    await asyncio.to_thread(restorer.run, "restore", str(copy))
    missing = before_backup - rig.comment_ids("restored")
    return [
        Figure("backup took", f"{took:.2f} s under load", "", None),
        Figure(
            "writes acknowledged before the backup began, missing from the restored copy",
            f"{len(missing)} of {len(before_backup)}",
            "0",
            not missing and bool(before_backup),
        ),
        Figure(
            "failed requests during the backup",
            str(len([r for r in load.records if r.failed])),
            "0",
            not any(r.failed for r in load.records),
        ),
    ]


async def drill_sigterm(rig: Rig) -> list[Figure]:
    load = await _steady(rig)
    await asyncio.sleep(2)
    slow_client = Client(HTTP_PORT)
    token = rig.site.tokens[0]
    slow = asyncio.create_task(
        slow_client.request(
            "POST",
            f"/api/articles/{rig.site.slugs[0]}/comments",
            json_body={"comment": {"body": "uploaded slowly, across the shutdown"}},
            headers={"Authorization": f"Token {token}"},
            body_pause=3,
        )
    )
    await asyncio.sleep(1)
    terminated = now()
    exit_seconds = await asyncio.to_thread(rig.server.terminate)
    slow_outcome = await slow
    await load.stop()
    in_flight = [r for r in load.records if r.outcome.started < terminated < r.outcome.finished] + [
        Record("slow upload", slow_outcome)
    ]
    failed_in_flight = [r for r in in_flight if r.failed or r.outcome.status >= 400]
    later = [r for r in load.records if r.outcome.started >= terminated]
    acknowledged = {cid for _, cid in load.acknowledged}
    if isinstance(slow_outcome, Response) and slow_outcome.status == 200:
        acknowledged.add(slow_outcome.json()["comment"]["id"])
    return [
        Figure(
            "slow upload in flight at SIGTERM",
            f"{slow_outcome.status or slow_outcome.error} after {slow_outcome.seconds:.1f} s",  # type: ignore[union-attr]
            "200",
            slow_outcome.status == 200,
        ),
        Figure(
            "in-flight requests that failed",
            f"{len(failed_in_flight)} of {len(in_flight)}",
            "0",
            not failed_in_flight,
        ),
        Figure(
            "requests sent after SIGTERM", _statuses(later) or "none", "refused: expected", None
        ),
        Figure(
            "exit after SIGTERM",
            f"{exit_seconds:.2f} s",
            f"≤ graceful timeout ({GRACEFUL_TIMEOUT} s)",
            exit_seconds <= GRACEFUL_TIMEOUT,
        ),
        _lost(rig, acknowledged),
    ]


DRILLS: dict[str, tuple[str, Callable[[Rig], Awaitable[list[Figure]]]]] = {
    "postgres": ("PostgreSQL restarted mid-load", drill_postgres_restart),
    "kill": ("kill -9 of one worker under load", drill_kill_worker),
    "job": ("kill -9 of a job worker in the middle of a job", drill_kill_job_worker),
    "redis": ("Redis stopped under load", drill_redis_stopped),
    "overload": ("Overload at 3× capacity", drill_overload),
    "backup": ("Backup and restore under load", drill_backup_under_load),
    "sigterm": ("SIGTERM under load with a slow request in flight", drill_sigterm),
}


def _print(title: str, figures: list[Figure]) -> None:
    print(f"\n== {title}", flush=True)
    for figure in figures:
        verdict = "" if figure.met is None else ("  ok" if figure.met else "  NOT MET")
        bar = f"  (bar: {figure.bar})" if figure.bar else ""
        print(f"   {figure.name}: {figure.value}{bar}{verdict}", flush=True)


def _write_results(results: list[tuple[str, list[Figure]]], seconds: float) -> None:
    lines = [
        "# Fault drills",
        "",
        "Written by `make drills` (`python -m drills.run`): each fault caused for real against",
        "`broadsheet serve --workers 2` on a private PostgreSQL and Redis, under steady load from",
        "six virtual users (anonymous list reads, signed-in story reads, new comments).",
        f"Machine: {os.cpu_count()} cores, shared; whole run {seconds:.0f} s.",
        "",
    ]
    for title, figures in results:
        lines += [f"## {title}", "", "| figure | measured | bar | met |", "|---|---|---|---|"]
        for f in figures:
            met = "" if f.met is None else ("yes" if f.met else "**no**")
            lines.append(f"| {f.name} | {f.value} | {f.bar} | {met} |")
        lines.append("")
    RESULTS.write_text("\n".join(lines))


async def main(names: list[str]) -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="broadsheet-drills-") as scratch:
        folder = Path(scratch)
        os.chmod(folder, 0o755)  # noqa: S103 (the postgres user must reach its cluster)
        postgres = PrivatePostgres(folder, POSTGRES_PORT)
        redis = PrivateRedis(folder, REDIS_PORT)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")},
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "BROADSHEET_SECRET_KEY": "drill-secret-key-" + "x" * 32,
            "BROADSHEET_PASSWORD_MEMORY_KIB": "1024",
            "BROADSHEET_PASSWORD_TIME_COST": "1",
            # INFO, as in production: the drills read worker start-ups from the log.
            "BROADSHEET_LOG_LEVEL": "INFO",
        }
        server = Server(folder, HTTP_PORT, env, graceful_timeout=GRACEFUL_TIMEOUT)
        results: list[tuple[str, list[Figure]]] = []
        try:
            await asyncio.to_thread(postgres.create)
            await asyncio.to_thread(redis.start)
            await asyncio.to_thread(server.run, "migrate")
            await asyncio.to_thread(server.start)
            rig = Rig(postgres, redis, server, await seed(HTTP_PORT))
            for name in names:
                title, drill = DRILLS[name]
                if server.process is None:
                    await asyncio.to_thread(server.start)
                figures = await drill(rig)
                _print(title, figures)
                results.append((title, figures))
        finally:
            kept_log = Path(tempfile.gettempdir()) / "broadsheet-drills-serve.log"
            if server.log_path.exists():
                shutil.copy(server.log_path, kept_log)
                print(f"the server's log is kept in {kept_log}")
            for stop in (server.stop, redis.stop, postgres.stop):
                try:
                    stop()
                except Exception as error:
                    print(f"while stopping: {error}", file=sys.stderr)
    _write_results(results, time.monotonic() - started)
    print(f"\nwrote {RESULTS}")
    return 0 if all(f.met is not False for _, figures in results for f in figures) else 1


if __name__ == "__main__":
    chosen = sys.argv[1:] or list(DRILLS)
    sys.exit(asyncio.run(main(chosen)))
