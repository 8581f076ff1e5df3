"""The accounts security baseline: passwords stay secret and are hashed the way OWASP asks."""

import os

import argon2
import pytest
from sqlalchemy import select

from broadsheet.accounts.models import User
from broadsheet.accounts.service import password_hashing
from broadsheet.db import session_scope
from broadsheet.settings import Settings
from tests.helpers import sign_up

# OWASP Password Storage Cheat Sheet: argon2id with at least 19 MiB of memory and two passes.
OWASP_MEMORY_KIB = 19456
OWASP_TIME_COST = 2


@pytest.fixture
def default_environment(monkeypatch, var_dir):
    """No configuration from the environment, so Settings() shows its own defaults."""
    for name in list(os.environ):
        if name.startswith("BROADSHEET_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)


async def test_responses_never_carry_the_password_or_its_hash(client, backend):
    password, new_password = "first secret phrase", "second secret phrase"
    bodies = []

    async def call(method, url, **kwargs):
        response = await client.request(method, url, **kwargs)
        bodies.append(response.text)
        return response

    user = {"username": "alice", "email": "alice@example.com", "password": password}
    registered = await call("POST", "/api/users", json={"user": user})
    headers = {"Authorization": f"Token {registered.json()['user']['token']}"}
    await call("POST", "/api/users", json={"user": user})
    await call("POST", "/api/users", json={"user": user | {"email": "not-an-email"}})
    await call("POST", "/api/users", json={"user": password})
    await call("POST", "/api/users", content=f'{{"user": {{"password": "{password}"')
    await call("POST", "/api/users/login", json={"user": user})
    await call("POST", "/api/users/login", json={"user": user | {"password": password + "!"}})
    await call("GET", "/api/user", headers=headers)
    same = await call("PUT", "/api/user", json={"user": {"password": password}}, headers=headers)
    headers = {"Authorization": f"Token {same.json()['user']['token']}"}
    bob = await sign_up(client, "bob")
    await call(
        "PUT", "/api/user", json={"user": {"username": "bob", "password": "x"}}, headers=headers
    )
    await call("GET", "/api/profiles/alice", headers=bob.headers)
    await call("POST", "/api/profiles/alice/follow", headers=bob.headers)
    await call("DELETE", "/api/profiles/alice/follow", headers=bob.headers)
    changed = await call(
        "PUT", "/api/user", json={"user": {"password": new_password}}, headers=headers
    )
    assert changed.status_code == 200

    async with session_scope(backend.database, write=False) as session:
        stored_hash = await session.scalar(
            select(User.password_hash).where(User.username == "alice")
        )
    for body in bodies:
        assert password not in body
        assert new_password not in body
        assert stored_hash not in body
        assert "$argon2" not in body
        assert "passwordHash" not in body
        assert "password_hash" not in body


async def test_stored_password_is_an_argon2id_hash(client, backend):
    writer = await sign_up(client, "alice")

    async with session_scope(backend.database, write=False) as session:
        stored_hash = await session.scalar(
            select(User.password_hash).where(User.username == "alice")
        )

    assert argon2.extract_parameters(stored_hash).type is argon2.Type.ID
    assert writer.password not in stored_hash
    assert argon2.PasswordHasher().verify(stored_hash, writer.password)


def test_default_settings_meet_owasp_argon2id_minimum(default_environment):
    settings = Settings()

    assert settings.password.memory_kib >= OWASP_MEMORY_KIB
    assert settings.password.time_cost >= OWASP_TIME_COST
    assert settings.password.parallelism >= 1


async def test_default_hashing_produces_owasp_strength_argon2id(default_environment):
    passwords = password_hashing(Settings())

    parameters = argon2.extract_parameters(await passwords.hash("correct horse battery"))

    assert parameters.type is argon2.Type.ID
    assert parameters.memory_cost >= OWASP_MEMORY_KIB
    assert parameters.time_cost >= OWASP_TIME_COST


async def test_hashing_follows_the_password_settings():
    settings = Settings(
        secret_key="k" * 40, password={"memory_kib": 2048, "time_cost": 3, "parallelism": 2}
    )

    stored_hash = await password_hashing(settings).hash("correct horse battery")

    parameters = argon2.extract_parameters(stored_hash)
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (2048, 3, 2)
