"""Drafts on the site: saving by hand and as the writer types, nothing lost on a refused post,
scheduling in the writer's time zone, unlisted stories, preview links and the writer's list."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from broadsheet.articles.models import Article
from broadsheet.db import session_scope
from broadsheet.lib.clock import utcnow
from tests.pages.helpers import (
    browser,
    csrf_from,
    elements,
    error_beside,
    field_value,
    sign_in_on_site,
    sign_up_on_site,
    submit,
    text_of,
    write_on_site,
)

BODY = "It began with a *single* line,\n\nand then another."


async def stored(backend) -> list[Article]:
    async with session_scope(backend.database, write=False) as session:
        return list(await session.scalars(select(Article).order_by(Article.id)))


async def test_save_draft_keeps_a_story_with_only_a_body_for_its_writer_alone(client, backend):
    await sign_up_on_site(client, "alice")

    saved = await submit(client, "/new", body=BODY, intent="draft")

    assert saved.status_code == 303
    [draft] = await stored(backend)
    assert (draft.status, draft.title, draft.body) == ("draft", "", BODY)
    assert saved.headers["location"] == f"/@alice/{draft.slug}/edit?saved=1"
    editor = await client.get(saved.headers["location"])
    assert "Saved" in text_of(editor.text)
    assert field_value(editor.text, "body") == BODY
    drafts = await client.get("/me/stories?status=draft")
    assert "Untitled draft" in text_of(drafts.text)
    assert draft.slug not in (await client.get("/")).text
    async with browser(backend) as stranger:
        assert (await stranger.get(f"/@alice/{draft.slug}")).status_code == 404


async def test_autosave_creates_the_draft_once_and_then_saves_where_it_answered(client, backend):
    await sign_up_on_site(client, "alice")
    token = csrf_from((await client.get("/new")).text)

    first = await client.post(
        "/new", data={"csrf_token": token, "title": "Half", "body": "One", "intent": "autosave"}
    )
    action = first.json()["action"]
    second = await client.post(
        action,
        data={
            "csrf_token": token,
            "title": "Half a title",
            "body": "One two",
            "intent": "autosave",
        },
    )

    assert first.status_code == second.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    [draft] = await stored(backend)
    assert (draft.status, draft.title, draft.body) == ("draft", "Half a title", "One two")
    assert second.json()["action"] == f"/@alice/{draft.slug}/edit"
    assert datetime.fromisoformat(second.json()["savedAt"]) <= utcnow()


async def test_a_published_story_never_saves_itself(client, backend):
    await sign_up_on_site(client, "alice")
    published = await write_on_site(client, title="Out", body="As readers see it")
    editor = await client.get(published.headers["location"] + "/edit")
    assert "data-autosave" not in editor.text

    answer = await client.post(
        published.headers["location"] + "/edit",
        data={
            "csrf_token": csrf_from(editor.text),
            "title": "Out",
            "body": "Half-typed",
            "intent": "autosave",
        },
    )

    assert answer.status_code == 409
    [story] = await stored(backend)
    assert story.body == "As readers see it"


async def test_a_post_after_signing_in_again_elsewhere_comes_back_with_every_word(client, backend):
    alice = await sign_up_on_site(client, "alice")
    stale_token = csrf_from((await client.get("/new")).text)
    # Another tab signs out and in again, which starts a new form seed.
    await submit(client, "/", "/signout")
    await sign_in_on_site(client, alice.email, alice.password)
    typed = {
        "title": "Everything I typed",
        "description": "And the subtitle",
        "body": BODY,
        "tags": "memory, loss",
        "intent": "publish",
    }

    refused = await client.post("/new", data={"csrf_token": stale_token, **typed})

    assert refused.status_code == 403
    assert "This form had expired" in text_of(refused.text)
    for name in ("title", "description", "body", "tags"):
        assert field_value(refused.text, name) == typed[name]
    assert await stored(backend) == []
    again = await client.post("/new", data={"csrf_token": csrf_from(refused.text), **typed})
    assert again.status_code == 303
    [story] = await stored(backend)
    assert (story.title, story.status) == ("Everything I typed", "published")


async def test_a_signed_out_writer_editing_a_story_gets_the_text_back(client, backend):
    await sign_up_on_site(client, "alice")
    published = await write_on_site(client, title="Mine", body="First words")
    edit_path = published.headers["location"] + "/edit"
    token = csrf_from((await client.get(edit_path)).text)
    await submit(client, "/", "/signout")

    refused = await client.post(
        edit_path,
        data={"csrf_token": token, "title": "Mine", "body": "Second words", "intent": "publish"},
    )

    assert refused.status_code == 401
    assert field_value(refused.text, "body") == "Second words"
    assert elements(refused.text, "form", action=edit_path)
    [story] = await stored(backend)
    assert story.body == "First words"


async def test_scheduling_reads_the_time_in_the_writers_time_zone(client, backend):
    await sign_up_on_site(client, "alice")

    scheduled = await write_on_site(
        client,
        title="Morning edition",
        when="scheduled",
        publish_at="2099-06-01T09:30",
        time_zone="Europe/Paris",
    )

    assert scheduled.status_code == 303
    [story] = await stored(backend)
    assert story.status == "scheduled"
    assert story.published_at is not None
    assert story.published_at.replace(tzinfo=UTC) == datetime(2099, 6, 1, 7, 30, tzinfo=UTC)
    editor = await client.get(scheduled.headers["location"])
    # Given back in UTC, which the editor's script moves to the writer's zone.
    assert field_value(editor.text, "publish_at") == "2099-06-01T07:30"
    listed = await client.get("/me/stories?status=scheduled")
    assert "Morning edition" in text_of(listed.text)
    assert "Jun 1, 2099, 07:30 UTC" in text_of(listed.text)


async def test_a_time_in_the_past_is_refused_beside_the_field_with_the_text_kept(client, backend):
    await sign_up_on_site(client, "alice")
    past = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    refused = await write_on_site(
        client, title="Too late", body=BODY, when="scheduled", publish_at=past, time_zone="UTC"
    )
    missing = await write_on_site(client, title="No time", body=BODY, when="scheduled")

    assert refused.status_code == missing.status_code == 422
    assert error_beside(refused.text, "publish_at") == "The time must be in the future"
    assert error_beside(missing.text, "publish_at") == "The time needs a date and time"
    assert field_value(refused.text, "body") == BODY
    assert await stored(backend) == []


async def test_publishing_unlisted_from_the_editor_keeps_it_off_the_front_page(client, backend):
    await sign_up_on_site(client, "alice")

    published = await write_on_site(client, title="Between us", when="unlisted")

    assert published.status_code == 303
    async with browser(backend) as stranger:
        story = await stranger.get(published.headers["location"])
        home = await stranger.get("/")
    assert story.status_code == 200
    assert '<meta name="robots" content="noindex">' in story.text
    assert "Between us" not in text_of(home.text)


async def test_a_preview_link_shows_the_draft_to_anyone_until_it_is_turned_off(client, backend):
    await sign_up_on_site(client, "alice")
    saved = await submit(
        client, "/new", title="Not yet", description="Soon", body=BODY, intent="draft"
    )
    edit_path = saved.headers["location"].split("?")[0]
    story_path = edit_path.removesuffix("/edit")

    shared = await submit(client, edit_path, f"{story_path}/preview-link")
    editor = await client.get(edit_path)
    [link] = [e["value"] for e in elements(editor.text, "input", **{"aria-label": "Preview link"})]
    preview_path = link.removeprefix("http://testserver")

    async with browser(backend) as friend:
        seen = await friend.get(preview_path)
        await submit(client, edit_path, f"{story_path}/preview-link/revoke")
        after_revoking = await friend.get(preview_path)

    assert shared.status_code == 303
    assert seen.status_code == 200
    assert "Not yet" in text_of(seen.text)
    assert '<meta name="robots" content="noindex">' in seen.text
    assert seen.headers["cache-control"] == "private, no-store"
    assert seen.headers["x-robots-tag"] == "noindex"
    assert "Respond" not in text_of(seen.text)
    assert after_revoking.status_code == 404


async def test_a_preview_link_leads_to_the_story_once_it_is_published(client, backend):
    await sign_up_on_site(client, "alice")
    saved = await submit(
        client, "/new", title="Soon out", description="d", body=BODY, intent="draft"
    )
    edit_path = saved.headers["location"].split("?")[0]
    story_path = edit_path.removesuffix("/edit")
    await submit(client, edit_path, f"{story_path}/preview-link")
    [draft] = await stored(backend)

    await submit(client, edit_path, title="Soon out", description="d", body=BODY, intent="publish")

    async with browser(backend) as friend:
        answer = await friend.get(f"/preview/{draft.preview_token}")
    assert answer.status_code == 303
    assert answer.headers["location"] == story_path


async def test_a_made_up_preview_token_finds_nothing(client):
    assert (await client.get("/preview/" + "x" * 43)).status_code == 404
    assert (await client.get("/preview/short")).status_code in (404, 422)


async def test_unpublishing_from_the_editor_makes_it_a_draft_again(client, backend):
    await sign_up_on_site(client, "alice")
    published = await write_on_site(client, title="Second thoughts", body=BODY)
    edit_path = published.headers["location"] + "/edit"
    buttons = {
        b.get("value"): b["text"] for b in elements((await client.get(edit_path)).text, "button")
    }
    assert buttons["draft"] == "Unpublish"

    await submit(client, edit_path, title="Second thoughts", body=BODY, intent="draft")

    [story] = await stored(backend)
    assert story.status == "draft"
    assert "Second thoughts" not in text_of((await client.get("/")).text)


async def test_a_published_story_takes_an_update_note_from_the_editor(client, backend):
    await sign_up_on_site(client, "alice")
    published = await write_on_site(client, title="Figures", body=BODY)
    edit_path = published.headers["location"] + "/edit"
    draft_editor = await client.get("/new")
    assert field_value(draft_editor.text, "update_note") is None

    saved = await submit(
        client,
        edit_path,
        title="Figures",
        description="What it is about",
        body=BODY,
        update_note="A figure was wrong.",
        intent="publish",
    )

    story = await client.get(saved.headers["location"])
    assert "A figure was wrong." in text_of(story.text)
    assert field_value((await client.get(edit_path)).text, "update_note") == "A figure was wrong."


async def test_the_live_preview_renders_and_sanitises_as_a_save_would_and_stores_nothing(
    client, backend
):
    await sign_up_on_site(client, "alice")
    token = csrf_from((await client.get("/new")).text)

    answer = await client.post(
        "/preview",
        data={
            "csrf_token": token,
            "title": "Rye",
            "description": "Slowly",
            "body": "## Day one\n\nFeed the *starter*.<script>alert(1)</script>",
        },
    )

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    preview = answer.json()
    assert preview["title"] == "Rye"
    assert '<h2 id="day-one">Day one</h2>' in preview["html"]
    assert "<script" not in preview["html"]
    # Counted in what was written, as reading time always is.
    assert (preview["words"], preview["minutes"]) == (9, 1)
    assert await stored(backend) == []


async def test_the_live_preview_needs_a_signed_in_writer_and_the_form_token(client):
    token = csrf_from((await client.get("/signin")).text)
    anonymous = await client.post("/preview", data={"csrf_token": token, "body": "x"})
    await sign_up_on_site(client, "alice")
    forged = await client.post("/preview", data={"body": "x"})

    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/signin?next=/preview"
    assert forged.status_code == 403
