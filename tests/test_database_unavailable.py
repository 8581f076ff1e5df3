"""A database that refuses us for now answers 503 with Retry-After, never 500."""

import secrets

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from broadsheet.app import close, create_app
from tests.conftest import settings_for_tests


@pytest.mark.engines("postgresql")
async def test_a_server_refusing_connections_answers_503(backend):
    # A role allowed no connections gets SQLSTATE 53300, as a server at its limit answers.
    role = f"refused_{secrets.token_hex(4)}"
    async with backend.database.write_engine.connect() as connection:
        await connection.execute(text(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0"))
        await connection.commit()
    url = make_url(backend.settings.database.url).set(username=role)
    app = create_app(settings_for_tests(url.render_as_string(hide_password=False)))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/api/articles")
    finally:
        await close(app)
        async with backend.database.write_engine.connect() as connection:
            await connection.execute(text(f"DROP ROLE {role}"))
            await connection.commit()

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
