"""Pictures from the editor: without JavaScript through the form's own file field, with it
through /uploads; every word the writer typed kept whatever is refused; covers."""

from sqlalchemy import func, select

from broadsheet.articles.models import Article
from broadsheet.db import session_scope
from broadsheet.media.models import Upload
from tests.helpers import own_app
from tests.media.pictures import photo
from tests.pages.helpers import (
    browser,
    csrf_from,
    elements,
    error_beside,
    field_value,
    sign_up_on_site,
    text_of,
)

BODY = "The tide went out at noon."


async def counted(backend, table) -> int:
    async with session_scope(backend.database, write=False) as session:
        return await session.scalar(select(func.count()).select_from(table)) or 0


async def post_with_picture(client, action, data=None, picture=None, **fields):
    """Press a button of the editor at `action` with a picture in its file field, as a browser
    sends the form (multipart) when the button says formenctype="multipart/form-data"."""
    token = csrf_from((await client.get(action)).text)
    form = {"csrf_token": token, "title": "Low water", "body": BODY, **fields}
    data = photo(1200, 800) if data is None else data
    files = {"picture": ("tide.jpg", data, "image/jpeg")} if picture is None else picture
    return await client.post(action, data=form, files=files)


async def test_without_javascript_a_picture_is_added_at_the_end_of_the_text(client, backend):
    await sign_up_on_site(client, "alice")

    shown = await post_with_picture(client, "/new", intent="upload", alt="Mud flats at noon")

    assert shown.status_code == 200
    body = field_value(shown.text, "body")
    assert body.startswith(BODY + "\n\n![Mud flats at noon](http://testserver/media/")
    assert body.rstrip().endswith("-1200x800.jpg)")
    assert field_value(shown.text, "title") == "Low water"
    assert field_value(shown.text, "alt") == ""
    assert "The picture is at the end of the story. Save to keep it." in text_of(shown.text)
    # The picture is kept; the story waits for the writer's Save.
    assert await counted(backend, Upload) == 1
    assert await counted(backend, Article) == 0


async def test_without_javascript_a_picture_can_be_the_cover_then_saved(client, backend):
    await sign_up_on_site(client, "alice")

    shown = await post_with_picture(
        client, "/new", intent="upload", alt="Mud flats", as_cover="1", description="Tides"
    )
    cover = field_value(shown.text, "cover_image")
    published = await client.post(
        "/new",
        data={
            "csrf_token": csrf_from(shown.text),
            "title": "Low water",
            "description": "Tides",
            "body": BODY,
            "cover_image": cover,
            "intent": "publish",
        },
    )

    assert cover.endswith("-1200x800.jpg")
    assert field_value(shown.text, "body") == BODY
    assert published.status_code == 303
    async with session_scope(backend.database, write=False) as session:
        story = await session.scalar(select(Article))
    assert (story.cover_image, story.cover_alt) == (cover, "Mud flats")
    editor = await client.get(published.headers["location"] + "/edit")
    assert field_value(editor.text, "cover_image") == cover
    assert 'class="cover-thumb"' in editor.text


async def test_a_picture_without_alt_text_is_refused_beside_the_field_with_the_text_kept(
    client, backend
):
    await sign_up_on_site(client, "alice")

    shown = await post_with_picture(client, "/new", intent="upload", alt=" ")

    assert shown.status_code == 422
    assert error_beside(shown.text, "alt") == (
        "Alt text can't be blank: describe the picture for readers who cannot see it"
    )
    assert field_value(shown.text, "body") == BODY
    assert await counted(backend, Upload) == 0


async def test_a_file_that_is_not_a_picture_is_refused_beside_the_picture_field(client, backend):
    await sign_up_on_site(client, "alice")

    shown = await post_with_picture(
        client, "/new", data=b"MZ\x90\x00 not a picture", intent="upload", alt="A cat"
    )

    assert shown.status_code == 422
    assert error_beside(shown.text, "picture") == (
        "The picture is not a JPEG, PNG, GIF or WebP picture"
    )
    assert field_value(shown.text, "body") == BODY
    assert field_value(shown.text, "alt") == "A cat"


async def test_pressing_add_picture_with_no_file_chosen_says_so(client):
    await sign_up_on_site(client, "alice")

    shown = await post_with_picture(
        client,
        "/new",
        picture={"picture": ("", b"", "application/octet-stream")},
        intent="upload",
        alt="A cat",
    )

    assert shown.status_code == 422
    assert "choose a picture to upload" in error_beside(shown.text, "picture")
    assert field_value(shown.text, "body") == BODY


async def test_a_picture_over_the_limit_is_refused_with_413_and_the_text_kept(backend):
    async with own_app(backend, upload={"max_bytes": 50_000}) as (_app, client):
        await sign_up_on_site(client, "alice")
        large = photo(1200, 800) + b"\0" * 60_000

        shown = await post_with_picture(client, "/new", data=large, intent="upload", alt="Big")

    assert shown.status_code == 413
    assert error_beside(shown.text, "picture") == "The picture is larger than 0.0476837 MB"
    assert field_value(shown.text, "body") == BODY
    assert "up to 0.0476837 MB" in text_of(shown.text)


async def test_the_editors_form_takes_a_picture_larger_than_other_forms_may_send(backend):
    async with own_app(backend, max_body_bytes=50_000) as (_app, client):
        await sign_up_on_site(client, "alice")
        picture = photo(1200, 800) + b"\0" * 60_000

        shown = await post_with_picture(client, "/new", data=picture, intent="upload", alt="Gulls")
        signed_in_again = await client.post(
            "/signin", files={"picture": ("g.jpg", picture, "image/jpeg")}
        )

    assert shown.status_code == 200
    assert "-1200x800.jpg)" in field_value(shown.text, "body")
    assert signed_in_again.status_code == 413


async def test_an_expired_form_with_a_picture_comes_back_with_every_word(client, backend):
    await sign_up_on_site(client, "alice")
    token = csrf_from((await client.get("/new")).text)
    client.cookies.delete("broadsheet_csrf")

    shown = await client.post(
        "/new",
        data={"csrf_token": token, "body": BODY, "alt": "Gulls", "intent": "upload"},
        files={"picture": ("g.jpg", photo(), "image/jpeg")},
    )

    assert shown.status_code == 403
    assert field_value(shown.text, "body") == BODY
    assert field_value(shown.text, "alt") == "Gulls"
    assert await counted(backend, Upload) == 0


async def test_removing_the_cover_takes_effect_on_save(client, backend):
    await sign_up_on_site(client, "alice")
    shown = await post_with_picture(client, "/new", intent="upload", alt="Gulls", as_cover="1")
    cover = field_value(shown.text, "cover_image")
    token = csrf_from(shown.text)
    fields = {"csrf_token": token, "title": "T", "description": "D", "body": BODY}
    saved = await client.post("/new", data={**fields, "cover_image": cover, "intent": "publish"})
    edit = saved.headers["location"] + "/edit"

    removing = await client.post(
        edit, data={**fields, "cover_image": cover, "intent": "remove_cover"}
    )
    await client.post(edit, data={**fields, "cover_image": "", "intent": "publish"})

    assert field_value(removing.text, "cover_image") == ""
    assert "The cover is taken away when you save." in text_of(removing.text)
    async with session_scope(backend.database, write=False) as session:
        story = await session.scalar(select(Article))
    assert story.cover_image is None


async def test_enter_in_a_field_saves_and_never_adds_or_removes_a_picture(client):
    await sign_up_on_site(client, "alice")
    new = await client.get("/new")
    shown = await post_with_picture(client, "/new", intent="upload", alt="Gulls", as_cover="1")

    # A browser's Enter presses the form's first button.
    assert elements(new.text, "button", name="intent")[0]["value"] == "draft"
    assert elements(shown.text, "button", name="intent")[0]["value"] == "draft"


async def test_the_editors_script_uploads_to_uploads_and_hears_json(client, backend):
    await sign_up_on_site(client, "alice")
    token = csrf_from((await client.get("/new")).text)

    answer = await client.post(
        "/uploads",
        data={"csrf_token": token, "alt": "Gulls"},
        files={"picture": ("g.png", photo(), "image/png")},
    )

    assert answer.status_code == 201
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json()["markdown"].startswith("![Gulls](http://testserver/media/")
    assert answer.json()["url"].endswith("-1800x1200.jpg")


async def test_the_editors_uploads_answer_json_errors(client, backend):
    await sign_up_on_site(client, "alice")
    token = csrf_from((await client.get("/new")).text)
    picture = {"picture": ("g.jpg", photo(), "image/jpeg")}

    not_a_picture = await client.post(
        "/uploads",
        data={"csrf_token": token, "alt": "x"},
        files={"picture": ("g.jpg", b"text", "image/jpeg")},
    )
    forged = await client.post("/uploads", data={"csrf_token": "forged", "alt": "x"}, files=picture)
    async with browser(backend) as stranger:
        signed_out = await stranger.post(
            "/uploads", data={"csrf_token": token, "alt": "x"}, files=picture
        )

    assert not_a_picture.status_code == 422
    assert not_a_picture.json() == {"errors": {"file": ["is not a JPEG, PNG, GIF or WebP picture"]}}
    assert forged.status_code == 403
    assert "errors" in forged.json()
    assert signed_out.status_code == 401
    assert "errors" in signed_out.json()
    assert await counted(backend, Upload) == 0
