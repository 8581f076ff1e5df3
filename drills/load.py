"""Steady load: readers and writers against a running server, every outcome recorded and every
acknowledged write kept so that it can be looked for afterwards."""

import asyncio
import itertools
import random
import time
from dataclasses import dataclass, field

from drills.http import Client, Failure, Outcome

PASSWORD = "drill password 123"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Site:
    tokens: list[str]
    emails: list[str]
    slugs: list[str]


@dataclass(frozen=True)
class Record:
    kind: str
    outcome: Outcome

    @property
    def failed(self) -> bool:
        return isinstance(self.outcome, Failure) or self.outcome.status >= 500


async def seed(port: int, *, writers: int = 3, stories_each: int = 3) -> Site:
    client = Client(port)
    tokens, emails, slugs = [], [], []
    for _ in range(writers):
        name = f"drill{next(_numbers)}x{random.randrange(10**6)}"
        email = f"{name}@example.com"
        user = {"username": name, "email": email, "password": PASSWORD}
        signed_up = await client.request("POST", "/api/users", json_body={"user": user})
        assert signed_up.status == 201, signed_up
        token = signed_up.json()["user"]["token"]  # type: ignore[union-attr]
        tokens.append(token)
        emails.append(email)
        for number in range(stories_each):
            story = {"title": f"{name} story {number}", "description": "d", "body": "b" * 400}
            published = await client.request(
                "POST",
                "/api/articles",
                json_body={"article": story},
                headers={"Authorization": f"Token {token}"},
            )
            assert published.status == 201, published
            slugs.append(published.json()["article"]["slug"])  # type: ignore[union-attr]
    await client.close()
    return Site(tokens, emails, slugs)


@dataclass
class Load:
    """Virtual users looping: anonymous list reads (cached), signed-in story reads (always
    from the database) and new comments (writes)."""

    port: int
    site: Site
    users: int = 6
    pause: float = 0.02
    write_share: float = 0.2
    records: list[Record] = field(default_factory=list)
    # (when the server acknowledged it, comment id)
    acknowledged: list[tuple[float, int]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._user()) for _ in range(self.users)]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def _user(self) -> None:
        client = Client(self.port, timeout=15)
        while not self._stop.is_set():
            await self.one_request(client)
            await asyncio.sleep(self.pause)
        await client.close()

    async def one_request(self, client: Client) -> None:
        slug = random.choice(self.site.slugs)
        token = random.choice(self.site.tokens)
        auth = {"Authorization": f"Token {token}"}
        draw = random.random()
        if draw < self.write_share:
            outcome = await client.request(
                "POST",
                f"/api/articles/{slug}/comments",
                json_body={"comment": {"body": f"drill comment {next(_numbers)}"}},
                headers=auth,
            )
            kind = "write"
            if not isinstance(outcome, Failure) and outcome.status == 200:
                self.acknowledged.append((outcome.finished, outcome.json()["comment"]["id"]))
        elif draw < 0.5:
            outcome = await client.request("GET", f"/api/articles/{slug}", headers=auth)
            kind = "private read"
        else:
            outcome = await client.request("GET", "/api/articles?limit=10")
            kind = "read"
        self.records.append(Record(kind, outcome))

    def between(self, start: float, end: float) -> list[Record]:
        return [r for r in self.records if start <= r.outcome.started < end]

    def acknowledged_before(self, moment: float) -> set[int]:
        return {comment_id for when, comment_id in self.acknowledged if when < moment}


def last_failure_after(records: list[Record], moment: float) -> float:
    """Seconds from `moment` to the end of the last failed request after it (0 if none)."""
    ends = [r.outcome.finished for r in records if r.failed and r.outcome.finished >= moment]
    return max(ends) - moment if ends else 0.0


def now() -> float:
    return time.monotonic()
