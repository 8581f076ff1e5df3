"""The edge as a real server sees it: clients that send their bodies slowly, and forwarded
headers when Broadsheet runs under a plain `uvicorn` rather than `broadsheet serve`."""

import asyncio
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import PASSWORD
from tests.test_cli import (
    Cli,
    cli,
    free_port,
    migrated,
    migrated_database,
    stop,
    wait_until_serving,
)

__all__ = ["cli", "migrated", "migrated_database"]  # fixtures, used by name

SLOW_CLIENTS = 150
SLOW_SECONDS = 15


@pytest.fixture
def serving(migrated: Cli) -> Iterator[int]:
    port = free_port()
    server = migrated.start("serve", "--port", str(port))
    try:
        wait_until_serving(server, port)
        yield port
    finally:
        stop(server)


async def trickle(port: int, sent: asyncio.Event) -> bytes:
    """A client that starts a sign-up and sends its body one byte a second; what it got back
    before it gave up (nothing, if the server kept waiting)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST /api/users HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    writer.write(head.encode())
    await writer.drain()
    sent.set()
    answer = b""
    try:
        for _ in range(SLOW_SECONDS):
            writer.write(b" ")
            await writer.drain()
            try:
                answer = await asyncio.wait_for(reader.read(1024), timeout=1)
            except TimeoutError:
                continue
            break
    finally:
        writer.close()
    return answer


async def test_slow_bodies_leave_every_place_to_requests_being_worked_on(serving):
    port = serving
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        user = {"username": "steady", "email": "steady@example.com", "password": PASSWORD}
        signed_up = await client.post("/api/users", json={"user": user})
        token = {"Authorization": f"Token {signed_up.json()['user']['token']}"}
        started = [asyncio.Event() for _ in range(SLOW_CLIENTS)]
        slow = [asyncio.create_task(trickle(port, event)) for event in started]
        for event in started:
            await event.wait()

        statuses = []
        while not all(task.done() for task in slow):
            me = await client.get("/api/user", headers=token)
            bio = await client.put("/api/user", json={"user": {"bio": "Here"}}, headers=token)
            statuses += [me.status_code, bio.status_code]
            await asyncio.sleep(0.5)  # an ordinary reader's pace
        answers = [task.result() for task in slow]

    assert len(statuses) >= 2 * SLOW_SECONDS
    assert set(statuses) == {200}, statuses
    # The slow clients were all still being waited for: none was turned away as busy.
    assert answers == [b""] * SLOW_CLIENTS


def run_uvicorn(cli: Cli, port: int, **env: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "uvicorn", "broadsheet.app:create_app", "--factory"]
    return subprocess.Popen(  # noqa: S603 (our own command, our own arguments)
        [*command, "--port", str(port)],
        cwd=cli.directory,
        env=cli.env | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


@pytest.mark.parametrize(
    ("trusted", "believed"), [({}, False), ({"BROADSHEET_TRUSTED_PROXIES": "127.0.0.1/32"}, True)]
)
def test_plain_uvicorn_believes_forwarded_headers_only_from_trusted_proxies(
    migrated, trusted, believed
):
    port = free_port()
    server = run_uvicorn(migrated, port, **trusted)
    try:
        wait_until_serving(server, port)
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", headers=FORWARDED)
        sign_in = httpx.get(f"http://127.0.0.1:{port}/signin", headers=FORWARDED)
    finally:
        stop(server)

    # /metrics is not found from anywhere but loopback; 203.0.113.9 is someone else.
    assert metrics.status_code == (404 if believed else 200), metrics.text
    cookies = sign_in.headers.get_list("set-cookie")
    assert cookies
    assert all(("; secure" in cookie.lower()) == believed for cookie in cookies), cookies


def test_serve_without_a_base_url_links_to_where_it_listens(serving):
    port = serving

    moved = httpx.get(f"http://127.0.0.1:{port}/signin/")
    by_name = httpx.get(f"http://localhost:{port}/api/tags")
    elsewhere = httpx.get(f"http://127.0.0.1:{port}/api/tags", headers={"Host": "evil.example"})

    assert moved.status_code == 307
    assert moved.headers["location"] == f"http://127.0.0.1:{port}/signin"
    assert by_name.status_code == 200
    assert elsewhere.status_code == 400
    assert elsewhere.json() == {"errors": {"body": ["this server does not answer for that host"]}}
