import logging

import httpx
from sqlalchemy import text

from broadsheet.app import create_app
from tests.conftest import settings_for_tests


async def test_healthz_answers_ok(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_answers_ready_on_a_migrated_database(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_readyz_logs_nothing_from_alembic(client, caplog):
    with caplog.at_level(logging.INFO):
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert [
        record.getMessage() for record in caplog.records if record.name.startswith("alembic")
    ] == []


async def test_readyz_answers_503_when_migrations_are_pending(tmp_path):

    app = create_app(settings_for_tests(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/readyz")
    await app.state.database.dispose()
    assert response.status_code == 503
    assert response.json()["reason"] == "database migrations pending"
    assert response.headers["retry-after"] == "5"


async def test_readyz_answers_503_when_the_database_is_unreachable():

    app = create_app(settings_for_tests("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/readyz")
    await app.state.database.dispose()
    assert response.status_code == 503
    assert response.json()["reason"] == "database unreachable"


async def test_readyz_is_not_ready_after_the_schema_loses_its_revision(backend, client):
    async with backend.database.write_engine.begin() as connection:
        revision = (
            await connection.execute(text("SELECT version_num FROM alembic_version"))
        ).scalar()
        await connection.execute(text("DELETE FROM alembic_version"))
    try:
        response = await client.get("/readyz")
    finally:
        async with backend.database.write_engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:revision)"),
                {"revision": revision},
            )
    assert response.status_code == 503


async def test_requests_answer_503_with_retry_after_when_the_database_is_unreachable():
    app = create_app(settings_for_tests("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        api = await client.get("/api/articles")
        site = await client.get("/")
    await app.state.database.dispose()
    assert api.status_code == 503
    assert api.headers["retry-after"] == "5"
    assert api.json()["errors"]["body"]
    assert site.status_code == 503
    assert "right back" in site.text
