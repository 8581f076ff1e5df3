"""A burst of sign-ins waits its turn for password hashing; everyone else is served meanwhile."""

import asyncio
import threading
from typing import Any

import httpx
import pytest

from broadsheet.app import close, create_app
from tests.accounts.helpers import log_in
from tests.conftest import settings_for_tests
from tests.helpers import publish, sign_up

PARALLEL_LOGINS = 200


class PeakCounter:
    """Wraps a PasswordHasher and remembers how many verifications ever ran at once."""

    def __init__(self, hasher: Any) -> None:
        self._hasher = hasher
        self._lock = threading.Lock()
        self._running = 0
        self.peak = 0

    def verify(self, *args: Any) -> bool:
        with self._lock:
            self._running += 1
            self.peak = max(self.peak, self._running)
        try:
            return bool(self._hasher.verify(*args))
        finally:
            with self._lock:
                self._running -= 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._hasher, name)


@pytest.mark.engines("sqlite", "postgresql", "mariadb")
async def test_two_hundred_parallel_logins_do_not_starve_reads(backend):
    settings = settings_for_tests(
        backend.settings.database.url,
        # Real hashing work (tens of milliseconds each), two at a time, as in production.
        password={"memory_kib": 4096, "time_cost": 2, "hash_concurrency": 2},
        limits={"enabled": False},
        max_requests_in_flight=1000,
    )
    app = create_app(settings)
    hashing = app.state.passwords._hasher = PeakCounter(app.state.passwords._hasher)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            writer = await sign_up(client)
            await publish(client, writer)
            logins = [
                asyncio.create_task(log_in(client, writer.email, writer.password))
                for _ in range(PARALLEL_LOGINS)
            ]
            # The first read waits while the event loop admits the whole burst (parsing 200
            # bodies); what is measured is how reads fare while the logins queue for hashing.
            await client.get("/api/articles", headers=writer.headers)
            # Counted, not timed: how fast a read is depends on how loaded the machine is, so
            # speed is for make bench and make drills; here, reads must keep being answered.
            reads_answered = 0
            while not all(login.done() for login in logins):
                # Signed in, so the read is computed rather than served from the cache.
                read = await client.get("/api/articles", headers=writer.headers)
                assert read.status_code == 200
                reads_answered += 1
            statuses = [(await login).status_code for login in logins]
    finally:
        await close(app)

    assert statuses == [200] * PARALLEL_LOGINS
    # On SQLite the logins' write transactions take turns anyway: one hash at a time.
    assert 1 <= hashing.peak <= settings.password.hash_concurrency
    assert reads_answered >= 20, "reads were not answered while the logins waited to hash"
