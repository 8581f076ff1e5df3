"""Sign-up, sign-in, sign-out, settings, profiles and follows, through the site's forms."""

from tests.helpers import PASSWORD, publish, sign_up
from tests.pages.helpers import (
    browser,
    elements,
    error_beside,
    field_value,
    plant_cookie,
    sign_in_on_site,
    sign_up_on_site,
    submit,
    text_of,
)


def signed_in_as(html: str, username: str) -> bool:
    """Whether the page header shows `username` signed in."""
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return f'href="/@{username}"' in nav and "Sign out" in nav


async def test_anonymous_header_offers_sign_in_and_get_started(client):
    response = await client.get("/")

    assert response.status_code == 200
    assert elements(response.text, "a", href="/signin")[0]["text"] == "Sign in"
    assert elements(response.text, "a", href="/signup")[0]["text"] == "Get started"
    assert "Sign out" not in response.text
    assert not elements(response.text, "a", href="/new")


async def test_sign_up_form_creates_the_account_and_signs_in(client):
    form = await client.get("/signup")
    assert form.status_code == 200
    assert "Create account" in form.text
    for name in ("username", "email", "password"):
        assert field_value(form.text, name) == ""

    reader = await sign_up_on_site(client, "alice")

    home = await client.get("/")
    assert signed_in_as(home.text, reader.username)
    assert elements(home.text, "a", href="/new")[0]["text"] == "Write"
    assert elements(home.text, "a", href="/settings")[0]["text"] == "Settings"
    api_login = await client.post(
        "/api/users/login", json={"user": {"email": reader.email, "password": reader.password}}
    )
    assert api_login.status_code == 200


async def test_sign_up_with_a_taken_username_keeps_what_was_typed(client):
    await sign_up(client, "alice")

    response = await submit(
        client, "/signup", username="alice", email="other@example.com", password="secret phrase 1"
    )

    assert response.status_code == 422
    assert field_value(response.text, "username") == "alice"
    assert field_value(response.text, "email") == "other@example.com"
    assert field_value(response.text, "password") == ""
    assert "secret phrase 1" not in response.text
    assert "taken" in error_beside(response.text, "username")
    assert error_beside(response.text, "email") == ""
    assert "broadsheet_session" not in response.headers.get("set-cookie", "")


async def test_sign_up_with_a_short_password_explains_beside_the_field(client):
    response = await submit(
        client, "/signup", username="alice", email="alice@example.com", password="short"
    )

    assert response.status_code == 422
    assert error_beside(response.text, "password").startswith("Password ")
    assert field_value(response.text, "username") == "alice"
    assert field_value(response.text, "email") == "alice@example.com"
    assert 'value="short"' not in response.text
    profile = await client.get("/api/profiles/alice")
    assert profile.status_code == 404


async def test_sign_up_with_a_bad_email_and_username_marks_both_fields(client):
    response = await submit(
        client, "/signup", username="no spaces", email="not-an-email", password=PASSWORD
    )

    assert response.status_code == 422
    assert error_beside(response.text, "username")
    assert error_beside(response.text, "email")
    assert field_value(response.text, "username") == "no spaces"
    assert field_value(response.text, "email") == "not-an-email"
    assert PASSWORD not in response.text


async def test_sign_in_with_a_wrong_password_answers_401_and_keeps_the_email(client):
    await sign_up(client, "alice")

    response = await sign_in_on_site(client, "alice@example.com", "wrong password 123")

    assert response.status_code == 401
    assert field_value(response.text, "email") == "alice@example.com"
    assert "wrong password 123" not in response.text
    assert 'role="alert"' in response.text
    assert "broadsheet_session" not in response.headers.get("set-cookie", "")
    home = await client.get("/")
    assert not signed_in_as(home.text, "alice")


async def test_sign_in_goes_back_to_the_page_the_reader_came_from(client):
    writer = await sign_up(client, "alice")
    story = await publish(client, writer)
    story_path = f"/@alice/{story['slug']}"

    form = await client.get("/signin", params={"next": story_path})
    assert field_value(form.text, "next") == story_path
    response = await submit(
        client,
        f"/signin?next={story_path}",
        "/signin",
        email=writer.email,
        password=writer.password,
        next=story_path,
    )

    assert response.status_code == 303
    assert response.headers["location"] == story_path
    assert signed_in_as((await client.get(story_path)).text, "alice")


async def test_sign_in_never_redirects_to_another_site(client, backend):
    writer = await sign_up(client, "alice")

    for next_url in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        async with browser(backend) as other:
            response = await submit(
                other, "/signin", email=writer.email, password=writer.password, next=next_url
            )
            assert response.status_code == 303
            assert response.headers["location"] == "/"


async def test_sign_in_rotates_the_session_id(client, backend):
    reader = await sign_up_on_site(client, "alice")
    first_session = client.cookies["broadsheet_session"]

    # Signed in already, the sign-in form redirects away; post it with the header form's token.
    response = await submit(client, "/", "/signin", email=reader.email, password=reader.password)

    assert response.status_code == 303
    second_session = client.cookies["broadsheet_session"]
    assert second_session != first_session
    async with browser(backend) as replay:
        replay.cookies.set("broadsheet_session", first_session)
        assert not signed_in_as((await replay.get("/")).text, "alice")


async def test_a_planted_session_id_is_replaced_at_sign_in(client):
    await sign_up(client, "alice")
    plant_cookie(client, "broadsheet_session", "planted-by-someone-else")

    response = await sign_in_on_site(client, "alice@example.com", PASSWORD)

    assert response.status_code == 303
    assert client.cookies["broadsheet_session"] != "planted-by-someone-else"
    assert signed_in_as((await client.get("/")).text, "alice")


async def test_sign_out_ends_the_session_on_the_server(client, backend):
    await sign_up_on_site(client, "alice")
    old_session = client.cookies["broadsheet_session"]

    response = await submit(client, "/", "/signout")

    assert response.status_code == 303
    assert not signed_in_as((await client.get("/")).text, "alice")
    async with browser(backend) as replay:
        replay.cookies.set("broadsheet_session", old_session)
        home = await replay.get("/")
        assert not signed_in_as(home.text, "alice")
        assert "Sign in" in text_of(home.text)
        settings = await replay.get("/settings")
        assert settings.status_code == 303
        assert settings.headers["location"].startswith("/signin")


async def test_settings_page_needs_a_signed_in_reader(client):
    response = await client.get("/settings")

    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/settings"


async def test_settings_are_saved_and_confirmed(client):
    await sign_up_on_site(client, "alice")

    response = await submit(
        client,
        "/settings",
        image="https://example.com/alice.png",
        username="alice",
        bio="Writes about bread.",
        email="alice@example.com",
        password="",
    )

    assert response.status_code == 303
    saved = await client.get(response.headers["location"])
    assert "Your settings are saved." in text_of(saved.text)
    assert field_value(saved.text, "bio") == "Writes about bread."
    assert field_value(saved.text, "image") == "https://example.com/alice.png"
    profile = await client.get("/@alice")
    assert "Writes about bread." in text_of(profile.text)
    assert elements(profile.text, "img", src="https://example.com/alice.png")


async def test_settings_with_a_bad_email_keep_every_typed_value(client):
    await sign_up_on_site(client, "alice")

    response = await submit(
        client,
        "/settings",
        image="https://example.com/alice.png",
        username="alice2",
        bio="A bio I took time to write.",
        email="not-an-email",
        password="new secret phrase",
    )

    assert response.status_code == 422
    assert error_beside(response.text, "email").startswith("Email ")
    assert field_value(response.text, "bio") == "A bio I took time to write."
    assert field_value(response.text, "username") == "alice2"
    assert field_value(response.text, "email") == "not-an-email"
    assert field_value(response.text, "image") == "https://example.com/alice.png"
    assert field_value(response.text, "password") == ""
    assert "new secret phrase" not in response.text
    assert "Your settings are saved." not in response.text
    assert (await client.get("/api/profiles/alice")).json()["profile"]["bio"] is None


async def test_settings_with_a_taken_username_change_nothing(client):
    await sign_up(client, "bob")
    await sign_up_on_site(client, "alice")

    response = await submit(
        client,
        "/settings",
        image="",
        username="Bob",
        bio="Not saved either.",
        email="alice@example.com",
        password="",
    )

    assert response.status_code == 422
    assert "taken" in error_beside(response.text, "username")
    assert field_value(response.text, "username") == "Bob"
    assert field_value(response.text, "bio") == "Not saved either."
    assert signed_in_as(response.text, "alice")
    profile = (await client.get("/api/profiles/alice")).json()["profile"]
    assert profile["bio"] is None


async def test_new_password_from_settings_signs_other_browsers_out(client, backend):
    reader = await sign_up_on_site(client, "alice")
    async with browser(backend) as laptop:
        await sign_in_on_site(laptop, reader.email, reader.password)
        assert signed_in_as((await laptop.get("/")).text, "alice")

        response = await submit(
            client,
            "/settings",
            image="",
            username="alice",
            bio="",
            email=reader.email,
            password="a brand new phrase",
            currentPassword=reader.password,
        )

        assert response.status_code == 303
        assert signed_in_as((await client.get("/")).text, "alice")
        assert not signed_in_as((await laptop.get("/")).text, "alice")
        refused = await sign_in_on_site(laptop, reader.email, reader.password)
        assert refused.status_code == 401
        accepted = await sign_in_on_site(laptop, reader.email, "a brand new phrase")
        assert accepted.status_code == 303


async def test_profile_shows_bio_image_and_stories(client):
    writer = await sign_up(client, "alice")
    await client.put(
        "/api/user",
        json={"user": {"bio": "Bakes bread.", "image": "https://example.com/a.png"}},
        headers=writer.headers,
    )
    story = await publish(client, writer, title="On rye")

    response = await client.get("/@alice")

    assert response.status_code == 200
    assert elements(response.text, "h1")[0]["text"] == "alice"
    assert "Bakes bread." in text_of(response.text)
    assert elements(response.text, "img", src="https://example.com/a.png")
    assert elements(response.text, "a", href=f"/@alice/{story['slug']}")[0]["text"] == "On rye"
    follow = elements(response.text, "a", href="/signin?next=/%40alice")
    assert [link["text"].strip() for link in follow] == ["Follow"]


async def test_profile_favorites_tab_lists_the_favorited_stories(client):
    alice = await sign_up(client, "alice")
    bob = await sign_up(client, "bob")
    liked = await publish(client, alice, title="Liked one")
    await publish(client, alice, title="Other one")
    await client.post(f"/api/articles/{liked['slug']}/favorite", headers=bob.headers)

    response = await client.get("/@bob/favorites")

    assert response.status_code == 200
    titles = [link["text"] for link in elements(response.text, "a") if "/@alice/" in link["href"]]
    assert titles == ["Liked one"]


async def test_wrong_case_username_redirects_permanently_to_the_profile(client):
    await sign_up(client, "Alice")

    response = await client.get("/@ALICE")
    favorites = await client.get("/@alice/favorites")

    assert response.status_code == 301
    assert response.headers["location"] == "/@Alice"
    assert favorites.status_code == 301
    assert favorites.headers["location"] == "/@Alice/favorites"


async def test_unknown_writer_gets_a_friendly_404(client):
    response = await client.get("/@nobody")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "We couldn't find that page" in text_of(response.text)


async def test_follow_button_follows_and_fills_the_following_tab(client):
    writer = await sign_up(client, "bob")
    await publish(client, writer, title="Bob's story")
    await publish(client, await sign_up(client, "carol"), title="Carol's story")
    await sign_up_on_site(client, "alice")

    response = await submit(client, "/@bob", "/@bob/follow", next="/@bob")

    assert response.status_code == 303
    assert response.headers["location"] == "/@bob"
    profile = await client.get("/@bob")
    assert elements(profile.text, "button", aria_pressed="true")[0]["text"] == "Following"
    following = await client.get("/?feed=following")
    assert "Bob's story" in text_of(following.text)
    assert "Carol's story" not in text_of(following.text)
    latest = await client.get("/")
    assert elements(latest.text, "a", href="/?feed=following")[0]["text"] == "Following"


async def test_follow_button_twice_stops_following(client):
    await sign_up(client, "bob")
    await sign_up_on_site(client, "alice")

    await submit(client, "/@bob", "/@bob/follow")
    await submit(client, "/@bob", "/@bob/follow")

    profile = await client.get("/@bob")
    assert elements(profile.text, "button", aria_pressed="false")[0]["text"] == "Follow"


async def test_following_tab_is_not_offered_to_anonymous_readers(client):
    response = await client.get("/")

    assert not elements(response.text, "a", href="/?feed=following")
