"""What guards an account's sign-in details: the current password before they change, limits on
trying email addresses through the settings, no cache keeping a token or an email, and pictures
only from https: addresses."""

import httpx
import pytest

from tests.accounts.helpers import log_in, register, token_headers
from tests.helpers import PASSWORD, sign_up
from tests.pages.helpers import (
    browser,
    error_beside,
    field_value,
    sign_up_on_site,
    submit,
    text_of,
)
from tests.test_ratelimit import HOME, OFFICE, site

NEW_PASSWORD = "a brand new phrase"


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert list(response.json()["errors"]) == ["attempts"]


async def save_settings(client: httpx.AsyncClient, **changes: str) -> httpx.Response:
    """Post alice's settings form as the page shows it, with `changes` typed in."""
    shown = {"image": "", "username": "alice", "bio": "", "email": "alice@example.com"}
    return await submit(client, "/settings", **(shown | {"password": ""} | changes))


async def update(client: httpx.AsyncClient, token: str, **fields: str) -> httpx.Response:
    return await client.put("/api/user", json={"user": fields}, headers=token_headers(token))


# -- The current password ---------------------------------------------------------------------


async def test_api_change_with_a_wrong_current_password_changes_nothing(client):
    writer = await sign_up(client, "alice")

    refused = await update(
        client,
        writer.token,
        email="new@example.com",
        password=NEW_PASSWORD,
        bio="Not saved",
        currentPassword="not my password",
    )

    assert refused.status_code == 422
    assert refused.json() == {"errors": {"currentPassword": ["is not your password"]}}
    me = (await client.get("/api/user", headers=writer.headers)).json()["user"]
    assert (me["email"], me["bio"]) == (writer.email, None)
    assert (await log_in(client, writer.email, PASSWORD)).status_code == 200


async def test_api_change_with_the_right_current_password_or_none_is_made(client):
    writer = await sign_up(client, "alice")

    confirmed = await update(
        client, writer.token, email="new@example.com", currentPassword=PASSWORD
    )
    # RealWorld's contract: the token alone may change the settings.
    unconfirmed = await update(client, confirmed.json()["user"]["token"], bio="Bakes bread")

    assert confirmed.status_code == 200, confirmed.text
    assert unconfirmed.status_code == 200, unconfirmed.text
    assert unconfirmed.json()["user"]["email"] == "new@example.com"
    assert unconfirmed.json()["user"]["bio"] == "Bakes bread"


async def test_openapi_document_describes_the_current_password_extension(client):
    document = (await client.get("/api/openapi.json")).json()
    update_schema = document["components"]["schemas"]["UserUpdate"]["properties"]

    assert "currentPassword" in update_schema
    assert "extension" in update_schema["currentPassword"]["description"]


@pytest.mark.parametrize(
    ("change", "typed"),
    [
        ({"email": "alice.new@example.com", "password": ""}, ""),
        ({"email": "alice@example.com", "password": NEW_PASSWORD}, ""),
        ({"email": "alice.new@example.com", "password": ""}, "not my password"),
    ],
    ids=["new email, none", "new password, none", "new email, wrong"],
)
async def test_site_asks_for_the_current_password_to_change_email_or_password(
    client, change, typed
):
    reader = await sign_up_on_site(client, "alice")

    response = await save_settings(
        client, bio="A bio I took time to write.", currentPassword=typed, **change
    )

    assert response.status_code == 422
    expected = "is not your password" if typed else "is needed to change your email or password"
    assert error_beside(response.text, "currentPassword") == f"Current password {expected}"
    assert "nothing was saved" in text_of(response.text)
    assert field_value(response.text, "email") == change["email"]
    assert field_value(response.text, "bio") == "A bio I took time to write."
    assert field_value(response.text, "currentPassword") == ""
    assert (typed or NEW_PASSWORD) not in response.text
    assert (await log_in(client, reader.email, reader.password)).status_code == 200
    me = (await client.get("/api/profiles/alice")).json()["profile"]
    assert me["bio"] is None


async def test_site_changes_the_email_with_the_current_password(client):
    reader = await sign_up_on_site(client, "alice")

    response = await save_settings(
        client, email="alice.new@example.com", currentPassword=reader.password
    )

    assert response.status_code == 303, error_beside(response.text, "currentPassword")
    assert (await log_in(client, "alice.new@example.com", reader.password)).status_code == 200
    assert (await log_in(client, reader.email, reader.password)).status_code == 401


async def test_current_passwords_tried_count_as_sign_ins(backend):
    async with site(backend, limits={"login_per_account": "2/hour"}) as client_from:
        client = client_from()
        token = (await register(client)).json()["user"]["token"]
        for _ in range(2):
            wrong = await update(client, token, bio="x", currentPassword="guess")
            assert wrong.status_code == 422

        refused = await update(client, token, bio="x", currentPassword=PASSWORD)

        assert_refused(refused)


# -- Trying email addresses through the settings ----------------------------------------------


async def test_new_emails_are_limited_per_account(backend):
    async with site(backend, limits={"email_change_per_account": "2/hour"}) as client_from:
        client = client_from()
        token = (await register(client)).json()["user"]["token"]
        for number in range(2):
            moved = await update(client, token, email=f"alice{number}@example.com")
            assert moved.status_code == 200, moved.text
        # The email it has already counts for nothing.
        assert (await update(client, token, email="alice1@example.com")).status_code == 200

        refused = await update(client, token, email="alice9@example.com")

        assert_refused(refused)


async def test_trying_emails_in_settings_counts_against_the_sign_up_limits(backend):
    async with site(
        backend, limits={"signup_per_address": "3/hour", "signup_per_account": "2/hour"}
    ) as client_from:
        home, office = client_from(HOME), client_from(OFFICE)
        token = (await register(home)).json()["user"]["token"]
        await register(office, username="bob", email="bob@example.com")
        # Has bob@example.com an account? Asking costs a sign-up attempt, per address and email.
        taken = await update(home, token, email="bob@example.com")
        moved = await update(home, token, email="carol@example.com")

        sign_up_from_home = await register(home, username="dave", email="dave@example.com")
        bob_once_more = await register(office, username="eve", email="bob@example.com")

        assert taken.status_code == 422, taken.text
        assert moved.status_code == 200, moved.text
        assert_refused(sign_up_from_home)
        assert_refused(bob_once_more)


async def test_site_settings_past_a_limit_answer_429_and_keep_the_typing(backend):
    async with site(backend, limits={"email_change_per_account": "1/hour"}) as client_from:
        client = client_from()
        reader = await sign_up_on_site(client, "alice")
        first = await save_settings(
            client, email="alice.first@example.com", currentPassword=reader.password
        )
        assert first.status_code == 303

        response = await save_settings(
            client,
            bio="Kept as typed",
            email="alice.new@example.com",
            currentPassword=reader.password,
        )

        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1
        assert "too many attempts" in text_of(response.text).lower()
        assert field_value(response.text, "bio") == "Kept as typed"


# -- No cache keeps a token or an email -------------------------------------------------------


async def test_responses_carrying_a_token_or_an_email_are_never_stored(client, backend):
    signed_up = await register(client)
    token = signed_up.json()["user"]["token"]
    signed_in = await log_in(client, "alice@example.com", PASSWORD)
    me = await client.get("/api/user", headers=token_headers(token))
    changed = await update(client, token, bio="Hello")
    async with browser(backend) as laptop:
        await sign_up_on_site(laptop, "bob")
        settings_page = await laptop.get("/settings")

    for response in (signed_up, signed_in, me, changed, settings_page):
        assert response.status_code in (200, 201), response.text
        assert "no-store" in response.headers["cache-control"], response.request.url


# -- Pictures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("http://example.com/me.png", "must start with https:// (pages show pictures from"),
        ("HTTP://example.com/me.png", "must start with https://"),
        ("javascript:alert(1)", "must be the https:// address of a picture"),
        ("data:image/png;base64,AAAA", "must be the https:// address of a picture"),
        ("//example.com/me.png", "must be the https:// address of a picture"),
        ("https://", "must be the https:// address of a picture"),
        ("https://example.com/my picture.png", "must not contain spaces"),
    ],
)
async def test_pictures_must_be_https_with_a_clear_message(client, image, message):
    writer = await sign_up(client, "alice")

    api = await update(client, writer.token, image=image)

    assert api.status_code == 422
    assert api.json()["errors"]["image"][0].startswith(message)
    assert (await client.get("/api/user", headers=writer.headers)).json()["user"]["image"] is None


async def test_site_refuses_an_http_picture_beside_the_field(client):
    await sign_up_on_site(client, "alice")

    response = await save_settings(client, image="http://example.com/alice.png", bio="Kept")

    assert response.status_code == 422
    assert error_beside(response.text, "image").startswith("Picture URL must start with https://")
    assert field_value(response.text, "image") == "http://example.com/alice.png"
    assert field_value(response.text, "bio") == "Kept"


async def test_an_https_picture_is_kept_and_an_empty_one_clears_it(client):
    writer = await sign_up(client, "alice")

    kept = await update(client, writer.token, image="HTTPS://example.com/me.png")
    cleared = await update(client, writer.token, image="")

    assert kept.json()["user"]["image"] == "HTTPS://example.com/me.png"
    assert cleared.json()["user"]["image"] is None
