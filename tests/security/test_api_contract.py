"""The API keeps its own OpenAPI contract under Schemathesis, and one writer never changes
another's stories or comments.

Every built-in check runs (tests/security/schemathesis.toml): no server errors; status codes,
content types, headers and bodies as documented; schema-valid input accepted and schema-invalid
input refused; missing or broken tokens refused where a token is required; `Allow` on 405;
created resources found, deleted ones gone. The examples, coverage and fuzzing phases run per
operation; the stateful phase chains operations through the links Schemathesis infers from the
document (a created story's slug feeds its reads, edits, comments and favorites; a comment's id
feeds its deletion; a new account's username feeds its profile). Every sequence starts from the
rows the per-operation phases left.

Requests carry Alice's token. Before each edit or deletion of a story or a comment, each change
of a publication (or invitation to it) and each change of a series in the stateful phase, Bob
tries the same request with his own token: he must be refused and the database must be left
exactly as it was.
"""

import asyncio
import itertools
import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from broadsheet import effects, migrate
from broadsheet.app import create_app
from broadsheet.lib import tokens
from tests.conftest import settings_for_tests
from tests.helpers import PASSWORD

CONFIG = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))
CONTRACT = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
STEPS_PER_SCENARIO = 6
# Changes Bob tries first on whatever Alice is about to change.
OWNED_CHANGES = {
    "PUT /api/articles/{slug}",
    "DELETE /api/articles/{slug}",
    "DELETE /api/articles/{slug}/comments/{id}",
    "PUT /api/publications/{slug}",
    "POST /api/publications/{slug}/invitations",
    "PUT /api/series/{slug}",
    "DELETE /api/series/{slug}",
    "PUT /api/lists/{slug}",
    "DELETE /api/lists/{slug}",
    "POST /api/lists/{slug}/entries",
}


@dataclass
class Writers:
    """Alice, whose token every generated request carries, and Bob, who tries to change her work.

    Their tokens are minted afresh from their rows for every request: the run changes Alice's
    password and signs her out everywhere many times over.
    """

    database: sqlite3.Connection
    signing_key: str
    ids: dict[str, int] = field(default_factory=dict)
    refused_to_bob: list[int] = field(default_factory=list)
    # Lists answer 404 to all but their owner: Bob's refusals that were of a list Alice has.
    alices_lists_hidden: int = 0

    def sign_up(self, schema: Any, username: str) -> None:
        user = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
        response = schema["/api/users"]["POST"].Case(body={"user": user}).call()
        assert response.status_code == 201, response.text
        claims = tokens.verify(response.json()["user"]["token"], key=self.signing_key)
        self.ids[username] = claims.user_id

    def token(self, username: str) -> str:
        user_id = self.ids[username]
        query = "SELECT token_version FROM users WHERE id = ?"
        (version,) = self.database.execute(query, (user_id,)).fetchone()
        claims = tokens.TokenClaims(user_id, version)
        return tokens.issue(claims, key=self.signing_key, ttl=timedelta(hours=1))

    def database_version(self) -> int:
        """Changes whenever another connection commits to the file (`PRAGMA data_version`)."""
        (version,) = self.database.execute("PRAGMA data_version").fetchone()
        return int(version)

    def snapshot(self) -> sqlite3.Connection:
        """A copy of the database as it is now, in memory."""
        copy = sqlite3.connect(":memory:")
        self.database.backup(copy)
        return copy

    def restore(self, snapshot: sqlite3.Connection) -> None:
        """Put every row back as it was in `snapshot`, and forget what the app cached."""
        snapshot.backup(self.database)
        _in_own_event_loop(app.state.database.responses.purge([effects.EVERYTHING]))

    def _is_alices_list(self, path_parameters: dict[str, Any]) -> bool:
        query = "SELECT 1 FROM story_lists WHERE slug = ? AND owner_id = ?"
        slug = path_parameters.get("slug")
        return self.database.execute(query, (slug, self.ids["alice"])).fetchone() is not None

    def bob_tries(self, case: Any) -> None:
        """Send Alice's change as Bob: it must be refused and write nothing at all."""
        before = self.database_version()
        response = case.call(headers={"Authorization": f"Token {self.token('bob')}"})
        assert response.status_code in (403, 404, 413, 422), (case.operation.label, response.text)
        assert self.database_version() == before, case.operation.label
        if response.status_code == 404 and self._is_alices_list(case.path_parameters or {}):
            self.alices_lists_hidden += 1
        self.refused_to_bob.append(response.status_code)


def _in_own_event_loop(coroutine: Any) -> None:
    # Schemathesis drives the app from its own thread and event loop; setup work runs apart.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, coroutine).result()


# Reading the document touches no database, so collecting this module builds no schema.
_database_dir = tempfile.TemporaryDirectory(prefix="broadsheet-contract-")
DATABASE_FILE = Path(_database_dir.name) / "broadsheet.db"
app = create_app(settings_for_tests(f"sqlite+aiosqlite:///{DATABASE_FILE}"))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, config=CONFIG)


@pytest.fixture(scope="module")
def writers() -> Writers:
    """A migrated database with Alice and Bob; every generated request carries Alice's token."""

    async def build_schema() -> None:
        await migrate.upgrade(app.state.database)
        await app.state.database.dispose()

    _in_own_event_loop(build_schema())
    writers = Writers(sqlite3.connect(DATABASE_FILE), app.state.settings.signing_key)
    writers.sign_up(schema, "alice")
    writers.sign_up(schema, "bob")

    class AsAlice:
        def get(self, _case: Any, _context: Any) -> str:
            return writers.token("alice")

        def set(self, case: Any, token: str, _context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}

    schema.auth(refresh_interval=None)(AsAlice)
    return writers


@pytest.mark.usefixtures("writers")
@schema.parametrize()
@CONTRACT
def test_every_operation_keeps_the_contract(case):
    case.call_and_validate()


def test_sequences_of_operations_keep_the_contract_and_bob_changes_nothing(writers):
    steps = itertools.count()
    start = writers.snapshot()

    class AliceAndBob(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Every scenario starts from the same rows. Hypothesis runs a scenario's first
            # steps again to explore what may follow them, and stops the run as flaky when
            # they answer differently: a username that an earlier scenario took, say.
            writers.restore(start)

        def before_call(self, case: Any) -> None:
            super().before_call(case)
            next(steps)
            if case.operation.label in OWNED_CHANGES:
                writers.bob_tries(case)

    AliceAndBob.run(settings=settings(CONTRACT, stateful_step_count=STEPS_PER_SCENARIO))

    assert next(steps) > 400
    # Bob met Alice's real stories, comments, publications, series and lists, not only
    # addresses that do not exist.
    met = writers.refused_to_bob.count(403) + writers.alices_lists_hidden
    assert met >= 3, (writers.refused_to_bob, writers.alices_lists_hidden)
