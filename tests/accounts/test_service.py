"""Account rules below the API: races for names, and password hashes kept up to date."""

import asyncio

import argon2
import pytest
from sqlalchemy import select

from broadsheet.accounts import service as accounts
from broadsheet.accounts.models import User
from broadsheet.accounts.schemas import NewUser
from broadsheet.db import session_scope
from broadsheet.errors import Invalid
from broadsheet.lib.passwords import Passwords
from tests.helpers import PASSWORD


async def stored_hash(backend, username: str) -> str:
    async with session_scope(backend.database, write=False) as session:
        password_hash = await session.scalar(
            select(User.password_hash).where(User.username == username)
        )
    assert password_hash is not None
    return password_hash


@pytest.mark.parametrize(
    ("first", "second", "taken"),
    [
        # A username that contains the email key's name must still be reported as the username.
        (("email_key_bob", "one@example.com"), ("Email_Key_Bob", "two@example.com"), "username"),
        (("one", "bob@example.com"), ("two", "BOB@example.com"), "email"),
    ],
)
async def test_losing_a_race_for_a_name_reports_the_name_taken(backend, first, second, taken):
    passwords = backend.app.state.passwords

    async def register(username: str, email: str) -> None:
        new_user = NewUser(username=username, email=email, password=PASSWORD)
        async with session_scope(backend.database) as session:
            await accounts.register(session, new_user, passwords=passwords)

    async with session_scope(backend.database) as session:
        new_user = NewUser(username=first[0], email=first[1], password=PASSWORD)
        await accounts.register(session, new_user, passwords=passwords)
        # The second sign-up checks before this one commits, then waits on the unique key.
        racer = asyncio.create_task(register(*second))
        await asyncio.sleep(0.2)

    with pytest.raises(Invalid) as raised:
        await racer
    assert raised.value.errors() == {taken: ["has already been taken"]}


async def test_sign_in_upgrades_a_hash_made_with_weaker_settings(client, backend):
    weak = Passwords(memory_kib=256, time_cost=1, parallelism=1, concurrency=1)
    async with session_scope(backend.database) as session:
        new_user = NewUser(username="veteran", email="veteran@example.com", password=PASSWORD)
        await accounts.register(session, new_user, passwords=weak)

    response = await client.post(
        "/api/users/login", json={"user": {"email": "veteran@example.com", "password": PASSWORD}}
    )

    assert response.status_code == 200
    upgraded = await stored_hash(backend, "veteran")
    parameters = argon2.extract_parameters(upgraded)
    assert parameters.memory_cost == backend.settings.password.memory_kib
    assert parameters.time_cost == backend.settings.password.time_cost
    assert await backend.app.state.passwords.verify(upgraded, PASSWORD)


async def test_sign_in_keeps_a_hash_made_with_current_settings(client, backend):
    async with session_scope(backend.database) as session:
        new_user = NewUser(username="alice", email="alice@example.com", password=PASSWORD)
        await accounts.register(session, new_user, passwords=backend.app.state.passwords)
    before = await stored_hash(backend, "alice")

    response = await client.post(
        "/api/users/login", json={"user": {"email": "alice@example.com", "password": PASSWORD}}
    )

    assert response.status_code == 200
    assert await stored_hash(backend, "alice") == before


async def test_failed_sign_in_leaves_a_weak_hash_alone(client, backend):
    weak = Passwords(memory_kib=256, time_cost=1, parallelism=1, concurrency=1)
    async with session_scope(backend.database) as session:
        new_user = NewUser(username="veteran", email="veteran@example.com", password=PASSWORD)
        await accounts.register(session, new_user, passwords=weak)
    before = await stored_hash(backend, "veteran")

    response = await client.post(
        "/api/users/login", json={"user": {"email": "veteran@example.com", "password": "wrong!!!"}}
    )

    assert response.status_code == 401
    assert await stored_hash(backend, "veteran") == before
