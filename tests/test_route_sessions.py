"""A route says whether its transaction writes; the session follows the route, not the method."""

import pytest
from fastapi import APIRouter, FastAPI

from broadsheet.deps import WRITES, DbSession, ensure_writes_declared
from tests.helpers import publish, sign_up


@pytest.mark.engines("sqlite")
async def test_a_route_declaring_writes_takes_the_write_lock_and_a_read_does_not(
    client, queries
) -> None:
    writer = await sign_up(client)
    queries.reset()
    await publish(client, writer)
    assert "BEGIN IMMEDIATE" in queries.statements
    queries.reset()
    assert (await client.get("/api/articles")).status_code == 200
    assert "BEGIN" in queries.statements
    assert "BEGIN IMMEDIATE" not in queries.statements


def test_a_route_that_may_change_rows_without_declaring_writes_is_refused() -> None:
    router = APIRouter()

    @router.get("/story")
    async def read(session: DbSession) -> None: ...

    @router.post("/story", dependencies=[WRITES])
    async def write(session: DbSession) -> None: ...

    app = FastAPI()
    app.include_router(router)
    ensure_writes_declared(app.routes)

    @app.delete("/story")
    async def delete(session: DbSession) -> None: ...

    with pytest.raises(RuntimeError, match=r"/story accepts \['DELETE'\]: declare WRITES"):
        ensure_writes_declared(app.routes)
