"""Probes for process managers and load balancers: is the process alive, can it serve."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from broadsheet import migrate
from broadsheet.db import Database

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """The process is alive and answering."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """The database answers and has every migration applied."""
    database: Database = request.app.state.database
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current = await migrate.is_current(database)
    except (SQLAlchemyError, OSError):
        return _not_ready("database unreachable")
    if not current:
        return _not_ready("database migrations pending")
    return JSONResponse({"status": "ready"}, headers={"Cache-Control": "no-store"})


def _not_ready(reason: str) -> JSONResponse:
    return JSONResponse(
        {"status": "unavailable", "reason": reason},
        status_code=503,
        headers={"Cache-Control": "no-store", "Retry-After": "5"},
    )
