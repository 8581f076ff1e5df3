"""What a result was measured on: the machine, the software versions and the commit."""

import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path

from sqlalchemy import text

from broadsheet.db import connect
from broadsheet.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def _output(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)  # noqa: S603
    except OSError:
        return "not installed"
    return (done.stdout or done.stderr).strip()


def commit() -> str:
    revision = _output(["git", "rev-parse", "--short", "HEAD"])
    if _output(["git", "status", "--porcelain", "--untracked-files=no"]):
        revision += " with uncommitted changes"
    return revision


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return 0.0


def machine() -> dict[str, object]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(_memory_gib(), 1),
        "os": f"{platform.system()} {platform.release()}",
    }


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("uvicorn", "fastapi", "starlette", "sqlalchemy", "pydantic"):
        found[package] = metadata.version(package)
    found["nginx"] = _output(["nginx", "-v"]).removeprefix("nginx version: nginx/")
    found["wrk"] = _output(["wrk", "--version"]).split(" [")[0].removeprefix("wrk ")
    return found


async def database_version(url: str) -> str:
    settings = Settings(database={"url": url})
    if settings.database.is_sqlite:
        return f"SQLite {sqlite3.sqlite_version}"
    database = connect(settings)
    try:
        async with database.engine.connect() as connection:
            version = await connection.scalar(text("SHOW server_version"))
    finally:
        await database.dispose()
    return f"PostgreSQL {version}"
