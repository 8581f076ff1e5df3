"""API-level helpers: sign up writers and publish stories through the real endpoints."""

import itertools
from dataclasses import dataclass
from typing import Any

import httpx

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Writer:
    username: str
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


async def sign_up(client: httpx.AsyncClient, username: str | None = None) -> Writer:
    username = username or f"writer{next(_numbers)}"
    email = f"{username.lower()}@example.com"
    response = await client.post(
        "/api/users", json={"user": {"username": username, "email": email, "password": PASSWORD}}
    )
    assert response.status_code == 201, response.text
    return Writer(username, email, PASSWORD, response.json()["user"]["token"])


async def publish(client: httpx.AsyncClient, author: Writer, **fields: Any) -> dict[str, Any]:
    article = {
        "title": f"Story {next(_numbers)}",
        "description": "What it is about",
        "body": "# Heading\n\nSome *Markdown*.",
        "tagList": [],
    }
    article.update(fields)
    response = await client.post("/api/articles", json={"article": article}, headers=author.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()["article"]
    return result
