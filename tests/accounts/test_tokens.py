"""Access tokens: signed with the app's key, HS256 only, expiring, and bound to the account."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import jwt
import pytest
from sqlalchemy import delete

from broadsheet.accounts.models import User
from broadsheet.app import create_app
from broadsheet.db import session_scope
from broadsheet.lib import tokens
from broadsheet.lib.clock import utcnow
from tests.conftest import settings_for_tests
from tests.helpers import sign_up

KEY = "a-signing-key-for-these-tests-" + "k" * 32
OTHER_KEY = "another-signing-key-entirely-" + "o" * 32


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def encoded(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(claims: dict) -> str:
    return encoded(json.dumps(claims).encode())


async def current_user_with(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/user", headers={"Authorization": f"Token {token}"})


async def test_token_carries_an_expiry_and_names_hs256(client):
    writer = await sign_up(client)

    claims = claims_of(writer.token)

    assert jwt.get_unverified_header(writer.token)["alg"] == "HS256"
    assert claims["exp"] > claims["iat"]
    assert {"sub", "exp", "iat"} <= set(claims)


async def test_token_lifetime_is_token_ttl_seconds(client, backend):
    writer = await sign_up(client)

    claims = claims_of(writer.token)

    assert claims["exp"] - claims["iat"] == backend.settings.token_ttl_seconds


@pytest.mark.engines("sqlite")
async def test_token_lifetime_follows_the_setting(backend):
    settings = settings_for_tests(backend.settings.database.url, token_ttl_seconds=90)
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            writer = await sign_up(client)
    finally:
        await app.state.database.dispose()

    claims = claims_of(writer.token)

    assert claims["exp"] - claims["iat"] == 90


async def test_token_signed_with_another_key_is_refused(client):
    writer = await sign_up(client)
    forged = jwt.encode(claims_of(writer.token), OTHER_KEY, algorithm="HS256")

    response = await current_user_with(client, forged)

    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["token"]


async def test_expired_token_is_refused(client, backend):
    writer = await sign_up(client)
    now = utcnow()
    expired = jwt.encode(
        claims_of(writer.token)
        | {
            "iat": now - timedelta(hours=2),
            "nbf": now - timedelta(hours=2),
            "exp": now - timedelta(seconds=1),
        },
        backend.settings.signing_key,
        algorithm="HS256",
    )

    response = await current_user_with(client, expired)

    assert response.status_code == 401


async def test_token_without_expiry_is_refused(client, backend):
    writer = await sign_up(client)
    claims = claims_of(writer.token)
    del claims["exp"]
    endless = jwt.encode(claims, backend.settings.signing_key, algorithm="HS256")

    response = await current_user_with(client, endless)

    assert response.status_code == 401


async def test_unsigned_token_is_refused(client):
    writer = await sign_up(client)
    unsigned = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims_of(writer.token))}."

    response = await current_user_with(client, unsigned)

    assert response.status_code == 401


async def test_token_with_tampered_payload_is_refused(client):
    victim = await sign_up(client)
    attacker = await sign_up(client)
    header, _payload, signature = attacker.token.split(".")
    claims = claims_of(attacker.token) | {"sub": claims_of(victim.token)["sub"]}
    tampered = f"{header}.{segment(claims)}.{signature}"

    response = await current_user_with(client, tampered)

    assert response.status_code == 401


async def test_token_re_signed_with_hs512_and_the_same_key_is_refused(client, backend):
    writer = await sign_up(client)
    signing_input = f"{segment({'alg': 'HS512', 'typ': 'JWT'})}.{segment(claims_of(writer.token))}"
    key = backend.settings.signing_key.encode()
    signature = hmac.new(key, signing_input.encode(), hashlib.sha512).digest()
    re_signed = f"{signing_input}.{encoded(signature)}"

    response = await current_user_with(client, re_signed)

    assert response.status_code == 401


async def test_token_of_a_deleted_account_is_refused(client, backend):
    writer = await sign_up(client)
    async with session_scope(backend.database) as session:
        await session.execute(delete(User).where(User.username == writer.username))

    response = await current_user_with(client, writer.token)

    assert response.status_code == 401


def test_issued_token_verifies_to_its_claims():
    token = tokens.issue(tokens.TokenClaims(7, 3), key=KEY, ttl=timedelta(minutes=5))

    assert tokens.verify(token, key=KEY) == tokens.TokenClaims(7, 3)


def test_token_expires_after_its_lifetime():
    token = tokens.issue(tokens.TokenClaims(7, 0), key=KEY, ttl=timedelta(seconds=-1))

    with pytest.raises(tokens.InvalidTokenError):
        tokens.verify(token, key=KEY)


def test_token_from_another_key_does_not_verify():
    token = tokens.issue(tokens.TokenClaims(7, 0), key=OTHER_KEY, ttl=timedelta(minutes=5))

    with pytest.raises(tokens.InvalidTokenError):
        tokens.verify(token, key=KEY)


@pytest.mark.parametrize("missing", ["sub", "exp", "iat", "ver"])
def test_token_missing_a_claim_does_not_verify(missing):
    now = utcnow()
    claims = {"sub": "7", "ver": 0, "iat": now, "exp": now + timedelta(minutes=5)}
    del claims[missing]

    with pytest.raises(tokens.InvalidTokenError):
        tokens.verify(jwt.encode(claims, KEY, algorithm="HS256"), key=KEY)


@pytest.mark.parametrize("sub", ["seven", "", "7.5"])
def test_token_with_a_malformed_subject_does_not_verify(sub):
    now = utcnow()
    claims = {"sub": sub, "ver": 0, "iat": now, "exp": now + timedelta(minutes=5)}

    with pytest.raises(tokens.InvalidTokenError):
        tokens.verify(jwt.encode(claims, KEY, algorithm="HS256"), key=KEY)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Token x.y.z"])
def test_garbage_does_not_verify(garbage):
    with pytest.raises(tokens.InvalidTokenError):
        tokens.verify(garbage, key=KEY)


@pytest.mark.parametrize("claim", ["nbf", "iat"])
async def test_token_not_yet_valid_is_refused(client, backend, claim):
    writer = await sign_up(client)
    later = utcnow() + timedelta(hours=1)
    claims = claims_of(writer.token) | {claim: later, "exp": later + timedelta(hours=1)}
    early = jwt.encode(claims, backend.settings.signing_key, algorithm="HS256")

    response = await current_user_with(client, early)

    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["token"]


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_token_from_the_future_does_not_verify(claim):
    now = utcnow()
    claims = {"sub": "7", "ver": 0, "iat": now, "nbf": now, "exp": now + timedelta(hours=2)}
    claims[claim] = now + timedelta(hours=1)

    with pytest.raises(tokens.InvalidTokenError):
        tokens.verify(jwt.encode(claims, KEY, algorithm="HS256"), key=KEY)
