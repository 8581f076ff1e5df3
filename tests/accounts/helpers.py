"""Calls to the account endpoints that several test modules make."""

import httpx

from tests.helpers import PASSWORD

USER_FIELDS = {"email", "token", "username", "bio", "image"}


async def register(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    user = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    user.update(fields)
    return await client.post("/api/users", json={"user": user})


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/users/login", json={"user": {"email": email, "password": password}}
    )


def token_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}
