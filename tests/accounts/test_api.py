"""Sign-up, sign-in and the signed-in user, through the RealWorld endpoints."""

import pytest

from tests.accounts.helpers import USER_FIELDS, log_in, register, token_headers
from tests.helpers import PASSWORD, sign_up


async def test_sign_up_returns_the_new_user_with_a_working_token(client):
    response = await register(client, username="Alice", email="Alice@Example.com")

    assert response.status_code == 201
    user = response.json()["user"]
    assert set(user) == USER_FIELDS
    assert user["username"] == "Alice"
    assert user["email"] == "Alice@example.com"
    assert user["bio"] is None
    assert user["image"] is None
    current = await client.get("/api/user", headers=token_headers(user["token"]))
    assert current.status_code == 200
    assert current.json()["user"]["username"] == "Alice"


@pytest.mark.parametrize("field", ["username", "email", "password"])
async def test_sign_up_requires_every_field(client, field):
    user = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    del user[field]

    response = await client.post("/api/users", json={"user": user})

    assert response.status_code == 422
    assert response.json() == {"errors": {field: ["can't be blank"]}}


async def test_sign_up_requires_the_user_object(client):
    response = await client.post("/api/users", json={})

    assert response.status_code == 422
    assert response.json() == {"errors": {"user": ["can't be blank"]}}


@pytest.mark.parametrize("field", ["username", "email", "password"])
async def test_sign_up_refuses_empty_fields(client, field):
    response = await register(client, **{field: ""})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


async def test_sign_up_refuses_blank_username(client):
    response = await register(client, username="   ")

    assert response.status_code == 422
    assert response.json() == {"errors": {"username": ["can't be blank"]}}


@pytest.mark.parametrize(
    "email", ["alice", "alice@", "@example.com", "alice@@example.com", "alice example@x.com"]
)
async def test_sign_up_refuses_malformed_email(client, email):
    response = await register(client, email=email)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["email"]


async def test_sign_up_refuses_short_password(client):
    response = await register(client, password="seven77")

    assert response.status_code == 422
    assert response.json() == {"errors": {"password": ["is too short (minimum is 8)"]}}


@pytest.mark.parametrize(
    "username", ["al ice", "al/ice", "alice!", "<b>alice</b>", "ålice", "al%ice", "al\nice"]
)
async def test_sign_up_refuses_username_with_disallowed_characters(client, username):
    response = await register(client, username=username)

    assert response.status_code == 422
    assert response.json() == {"errors": {"username": ["contains characters that are not allowed"]}}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "a" * 41),
        ("email", "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".com"),
        ("password", "p" * 257),
    ],
)
async def test_sign_up_refuses_oversize_values(client, field, value):
    response = await register(client, **{field: value})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


async def test_longest_allowed_values_are_accepted(client):
    response = await register(client, username="a" * 40, password="p" * 256)

    assert response.status_code == 201
    assert (await log_in(client, "alice@example.com", "p" * 256)).status_code == 200


@pytest.mark.parametrize("taken_as", ["alice", "Alice", "ALICE"])
async def test_sign_up_refuses_taken_username_whatever_its_case(client, taken_as):
    await register(client, username="alice", email="first@example.com")

    response = await register(client, username=taken_as, email="second@example.com")

    assert response.status_code == 422
    assert response.json() == {"errors": {"username": ["has already been taken"]}}


@pytest.mark.parametrize("taken_as", ["a@x.com", "A@X.com", "A@x.COM"])
async def test_sign_up_refuses_taken_email_whatever_its_case(client, taken_as):
    await register(client, username="first", email="a@x.com")

    response = await register(client, username="second", email=taken_as)

    assert response.status_code == 422
    assert response.json() == {"errors": {"email": ["has already been taken"]}}


async def test_sign_up_reports_every_taken_field_at_once(client):
    await register(client)

    response = await register(client, username="ALICE", email="ALICE@example.com")

    assert response.status_code == 422
    assert response.json() == {
        "errors": {"username": ["has already been taken"], "email": ["has already been taken"]}
    }


async def test_emails_differing_only_by_accent_belong_to_different_accounts(client):
    await register(client, username="jose", email="jose@example.com")

    response = await register(client, username="jose2", email="josé@example.com")

    assert response.status_code == 201, response.text
    signed_in = await log_in(client, "josé@example.com", PASSWORD)
    assert signed_in.json()["user"]["username"] == "jose2"


async def test_log_in_returns_a_working_token(client):
    writer = await sign_up(client, "alice")

    response = await log_in(client, writer.email, writer.password)

    assert response.status_code == 200
    user = response.json()["user"]
    assert set(user) == USER_FIELDS
    assert user["username"] == "alice"
    current = await client.get("/api/user", headers=token_headers(user["token"]))
    assert current.json()["user"]["email"] == writer.email


async def test_log_in_ignores_the_case_of_the_email(client):
    await register(client, email="Alice@Example.com")

    response = await log_in(client, "aLiCe@eXaMpLe.CoM", PASSWORD)

    assert response.status_code == 200
    assert response.json()["user"]["username"] == "alice"


async def test_log_in_accepts_the_email_in_either_unicode_form(client):
    composed, decomposed = "jos\u00e9@example.com", "jose\u0301@example.com"
    await register(client, email=composed)

    response = await log_in(client, decomposed, PASSWORD)

    assert response.status_code == 200
    assert response.json()["user"]["email"] == composed


async def test_unknown_email_and_wrong_password_fail_alike(client):
    writer = await sign_up(client)

    unknown_email = await log_in(client, "nobody@example.com", writer.password)
    wrong_password = await log_in(client, writer.email, writer.password + "!")

    assert unknown_email.status_code == wrong_password.status_code == 401
    assert unknown_email.json() == wrong_password.json()
    assert unknown_email.headers["www-authenticate"] == wrong_password.headers["www-authenticate"]


@pytest.mark.parametrize(
    ("user", "field"),
    [
        ({"password": PASSWORD}, "email"),
        ({"email": "alice@example.com"}, "password"),
        ({"email": "", "password": PASSWORD}, "email"),
        ({"email": "alice@example.com", "password": ""}, "password"),
    ],
)
async def test_log_in_requires_email_and_password(client, user, field):
    response = await client.post("/api/users/login", json={"user": user})

    assert response.status_code == 422
    assert response.json() == {"errors": {field: ["can't be blank"]}}


async def test_current_user_requires_a_token(client):
    response = await client.get("/api/user")

    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["token"]
    assert response.headers["www-authenticate"] == "Token"


@pytest.mark.parametrize(
    "header",
    ["Token", "Token ", "Bearer", "Basic YWxpY2U6c2VjcmV0", "Tokenabc.def.ghi", "Token not-a-jwt"],
)
async def test_current_user_refuses_a_malformed_authorization_header(client, header):
    response = await client.get("/api/user", headers={"Authorization": header})

    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["token"]


async def test_current_user_accepts_the_bearer_scheme(client):
    writer = await sign_up(client, "alice")

    response = await client.get("/api/user", headers={"Authorization": f"Bearer {writer.token}"})

    assert response.status_code == 200
    assert response.json()["user"]["username"] == "alice"


async def test_current_user_returns_the_account(client):
    writer = await sign_up(client, "alice")

    response = await client.get("/api/user", headers=writer.headers)

    assert response.status_code == 200
    user = response.json()["user"]
    assert set(user) == USER_FIELDS
    assert (user["username"], user["email"]) == ("alice", writer.email)
