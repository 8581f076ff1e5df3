"""Ending sessions: a new password, a site sign-out and a sign-out everywhere leave nothing
behind that a copied token or cookie could replay."""

from tests.accounts.helpers import log_in, token_headers
from tests.helpers import PASSWORD, sign_up
from tests.pages.helpers import browser, csrf_from, sign_in_on_site, submit

NEW_PASSWORD = "a brand new phrase"


async def site_user_of(client, session_cookie: str) -> int:
    """The status of /settings for a browser holding only `session_cookie`: 200 when signed in."""
    client.cookies.set("broadsheet_session", session_cookie)
    return (await client.get("/settings")).status_code


async def test_new_password_through_the_api_signs_every_browser_out(client, backend):
    writer = await sign_up(client, "alice")
    async with browser(backend) as laptop:
        await sign_in_on_site(laptop, writer.email, writer.password)
        cookie = laptop.cookies["broadsheet_session"]
        assert (await laptop.get("/settings")).status_code == 200

        changed = await client.put(
            "/api/user", json={"user": {"password": NEW_PASSWORD}}, headers=writer.headers
        )

        assert changed.status_code == 200
        assert (await laptop.get("/settings")).status_code == 303
    async with browser(backend) as replay:
        assert await site_user_of(replay, cookie) == 303


async def test_new_password_on_the_settings_page_ends_every_api_token(client, backend):
    writer = await sign_up(client, "alice")
    phone_token = (await log_in(client, writer.email, PASSWORD)).json()["user"]["token"]
    async with browser(backend) as laptop:
        await sign_in_on_site(laptop, writer.email, writer.password)

        response = await submit(
            laptop,
            "/settings",
            image="",
            username="alice",
            bio="",
            email=writer.email,
            password=NEW_PASSWORD,
            currentPassword=writer.password,
        )

        assert response.status_code == 303
        assert (await laptop.get("/settings")).status_code == 200
    for token in (writer.token, phone_token):
        assert (await client.get("/api/user", headers=token_headers(token))).status_code == 401


async def test_site_sign_out_refuses_the_replayed_cookie_even_for_a_form_post(client, backend):
    writer = await sign_up(client, "alice")
    async with browser(backend) as laptop:
        await sign_in_on_site(laptop, writer.email, writer.password)
        cookie = laptop.cookies["broadsheet_session"]
        assert (await submit(laptop, "/", "/signout")).status_code == 303

    async with browser(backend) as replay:
        replay.cookies.set("broadsheet_session", cookie)
        csrf = csrf_from((await replay.get("/signin")).text)
        posted = await replay.post("/settings", data={"csrf_token": csrf, "bio": "not mine"})
        assert posted.status_code == 303
        assert posted.headers["location"].startswith("/signin")
    profile = await client.get("/api/profiles/alice")
    assert profile.json()["profile"]["bio"] is None


async def test_sign_out_everywhere_ends_every_token_and_browser(client, backend):
    writer = await sign_up(client, "alice")
    phone_token = (await log_in(client, writer.email, PASSWORD)).json()["user"]["token"]
    async with browser(backend) as laptop:
        await sign_in_on_site(laptop, writer.email, writer.password)

        response = await client.post("/api/user/logout", headers=writer.headers)

        assert response.status_code == 204
        assert response.content == b""
        assert (await laptop.get("/settings")).status_code == 303
    for token in (writer.token, phone_token):
        assert (await client.get("/api/user", headers=token_headers(token))).status_code == 401
    fresh = await log_in(client, writer.email, PASSWORD)
    assert fresh.status_code == 200
    assert (
        await client.get("/api/user", headers=token_headers(fresh.json()["user"]["token"]))
    ).status_code == 200


async def test_sign_out_everywhere_needs_a_token(client):
    response = await client.post("/api/user/logout")

    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["token"]


async def test_sign_out_everywhere_leaves_other_writers_signed_in(client):
    alice = await sign_up(client, "alice")
    bob = await sign_up(client, "bob")

    await client.post("/api/user/logout", headers=alice.headers)

    assert (await client.get("/api/user", headers=bob.headers)).status_code == 200


async def test_sign_out_everywhere_is_in_the_openapi_document(client):
    document = (await client.get("/api/openapi.json")).json()

    operation = document["paths"]["/api/user/logout"]["post"]
    assert "204" in operation["responses"]
    assert "401" in operation["responses"]
