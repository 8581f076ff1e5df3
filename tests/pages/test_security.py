"""The site's defences: security headers, cookie attributes, CSRF, sessions and redirects."""

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select, update

from broadsheet.accounts.models import SiteSession
from broadsheet.db import session_scope
from broadsheet.lib.clock import utcnow
from tests.helpers import PASSWORD, publish, sign_up
from tests.pages.helpers import (
    browser,
    csrf_from,
    elements,
    set_cookie_headers,
    sign_up_on_site,
    submit,
    text_of,
    write_on_site,
)

STRICT_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    directives = [part.split() for part in policy.split(";") if part.strip()]
    return {name: values for name, *values in directives}


async def story_count(client) -> int:
    return (await client.get("/api/articles")).json()["articlesCount"]


async def test_every_page_sends_the_security_headers(client):
    writer = await sign_up(client, "alice")
    story = await publish(client, writer, tagList=["bread"])
    paths = [
        "/",
        f"/@alice/{story['slug']}",
        "/@alice",
        "/tag/bread",
        "/signin",
        "/signup",
        "/no/such/page",
        "/feed.atom",
    ]

    for path in paths:
        response = await client.get(path)
        csp = csp_directives(response)
        assert csp["script-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in csp.get("default-src", []), path
        assert csp["frame-ancestors"] == ["'none'"], path
        assert csp["object-src"] == ["'none'"], path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] in STRICT_REFERRER_POLICIES, path
        assert response.headers["x-frame-options"] == "DENY", path


async def test_pages_need_no_inline_script_or_style(client):
    writer = await sign_up(client, "alice")
    story = await publish(client, writer, body="```python\nprint('hi')\n```")

    for path in ("/", f"/@alice/{story['slug']}", "/@alice", "/signin", "/signup"):
        html = (await client.get(path)).text
        scripts = elements(html, "script")
        assert all(script.get("type") == "application/ld+json" for script in scripts), path
        assert not re.search(r"<[^>]*\son\w+\s*=", html), path
        assert not re.search(r"<[^>]*\sstyle\s*=", html), path
        assert "<style" not in html, path


async def test_session_and_csrf_cookies_are_httponly_and_lax(client):
    form = await client.get("/signup")
    response = await client.post(
        "/signup",
        data={
            "csrf_token": csrf_from(form.text),
            "username": "alice",
            "email": "alice@example.com",
            "password": PASSWORD,
        },
    )

    assert response.status_code == 303
    for name in ("broadsheet_session", "broadsheet_csrf"):
        [line] = set_cookie_headers(response, name)
        attributes = [part.strip().lower() for part in line.split(";")]
        assert "httponly" in attributes, line
        assert "samesite=lax" in attributes, line
        assert "path=/" in attributes, line
        assert "secure" not in attributes, line


async def test_cookies_are_secure_over_https(backend):
    async with browser(backend, "https://testserver") as secure:
        form = await secure.get("/signup")
        [csrf_line] = set_cookie_headers(form, "broadsheet_csrf")
        response = await secure.post(
            "/signup",
            data={
                "csrf_token": csrf_from(form.text),
                "username": "alice",
                "email": "alice@example.com",
                "password": PASSWORD,
            },
        )

        assert response.status_code == 303
        [session_line] = set_cookie_headers(response, "broadsheet_session")
        for line in (csrf_line, session_line):
            attributes = [part.strip().lower() for part in line.split(";")]
            assert "secure" in attributes, line
            assert "httponly" in attributes, line
            assert "samesite=lax" in attributes, line


async def test_session_cookie_is_random_and_only_its_hash_is_stored(client, backend):
    await sign_up_on_site(client, "alice")
    cookie = client.cookies["broadsheet_session"]

    async with session_scope(backend.database, write=False) as session:
        stored = (await session.scalars(select(SiteSession.token_hash))).all()

    assert len(cookie) >= 32
    assert "alice" not in cookie
    assert stored == [hashlib.sha256(cookie.encode()).hexdigest()]


async def test_an_expired_session_is_anonymous(client, backend):
    await sign_up_on_site(client, "alice")
    async with session_scope(backend.database) as session:
        await session.execute(
            update(SiteSession).values(expires_at=utcnow() - timedelta(seconds=1))
        )

    home = await client.get("/")

    assert "Sign out" not in home.text
    assert (await client.get("/new")).status_code == 303


async def test_a_forged_session_cookie_is_anonymous(backend):
    async with browser(backend) as forger:
        forger.cookies.set("broadsheet_session", "guessed-value")
        home = await forger.get("/")
        assert home.status_code == 200
        assert "Sign out" not in home.text


async def test_form_without_a_csrf_token_is_refused_and_nothing_is_stored(client):
    await sign_up_on_site(client, "alice")

    response = await client.post(
        "/new",
        data={"title": "Forged", "description": "d", "body": "b", "tags": "", "intent": "publish"},
    )

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "This form had expired" in text_of(response.text)
    assert await story_count(client) == 0


async def test_form_with_a_wrong_csrf_token_is_refused(client):
    await sign_up_on_site(client, "alice")
    token = csrf_from((await client.get("/new")).text)

    response = await client.post(
        "/new",
        data={
            "csrf_token": token[:-4] + "0000",
            "title": "Forged",
            "description": "d",
            "body": "b",
            "intent": "publish",
        },
    )

    assert response.status_code == 403
    assert await story_count(client) == 0


async def test_csrf_token_from_another_browser_is_refused(client, backend):
    await sign_up_on_site(client, "alice")
    async with browser(backend) as attacker:
        await sign_up_on_site(attacker, "mallory")
        attackers_token = csrf_from((await attacker.get("/new")).text)

    response = await client.post(
        "/new",
        data={
            "csrf_token": attackers_token,
            "title": "Forged",
            "description": "d",
            "body": "b",
            "intent": "publish",
        },
    )

    assert response.status_code == 403
    assert await story_count(client) == 0


async def test_post_from_another_origin_is_refused_even_with_a_token(client):
    await sign_up_on_site(client, "alice")
    token = csrf_from((await client.get("/new")).text)
    fields = {"csrf_token": token, "title": "T", "description": "d", "body": "b"}

    foreign = await client.post(
        "/new", data=fields | {"intent": "publish"}, headers={"Origin": "https://evil.example"}
    )
    same_site = await client.post(
        "/new", data=fields | {"intent": "publish"}, headers={"Origin": "http://testserver"}
    )

    assert foreign.status_code == 403
    assert same_site.status_code == 303
    assert await story_count(client) == 1


async def test_sign_up_without_a_csrf_token_creates_no_account(client):
    response = await client.post(
        "/signup", data={"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    )

    assert response.status_code == 403
    assert "broadsheet_session" not in response.headers.get("set-cookie", "")
    assert (await client.get("/api/profiles/alice")).status_code == 404


async def test_sign_out_from_another_site_is_refused(client):
    await sign_up_on_site(client, "alice")

    response = await client.post("/signout", data={})

    assert response.status_code == 403
    assert "Sign out" in (await client.get("/")).text


async def test_csrf_token_seen_before_sign_in_is_worthless_after(client):
    await sign_up(client, "alice")
    token_before = csrf_from((await client.get("/signin")).text)
    signed_in = await client.post(
        "/signin",
        data={"csrf_token": token_before, "email": "alice@example.com", "password": PASSWORD},
    )
    assert signed_in.status_code == 303

    response = await client.post(
        "/new",
        data={
            "csrf_token": token_before,
            "title": "T",
            "description": "d",
            "body": "b",
            "intent": "publish",
        },
    )

    assert response.status_code == 403
    assert await story_count(client) == 0
    assert csrf_from((await client.get("/new")).text) != token_before


async def test_anonymous_post_to_the_editor_keeps_the_text_and_stores_nothing(client):
    token = csrf_from((await client.get("/signin")).text)

    response = await client.post(
        "/new",
        data={"csrf_token": token, "title": "T", "description": "d", "body": "b"},
    )

    assert response.status_code == 401
    assert "You are signed out, so nothing was saved" in text_of(response.text)
    assert 'value="T"' in response.text  # what was typed comes back
    assert await story_count(client) == 0


async def test_follow_never_redirects_to_another_site(client):
    await sign_up(client, "bob")
    await sign_up_on_site(client, "alice")

    response = await submit(client, "/@bob", "/@bob/follow", next="https://evil.example/")

    assert response.status_code == 303
    assert response.headers["location"] == "/@bob"


async def test_passwords_are_never_sent_back_in_pages(client):
    reader = await sign_up_on_site(client, "alice")
    await submit(client, "/", "/signout")

    pages = [
        await submit(client, "/signin", email=reader.email, password="wrong but secret"),
        await submit(
            client, "/signup", username="alice", email="x@example.com", password="taken secret"
        ),
    ]
    signed_in = await submit(client, "/signin", email=reader.email, password=reader.password)
    assert signed_in.status_code == 303
    pages.append(await client.get(signed_in.headers["location"]))
    pages.append(
        await submit(
            client,
            "/settings",
            username="alice",
            email="broken",
            bio="",
            image="",
            password="settings secret",
        )
    )
    await write_on_site(client)

    for response in pages:
        assert "<form" in response.text, response.url  # a page with a body was read
        for secret in ("wrong but secret", "taken secret", "settings secret", reader.password):
            assert secret not in response.text
