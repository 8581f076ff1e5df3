"""The signed-in user's settings: PUT /api/user."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from broadsheet.accounts.models import User
from broadsheet.db import session_scope
from tests.accounts.helpers import USER_FIELDS, log_in, token_headers
from tests.helpers import sign_up


async def update(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> httpx.Response:
    return await client.put("/api/user", json={"user": fields}, headers=headers)


async def stored_user(backend, username: str) -> User:
    async with session_scope(backend.database, write=False) as session:
        user = await session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


async def test_update_requires_a_token(client):
    response = await client.put("/api/user", json={"user": {"bio": "hello"}})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "alicia"),
        ("email", "alicia@example.com"),
        ("bio", "I write about dragons."),
        ("image", "https://example.com/alicia.png"),
    ],
)
async def test_update_changes_only_the_given_field(client, field, value):
    writer = await sign_up(client, "alice")
    before = (await client.get("/api/user", headers=writer.headers)).json()["user"]

    response = await update(client, writer.headers, **{field: value})

    assert response.status_code == 200
    after = response.json()["user"]
    assert after[field] == value
    for other in USER_FIELDS - {field, "token"}:
        assert after[other] == before[other]
    current = await client.get("/api/user", headers=token_headers(after["token"]))
    assert current.json()["user"][field] == value


async def test_new_email_signs_in_and_old_one_no_longer_does(client):
    writer = await sign_up(client)

    await update(client, writer.headers, email="moved@example.com")

    assert (await log_in(client, "moved@example.com", writer.password)).status_code == 200
    assert (await log_in(client, writer.email, writer.password)).status_code == 401


async def test_new_username_moves_the_profile(client):
    writer = await sign_up(client, "alice")

    await update(client, writer.headers, username="alicia")

    assert (await client.get("/api/profiles/alicia")).status_code == 200
    assert (await client.get("/api/profiles/alice")).status_code == 404


async def test_writer_may_change_the_case_of_their_own_username(client):
    writer = await sign_up(client, "alice")

    response = await update(client, writer.headers, username="Alice", email=writer.email.upper())

    assert response.status_code == 200
    assert response.json()["user"]["username"] == "Alice"


@pytest.mark.parametrize(("field", "value"), [("username", "BOB"), ("email", "BOB@example.com")])
async def test_update_refuses_a_username_or_email_taken_by_another_writer(client, field, value):
    await sign_up(client, "bob")
    writer = await sign_up(client, "alice")

    response = await update(client, writer.headers, **{field: value})

    assert response.status_code == 422
    assert response.json() == {"errors": {field: ["has already been taken"]}}
    assert (await client.get("/api/user", headers=writer.headers)).json()["user"]["username"] == (
        "alice"
    )


async def test_refused_update_changes_nothing(client):
    await sign_up(client, "bob")
    writer = await sign_up(client, "alice")

    response = await update(client, writer.headers, bio="New bio", username="Bob")

    assert response.status_code == 422
    user = (await client.get("/api/user", headers=writer.headers)).json()["user"]
    assert (user["username"], user["bio"]) == ("alice", None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", ""),
        ("username", "al ice"),
        ("username", "a" * 41),
        ("email", "not-an-email"),
        ("password", "short"),
        ("password", "p" * 257),
        ("bio", "b" * 2001),
        ("image", "javascript:alert(1)"),
        ("image", "https://example.com/" + "i" * 1000),
    ],
)
async def test_update_validates_each_field(client, field, value):
    writer = await sign_up(client)

    response = await update(client, writer.headers, **{field: value})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


async def test_changing_the_password_ends_earlier_tokens(client):
    writer = await sign_up(client)

    response = await update(client, writer.headers, password="a new long password")

    assert response.status_code == 200
    new_token = response.json()["user"]["token"]
    assert (await client.get("/api/user", headers=writer.headers)).status_code == 401
    assert (await client.get("/api/user", headers=token_headers(new_token))).status_code == 200


async def test_only_the_new_password_signs_in_after_a_change(client):
    writer = await sign_up(client)

    await update(client, writer.headers, password="a new long password")

    assert (await log_in(client, writer.email, "a new long password")).status_code == 200
    assert (await log_in(client, writer.email, writer.password)).status_code == 401


async def test_empty_password_in_update_leaves_the_password_unchanged(client):
    writer = await sign_up(client)

    response = await update(client, writer.headers, password="", bio="Still me")

    assert response.status_code == 200
    assert (await client.get("/api/user", headers=writer.headers)).status_code == 200
    assert (await log_in(client, writer.email, writer.password)).status_code == 200


async def test_empty_bio_and_image_clear_them(client):
    writer = await sign_up(client)
    await update(client, writer.headers, bio="Hello", image="https://example.com/me.png")

    response = await update(client, writer.headers, bio="", image="")

    assert response.status_code == 200
    user = response.json()["user"]
    assert (user["bio"], user["image"]) == (None, None)
    profile = (await client.get(f"/api/profiles/{writer.username}")).json()["profile"]
    assert (profile["bio"], profile["image"]) == (None, None)


async def test_update_ignores_fields_that_are_not_settings(client, backend):
    writer = await sign_up(client, "alice")
    before = await stored_user(backend, "alice")

    response = await update(
        client,
        writer.headers,
        bio="New bio",
        id=before.id + 1000,
        token="forged",
        password_hash="$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        passwordHash="$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        token_version=99,
        tokenVersion=99,
    )

    assert response.status_code == 200
    after = await stored_user(backend, "alice")
    assert after.bio == "New bio"
    assert (after.id, after.password_hash, after.token_version) == (
        before.id,
        before.password_hash,
        before.token_version,
    )
    assert response.json()["user"]["token"] != "forged"
    assert (await client.get("/api/user", headers=writer.headers)).status_code == 200
