"""Jobs: sent after the commit and never after a rollback, run by the worker against a real
WebSub hub, retried, kept as dead letters, retried by an operator, counted in the metrics."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs

import httpx
import pytest
from saq import Worker
from saq.job import Job, Status
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from broadsheet.accounts.jobs import FORGET_EXPIRED_SESSIONS
from broadsheet.accounts.models import SiteSession, User
from broadsheet.articles import service as articles
from broadsheet.articles.jobs import ANNOUNCE_FEEDS, PUBLISH_DUE_STORIES
from broadsheet.articles.models import Article
from broadsheet.articles.schemas import ArticleCreate
from broadsheet.cli import app as cli
from broadsheet.db import session_scope
from broadsheet.jobs import Context, Jobs, Kind, PendingJob, queue_for
from broadsheet.lib.clock import isoformat, utcnow
from broadsheet.reactions.jobs import RANK_POPULAR_STORIES
from broadsheet.worker import build_worker, stop_worker
from tests.conftest import Backend, settings_for_tests
from tests.helpers import publish, redis_or_skip, sign_up


class Hub:
    """A WebSub hub on loopback that records the pings it is sent and answers `status`."""

    def __init__(self) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.status = 202
        self.pinged = threading.Event()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hub.pings.append(parse_qs(self.rfile.read(length).decode()))
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                hub.pinged.set()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hub"

    async def next_ping(self) -> None:
        assert await asyncio.to_thread(self.pinged.wait, 30), "the hub was never told"
        self.pinged.clear()

    @property
    def announced(self) -> list[str]:
        return sorted(url for ping in self.pings for url in ping["hub.url"])


@pytest.fixture
def hub() -> Iterator[Hub]:
    hub = Hub()
    thread = threading.Thread(target=hub.server.serve_forever, daemon=True)
    thread.start()
    yield hub
    hub.server.shutdown()
    hub.server.server_close()


@pytest.fixture
async def worker_for(backend: Backend, hub: Hub) -> AsyncIterator[object]:
    """Start a worker on the backend's queue, with the hub configured; stopped at the end."""
    started: list[tuple[Worker[Context], asyncio.Task[None]]] = []
    settings = backend.settings.model_copy(
        update={"websub_hub": hub.url, "base_url": "https://news.example"}
    )

    async def start(*kinds: Kind) -> Worker[Context]:
        await backend.database.jobs.connect()
        worker = build_worker(settings, backend.database, kinds=kinds, periodic=())
        started.append((worker, asyncio.create_task(worker.start())))
        return worker

    yield start
    for worker, task in started:
        await stop_worker(worker)
        await task


def _new_story(title: str = "Jobs after the commit") -> ArticleCreate:
    return ArticleCreate(title=title, description="d", body="Body.", tag_list=[])


async def _user(session: AsyncSession, username: str) -> User:
    return (await session.scalars(select(User).where(User.username == username))).one()


async def _queued(backend: Backend, key: str) -> Job | None:
    queue = await backend.database.jobs.connect()
    return await queue.job(key)


@pytest.mark.engines("sqlite", "postgresql")
async def test_a_job_asked_for_is_queued_only_once_the_transaction_commits(backend, client):
    writer = await sign_up(client)
    async with session_scope(backend.database) as session:
        author = await _user(session, writer.username)
        await articles.write(session, _new_story(), by=author)
        assert await _queued(backend, f"announce-feeds:{writer.username}") is None
    job = await _queued(backend, f"announce-feeds:{writer.username}")
    assert job is not None
    assert job.function == ANNOUNCE_FEEDS.name
    assert job.kwargs == {"paths": ["/feed.atom", f"/@{writer.username}/feed.atom"]}
    assert job.scheduled > utcnow().timestamp()  # a burst of edits is announced once


@pytest.mark.engines("sqlite", "postgresql")
async def test_a_job_asked_for_by_a_transaction_that_rolls_back_is_never_sent(backend, client):
    writer = await sign_up(client)

    async def write_then_fail() -> None:
        async with session_scope(backend.database) as session:
            author = await _user(session, writer.username)
            await articles.write(session, _new_story(), by=author)
            raise RuntimeError("after the write")

    with pytest.raises(RuntimeError, match="after the write"):
        await write_then_fail()
    assert await _queued(backend, f"announce-feeds:{writer.username}") is None


async def test_publishing_through_the_api_queues_the_announcement(backend, client):
    writer = await sign_up(client)
    await publish(client, writer)
    assert await _queued(backend, f"announce-feeds:{writer.username}") is not None


async def test_a_rejected_request_queues_nothing(backend, client):
    writer = await sign_up(client)
    answer = await client.post(
        "/api/articles", json={"article": {"title": ""}}, headers=writer.headers
    )
    assert answer.status_code == 422
    assert await _queued(backend, f"announce-feeds:{writer.username}") is None


@pytest.mark.engines("sqlite")
async def test_the_worker_tells_the_hub_which_feeds_changed(backend, hub, worker_for):
    await worker_for(ANNOUNCE_FEEDS)
    await backend.database.jobs.send(
        [PendingJob(ANNOUNCE_FEEDS, {"paths": ["/feed.atom", "/@ada/feed.atom"]})]
    )
    await hub.next_ping()
    await hub.next_ping()
    assert hub.announced == [
        "https://news.example/@ada/feed.atom",
        "https://news.example/feed.atom",
    ]
    assert {mode for ping in hub.pings for mode in ping["hub.mode"]} == {"publish"}


@pytest.mark.engines("sqlite")
async def test_feeds_name_the_hub_when_one_is_configured(tmp_path: Path, hub) -> None:
    from broadsheet import migrate
    from broadsheet.app import create_app

    settings = settings_for_tests(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", websub_hub=hub.url)
    app = create_app(settings)
    await migrate.upgrade(app.state.database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        feed = (await client.get("/feed.atom")).text
    await app.state.database.dispose()
    assert f'<link rel="hub" href="{hub.url}"/>' in feed


async def test_feeds_name_no_hub_by_default(client) -> None:
    assert 'rel="hub"' not in (await client.get("/feed.atom")).text


@pytest.mark.parametrize("embedded", [True, False])
async def test_serving_runs_a_worker_unless_told_not_to(tmp_path: Path, hub, embedded) -> None:
    from broadsheet import migrate
    from broadsheet.app import create_app

    settings = settings_for_tests(
        f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        websub_hub=hub.url,
        worker={"embedded": embedded},
    )
    app = create_app(settings)
    await migrate.upgrade(app.state.database)
    async with app.router.lifespan_context(app):
        assert (app.state.worker is not None) == embedded
        if embedded:
            await app.state.database.jobs.send([PendingJob(ANNOUNCE_FEEDS, {"paths": ["/x"]})])
            await hub.next_ping()
            assert hub.announced == [f"{settings.base_url}/x"]


async def test_the_embedded_worker_publishes_a_scheduled_story_whose_time_has_come(
    tmp_path: Path,
) -> None:
    from broadsheet import migrate
    from broadsheet.app import create_app

    settings = settings_for_tests(
        f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", worker={"embedded": True}
    )
    app = create_app(settings)
    await migrate.upgrade(app.state.database)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        writer = await sign_up(client)
        story = await publish(client, writer, publishAt=isoformat(utcnow() + timedelta(hours=1)))
        assert (await client.get("/api/articles")).json()["articlesCount"] == 0
        # The hour passes.
        async with session_scope(app.state.database) as session:
            await session.execute(
                update(Article)
                .where(Article.slug == story["slug"])
                .values(published_at=utcnow() - timedelta(seconds=1))
            )
        # Read as a reader would: the story arrives when the worker's sweep has committed,
        # which nothing in this process announces. The timeout only stops a worker that never
        # sweeps.
        async with asyncio.timeout(120):
            while (await client.get("/api/articles")).json()["articlesCount"] == 0:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        listed = (await client.get("/api/articles")).json()["articles"]
    assert [item["slug"] for item in listed] == [story["slug"]]
    assert listed[0]["status"] == "published"


# Two quick attempts, so that a test sees the last one fail at once.
QUICK = Kind(ANNOUNCE_FEEDS.function, attempts=2, retry_delay=0, max_retry_delay=0)


@pytest.mark.engines("sqlite")
async def test_a_job_failing_every_attempt_is_kept_and_can_be_retried(backend, hub, worker_for):
    hub.status = 503
    await worker_for(QUICK)
    await backend.database.jobs.send([PendingJob(QUICK, {"paths": ["/feed.atom"]}, key="ping")])
    job = await _queued(backend, "ping")
    assert job is not None
    await job.refresh(until_complete=30)
    assert (job.status, job.attempts, len(hub.pings)) == (Status.FAILED, 2, 2)
    assert "503 Service Unavailable" in (job.error or "")

    dead = await backend.database.jobs.dead_letters()
    assert [(each.key, each.function) for each in dead] == [("ping", ANNOUNCE_FEEDS.name)]

    hub.status = 202
    assert await backend.database.jobs.retry("ping") is not None
    await job.refresh(until_complete=30)
    assert job.status == Status.COMPLETE
    assert await backend.database.jobs.dead_letters() == []
    assert await backend.database.jobs.retry("ping") is None  # nothing left to retry


@pytest.mark.engines("sqlite")
async def test_job_runs_and_queue_depth_are_in_the_metrics(backend, client, hub, worker_for):
    await worker_for(ANNOUNCE_FEEDS)
    later = utcnow() + timedelta(hours=1)
    await backend.database.jobs.send(
        [
            PendingJob(ANNOUNCE_FEEDS, {"paths": ["/feed.atom"]}, key="now"),
            PendingJob(ANNOUNCE_FEEDS, {"paths": ["/feed.atom"]}, at=later, key="later"),
        ]
    )
    job = await _queued(backend, "now")
    assert job is not None
    await job.refresh(until_complete=30)
    figures = (await client.get("/metrics")).text
    assert 'broadsheet_job_runs_total{job="announce_feeds",outcome="complete"}' in figures, figures
    assert 'broadsheet_job_duration_seconds_count{job="announce_feeds"}' in figures
    assert 'broadsheet_jobs{state="scheduled"} 1.0' in figures


async def test_expired_sessions_are_forgotten_and_live_ones_kept(backend, client):
    writer = await sign_up(client)
    async with session_scope(backend.database) as session:
        user = await _user(session, writer.username)
        for token, expires in (("old", -1), ("live", +1)):
            session.add(
                SiteSession(
                    token_hash=token * 16,
                    user_id=user.id,
                    expires_at=utcnow() + timedelta(days=expires),
                )
            )
    context = cast(Context, {"database": backend.database, "settings": backend.settings})
    assert await FORGET_EXPIRED_SESSIONS.function(context) == 1
    assert await FORGET_EXPIRED_SESSIONS.function(context) == 0  # run again: the same effect
    async with session_scope(backend.database, write=False) as session:
        left = await session.scalars(select(SiteSession.token_hash))
        assert list(left) == ["live" * 16]
        assert await session.scalar(select(func.count()).select_from(SiteSession)) == 1


async def test_dead_letters_are_kept_in_redis_too(tmp_path: Path) -> None:
    redis_url = await redis_or_skip()
    settings = settings_for_tests(
        f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        jobs={"url": redis_url, "queue_name": f"test-{tmp_path.name}"},
    )
    queue = Jobs(queue_for(settings))
    connected = await queue.connect()
    job = QUICK.job({"paths": []}, key="dead")
    await connected.enqueue(job)
    await connected.finish(job, Status.FAILED, error="it failed")
    assert [each.key for each in await queue.dead_letters()] == ["dead"]
    assert await queue.retry("dead") is not None
    assert await queue.dead_letters() == []
    await connected.redis.delete(*await connected.redis.keys(f"saq:*{tmp_path.name}*"))
    await queue.close()


def test_jobs_list_and_retry_from_the_command_line(tmp_path: Path) -> None:
    jobs_file = tmp_path / "jobs.db"
    runner = CliRunner()

    def run(*arguments: str) -> Result:
        return runner.invoke(cli, list(arguments), env={"BROADSHEET_JOBS_FILE": str(jobs_file)})

    async def fail_one() -> None:
        queue = Jobs(queue_for(settings_for_tests("sqlite://", jobs={"file": jobs_file})))
        connected = await queue.connect()
        job = QUICK.job({"paths": ["/feed.atom"]}, key="stuck-ping")
        await connected.enqueue(job)
        job.attempts = 2
        await connected.finish(job, Status.FAILED, error="Traceback\nHTTPStatusError: 503")
        await queue.close()

    assert run("jobs", "list").stdout == "no failed jobs\n"
    asyncio.run(fail_one())
    listed = run("jobs", "list")
    assert listed.exit_code == 0, listed.output
    assert "stuck-ping  announce_feeds  failed after 2 attempts" in listed.stdout
    assert "HTTPStatusError: 503" in listed.stdout

    unknown = run("jobs", "retry", "no-such-job")
    assert unknown.exit_code == 1
    assert "no failed job with the key no-such-job" in unknown.stderr
    assert run("jobs", "retry").exit_code == 2
    retried = run("jobs", "retry", "stuck-ping")
    assert retried.exit_code == 0, retried.output
    assert run("jobs", "list").stdout == "no failed jobs\n"


@pytest.mark.engines("sqlite")
async def test_a_periodic_job_is_queued_once_for_its_next_time_by_any_number_of_workers(
    backend,
) -> None:
    await backend.database.jobs.connect()
    workers = [build_worker(backend.settings, backend.database) for _ in range(3)]
    for worker in workers:
        await worker.schedule()
    queue = backend.database.jobs.queue
    info = await queue.info(jobs=True)
    cron = {job["key"]: job for job in info["jobs"] if job["key"].startswith("cron:")}
    forget = f"cron:{FORGET_EXPIRED_SESSIONS.name}"
    publish_due = f"cron:{PUBLISH_DUE_STORIES.name}"
    rank_popular = f"cron:{RANK_POPULAR_STORIES.name}"
    assert sorted(cron) == sorted([forget, publish_due, rank_popular])
    next_time = datetime.fromtimestamp(cron[forget]["scheduled"], UTC)
    assert (next_time.minute, next_time.second) == (17, 0)
    assert timedelta(0) < next_time - datetime.now(UTC) <= timedelta(hours=1)
    next_sweep = datetime.fromtimestamp(cron[publish_due]["scheduled"], UTC)
    assert next_sweep.second % 10 == 0
    assert timedelta(0) < next_sweep - datetime.now(UTC) <= timedelta(seconds=10)
    next_ranking = datetime.fromtimestamp(cron[rank_popular]["scheduled"], UTC)
    assert (next_ranking.minute % 10, next_ranking.second) == (0, 0)
