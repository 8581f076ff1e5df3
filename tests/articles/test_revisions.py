"""Revisions of public stories, their history page and restoring one; update notes shown to
readers, in feeds and in JSON-LD."""

import json
import re

from sqlalchemy import func, select

from broadsheet.articles.models import Revision
from broadsheet.db import session_scope
from tests.helpers import publish, sign_up
from tests.pages.helpers import browser, csrf_from, elements, sign_up_on_site, submit, text_of


async def revision_count(backend) -> int:
    async with session_scope(backend.database, write=False) as session:
        return await session.scalar(select(func.count()).select_from(Revision)) or 0


async def edit(client, writer, slug, **changes):
    answer = await client.put(
        f"/api/articles/{slug}", json={"article": changes}, headers=writer.headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["article"]


async def test_every_save_of_a_public_story_keeps_a_revision_and_drafts_keep_none(client, backend):
    writer = await sign_up(client)
    story = await publish(client, writer, body="First words.")
    await edit(client, writer, story["slug"], body="Second words.")
    await edit(client, writer, story["slug"], title="Retitled")
    draft = await publish(client, writer, status="draft")
    await edit(client, writer, draft["slug"], body="Still a draft.")

    assert await revision_count(backend) == 3


async def test_the_history_shows_what_each_save_changed(client, backend):
    alice = await sign_up_on_site(client, "alice")
    await submit(
        client,
        "/new",
        title="Bread",
        description="Two days",
        body="Mix.\nWait.\nBake.",
        intent="publish",
    )
    token = (
        await client.post(
            "/api/users/login", json={"user": {"email": alice.email, "password": alice.password}}
        )
    ).json()["user"]["token"]
    headers = {"Authorization": f"Token {token}"}
    slug = (await client.get("/api/articles?author=alice")).json()["articles"][0]["slug"]
    await client.put(
        f"/api/articles/{slug}",
        json={"article": {"body": "Mix.\nWait a night.\nBake.", "tagList": ["rye"]}},
        headers=headers,
    )

    history = await client.get(f"/@alice/{slug}/history")

    assert history.status_code == 200
    assert [e["text"] for e in elements(history.text, "span", **{"class": "added"})] == [
        "Added: + Wait a night."
    ]
    assert [e["text"] for e in elements(history.text, "span", **{"class": "removed"})] == [
        "Removed: − Wait."
    ]
    # The arrow is seen, "changed to" is spoken.
    assert "Tags: (none) → changed to rye" in text_of(history.text)
    assert "The first public version: Bread." in text_of(history.text)
    async with browser(backend) as stranger:
        assert (await stranger.get(f"/@alice/{slug}/history")).status_code == 303


async def test_restoring_a_revision_is_a_new_save_of_what_it_held(client, backend):
    await sign_up_on_site(client, "alice")
    await submit(client, "/new", title="Draft one", description="d", body="Old", intent="publish")
    [story] = (await client.get("/api/articles?author=alice")).json()["articles"]
    path = f"/@alice/{story['slug']}"
    changed = await submit(
        client, f"{path}/edit", title="Draft two", description="d", body="New", intent="publish"
    )
    new_path = changed.headers["location"]
    history = await client.get(f"{new_path}/history")
    [restore_action] = [
        form["action"] for form in elements(history.text, "form") if "restore" in form["action"]
    ]

    restored = await client.post(restore_action, data={"csrf_token": csrf_from(history.text)})

    assert restored.status_code == 303
    page = await client.get(restored.headers["location"])
    assert "Draft one" in text_of(page.text)
    assert "Old" in text_of(page.text)
    assert await revision_count(backend) == 3


async def test_a_revision_of_another_story_cannot_be_restored(client, backend):
    await sign_up_on_site(client, "alice")
    await submit(client, "/new", title="One", description="d", body="b", intent="publish")
    await submit(client, "/new", title="Two", description="d", body="b", intent="publish")
    stories = (await client.get("/api/articles?author=alice")).json()["articles"]
    async with session_scope(backend.database, write=False) as session:
        ids = sorted(await session.scalars(select(Revision.id)))
    two, one = stories  # newest first
    history = await client.get(f"/@alice/{two['slug']}/history")

    answer = await client.post(
        f"/@alice/{two['slug']}/history/{ids[0]}/restore",
        data={"csrf_token": csrf_from(history.text)},
    )

    assert answer.status_code == 404
    assert one["title"] == "One"
    assert await revision_count(backend) == 2


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


async def test_an_update_note_is_shown_above_the_story_in_feeds_and_in_json_ld(client):
    writer = await sign_up(client)
    story = await publish(client, writer, body="The figures.")
    noted = await edit(
        client, writer, story["slug"], updateNote="The figures for 2025 were corrected."
    )
    path = f"/@{writer.username}/{story['slug']}"

    page = await client.get(path)
    feed = await client.get("/feed.atom")

    assert noted["updateNote"] == "The figures for 2025 were corrected."
    [note] = elements(page.text, "aside", **{"aria-label": "Update"})
    assert re.fullmatch(
        r"Update \(\w+ \d+, \d{4}\): The figures for 2025 were corrected\.", note["text"].strip()
    )
    assert json_ld(page.text)["dateModified"].startswith(noted["updateNotedAt"][:19])
    assert "Update (" in feed.text
    assert "The figures for 2025 were corrected." in feed.text

    cleared = await edit(client, writer, story["slug"], updateNote="")

    assert cleared["updateNote"] is None
    assert cleared["updateNotedAt"] is None
    assert not elements((await client.get(path)).text, "aside", **{"aria-label": "Update"})


async def test_an_unchanged_update_note_keeps_its_date(client):
    writer = await sign_up(client)
    story = await publish(client, writer)
    first = await edit(client, writer, story["slug"], updateNote="Corrected.")

    again = await edit(client, writer, story["slug"], updateNote="Corrected.", body="More.")

    assert again["updateNotedAt"] == first["updateNotedAt"]
