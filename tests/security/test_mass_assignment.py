"""Fields the server owns cannot be written by a client, and no response gives away a password,
a hash, or another writer's email."""

from typing import Any

from sqlalchemy import select

from broadsheet.accounts.models import User
from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from tests.helpers import PASSWORD, publish, sign_up

SECRET_KEYS = {"password", "password_hash", "passwordhash", "token_version", "tokenversion"}


def owned_fields(other_email: str) -> dict[str, Any]:
    """Internal and server-owned fields, spelled as a client might try them."""
    return {
        "id": 999_999,
        "author": {"username": "someone-else"},
        "author_id": 1,
        "authorId": 1,
        "favoritesCount": 1_000,
        "favorites_count": 1_000,
        "favorited": True,
        "createdAt": "2000-01-01T00:00:00.000Z",
        "updatedAt": "2000-01-01T00:00:00.000Z",
        "created_at": "2000-01-01T00:00:00.000Z",
        "slug": "chosen-by-the-client",
        "role": "admin",
        "is_admin": True,
        "token": "not-a-token",
        "password_hash": "$argon2id$forged",
        "passwordHash": "$argon2id$forged",
        "token_version": 99,
        "tokenVersion": 99,
        "email_key": other_email,
        "username_key": "someone-else",
        "body_html": "<script>alert(1)</script>",
        "bodyHtml": "<script>alert(1)</script>",
    }


async def stored(backend, model, *conditions):
    async with backend.database.engine.connect() as connection:
        return (await connection.execute(select(model).where(*conditions))).one()


async def test_server_owned_fields_are_never_applied(client, backend):
    alice, bob = await sign_up(client), await sign_up(client)
    extras = owned_fields(bob.email)

    signed_up = await client.post(
        "/api/users",
        json={
            "user": {
                **extras,
                "username": "carol",
                "email": "carol@example.com",
                "password": PASSWORD,
            }
        },
    )
    assert signed_up.status_code == 201, signed_up.text
    updated = await client.put(
        "/api/user", json={"user": {**extras, "bio": "mine"}}, headers=alice.headers
    )
    assert updated.status_code == 200, updated.text
    published = await client.post(
        "/api/articles",
        json={"article": {**extras, "title": "Mine", "description": "d", "body": "b"}},
        headers=alice.headers,
    )
    assert published.status_code == 201, published.text
    story = published.json()["article"]
    edited = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {**extras, "body": "edited"}},
        headers=alice.headers,
    )
    assert edited.status_code == 200, edited.text
    commented = await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {**extras, "body": "hello"}},
        headers=bob.headers,
    )
    assert commented.status_code == 200, commented.text

    for username in ("carol", alice.username):
        user = await stored(backend, User, User.username == username)
        assert user.token_version == 0
        assert user.password_hash.startswith("$argon2id$v=")
        assert user.email_key == user.email.casefold()
        assert user.username_key == username.casefold()
        assert user.id != extras["id"]
    article = await stored(backend, Article, Article.slug == edited.json()["article"]["slug"])
    assert article.slug != extras["slug"]
    assert article.favorites_count == 0
    assert article.created_at.year > 2000
    assert "<script>" not in article.body_html
    author = await stored(backend, User, User.id == article.author_id)
    assert author.username == alice.username
    comment = await stored(backend, Comment, Comment.article_id == article.id)
    assert comment.id != extras["id"]
    assert comment.author_id != article.author_id
    assert comment.created_at.year > 2000


def keys_and_strings(value: Any) -> tuple[set[str], set[str]]:
    if isinstance(value, dict):
        keys, strings = {str(key).lower() for key in value}, set()
        for item in value.values():
            more_keys, more_strings = keys_and_strings(item)
            keys |= more_keys
            strings |= more_strings
        return keys, strings
    if isinstance(value, list):
        keys, strings = set(), set()
        for item in value:
            more_keys, more_strings = keys_and_strings(item)
            keys |= more_keys
            strings |= more_strings
        return keys, strings
    return set(), {value} if isinstance(value, str) else set()


async def test_no_response_of_a_session_carries_secrets_or_anothers_email(client):
    alice, bob = await sign_up(client), await sign_up(client)
    story = await publish(client, alice, tagList=["walk"])
    slug = story["slug"]
    as_alice: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", "/api/users/login", {"user": {"email": alice.email, "password": PASSWORD}}),
        ("GET", "/api/user", None),
        ("PUT", "/api/user", {"user": {"bio": "hello", "password": PASSWORD}}),
        ("GET", f"/api/profiles/{bob.username}", None),
        ("POST", f"/api/profiles/{bob.username}/follow", None),
        ("GET", "/api/articles", None),
        ("GET", f"/api/articles?author={bob.username}", None),
        ("GET", "/api/articles/feed", None),
        ("GET", f"/api/articles/{slug}", None),
        ("POST", f"/api/articles/{slug}/favorite", None),
        ("POST", f"/api/articles/{slug}/comments", {"comment": {"body": "hi"}}),
        ("GET", f"/api/articles/{slug}/comments", None),
        ("GET", "/api/tags", None),
        ("DELETE", f"/api/profiles/{bob.username}/follow", None),
        ("POST", "/api/users", {"user": {"username": bob.username, "email": bob.email}}),
        ("POST", "/api/users/login", {"user": {"email": bob.email, "password": "wrong one"}}),
    ]
    bob_reads = [
        ("GET", f"/api/profiles/{alice.username}", None),
        ("POST", f"/api/articles/{slug}/comments", {"comment": {"body": "hey"}}),
        ("GET", f"/api/articles/{slug}/comments", None),
        ("PUT", f"/api/articles/{slug}", {"article": {"body": "x"}}),
    ]
    responses = [
        (await client.request(method, path, json=body, headers=alice.headers), bob.email)
        for method, path, body in as_alice
    ] + [
        (await client.request(method, path, json=body, headers=bob.headers), alice.email)
        for method, path, body in bob_reads
    ]

    for response, others_email in responses:
        body = response.json() if response.content else {}
        keys, strings = keys_and_strings(body)
        if "errors" in body:
            keys = set()  # an error names the field it is about, "password" included
        assert not keys & SECRET_KEYS, (response.request.url, keys & SECRET_KEYS)
        assert not any(text.startswith("$argon2") for text in strings), response.request.url
        assert PASSWORD not in response.text, response.request.url
        assert others_email not in response.text, response.request.url
