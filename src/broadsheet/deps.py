"""Request dependencies every feature shares: the transaction (reading, or writing where the
route says so), the settings, password hashing.

All are coroutines: FastAPI runs a plain function dependency in a worker thread, a hop that
costs more than the dependency itself."""

from collections.abc import AsyncIterator, Iterable
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import BaseRoute

from broadsheet.cache import SHOWN_KEYS, Totals
from broadsheet.db import Database, session_scope
from broadsheet.errors import ANSWERS_JSON
from broadsheet.lib.passwords import Passwords
from broadsheet.schemas import FREE_OF_FORBIDDEN
from broadsheet.settings import Settings

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES = "broadsheet.writes"


async def _declare_writes(request: Request) -> None:
    request.scope[_WRITES] = True


# A route that changes rows says so: `@router.post(..., dependencies=[WRITES])`. Its
# transaction then writes (on SQLite it takes the write lock at BEGIN); any other route's only
# reads (on PostgreSQL without a transaction of its own). Route dependencies are solved before
# the route's parameters, so the mark is there when the session is opened.
WRITES = Depends(_declare_writes)


async def _declare_no_writes(_request: Request) -> None:
    return None


# A POST that only works out an answer (the editor's live preview) says so instead, and keeps a
# read-only session: on SQLite it takes no write lock.
CHANGES_NOTHING = Depends(_declare_no_writes)


async def _declare_json_answers(request: Request) -> None:
    request.scope[ANSWERS_JSON] = True


# A page route a script calls says so, and its errors are answered as JSON, not as a page.
ANSWERS_JSON_ERRORS = Depends(_declare_json_answers)


def declares_writes(route: APIRoute) -> bool:
    return any(dependency.dependency is _declare_writes for dependency in route.dependencies)


def _declares_no_writes(route: APIRoute) -> bool:
    return any(dependency.dependency is _declare_no_writes for dependency in route.dependencies)


def ensure_writes_declared(routes: Iterable[BaseRoute]) -> None:
    """Refuse to start with a route that may change rows but would get a read-only session,
    unless it declares that it changes nothing."""
    for route in routes:
        if not isinstance(route, APIRoute) or declares_writes(route) or _declares_no_writes(route):
            continue
        if unsafe := (route.methods or set()) - READ_METHODS:
            raise RuntimeError(f"{route.path} accepts {sorted(unsafe)}: declare WRITES")


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response is sent; what it changed is
    purged from the caches after the commit, so the client's next read is fresh everywhere."""
    database: Database = request.app.state.database
    writes = request.scope.get(_WRITES, False)
    shown_into = request.scope.get(SHOWN_KEYS)
    async with session_scope(database, write=writes, shown_into=shown_into) as session:
        yield session


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _passwords(request: Request) -> Passwords:
    passwords: Passwords = request.app.state.passwords
    return passwords


async def _totals(request: Request) -> Totals | None:
    totals: Totals | None = request.app.state.totals
    return totals


DbSession = Annotated[AsyncSession, Depends(_session, scope="function")]
ListTotals = Annotated[Totals | None, Depends(_totals)]
AppSettings = Annotated[Settings, Depends(_settings)]
PasswordHashing = Annotated[Passwords, Depends(_passwords)]

# RefuseForbiddenInUrl answers 422 to a forbidden character anywhere in the URL before a route
# runs; FREE_OF_FORBIDDEN tells the OpenAPI document so.
# Far longer than any username, slug or tag: a longer value names nothing, and is refused before
# it reaches a query or a page.
PathText = Annotated[str, Path(max_length=200, json_schema_extra=FREE_OF_FORBIDDEN)]
