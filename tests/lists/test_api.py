"""Lists through the API, on every engine: the reading list, named lists public and private,
notes, the order of a list, and who may see and change which."""

import asyncio

import pytest

from broadsheet.lists import service as lists_service
from tests.articles.test_concurrency import roomy_client  # noqa: F401 (a fixture)
from tests.helpers import publish, sign_up
from tests.moderation.test_api import make_admin


async def save(client, reader, story, list_slug="reading-list", note=None, expect=201):
    entry = {"slug": story["slug"]} | ({} if note is None else {"note": note})
    response = await client.post(
        f"/api/lists/{list_slug}/entries", json={"entry": entry}, headers=reader.headers
    )
    assert response.status_code == expect, response.text
    return response.json()


async def make_list(client, reader, name="Best of", **fields):
    response = await client.post(
        "/api/lists", json={"list": {"name": name, **fields}}, headers=reader.headers
    )
    assert response.status_code == 201, response.text
    return response.json()["list"]


async def read_list(client, slug, reader=None, expect=200, **params):
    headers = reader.headers if reader else {}
    response = await client.get(f"/api/lists/{slug}", params=params, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


def titles(found):
    return [entry["article"]["title"] for entry in found["entries"]]


async def test_saving_a_story_puts_it_in_the_readers_own_reading_list(client):
    writer, reader = await sign_up(client), await sign_up(client)
    story = await publish(client, writer, title="Tides")
    before = (await client.get("/api/lists", headers=reader.headers)).json()["lists"]

    saved = await save(client, reader, story)

    assert [(found["name"], found["storiesCount"]) for found in before] == [("Reading list", 0)]
    assert saved["entry"]["article"]["title"] == "Tides"
    mine = await read_list(client, "reading-list", reader)
    assert titles(mine) == ["Tides"]
    assert mine["list"] | {"createdAt": None, "updatedAt": None, "slug": None} == {
        "slug": None,
        "name": "Reading list",
        "description": "",
        "public": False,
        "readingList": True,
        "storiesCount": 1,
        "owner": reader.username,
        "createdAt": None,
        "updatedAt": None,
    }
    # Private: not to the writer, nor to anyone without a token.
    await read_list(client, mine["list"]["slug"], writer, expect=404)
    await read_list(client, mine["list"]["slug"], expect=404)
    # "reading-list" is each reader's own.
    assert titles(await read_list(client, "reading-list", writer)) == []


async def test_a_story_added_goes_on_top_and_saving_again_keeps_its_place_and_takes_the_note(
    client,
):
    writer, reader = await sign_up(client), await sign_up(client)
    first = await publish(client, writer, title="First")
    second = await publish(client, writer, title="Second")
    await save(client, reader, first, note="Read on the train")
    await save(client, reader, second)

    again = await save(client, reader, first, note="Read twice", expect=200)

    found = await read_list(client, "reading-list", reader)
    assert titles(found) == ["Second", "First"]
    assert [entry["note"] for entry in found["entries"]] == ["", "Read twice"]
    assert again["entry"]["note"] == "Read twice"
    assert found["list"]["storiesCount"] == 2


async def test_a_public_list_is_seen_by_anyone_and_a_private_one_by_its_owner_alone(client):
    writer, reader, other = await sign_up(client), await sign_up(client), await sign_up(client)
    story = await publish(client, writer, title="Lighthouses")
    shared = await make_list(client, reader, "Coasts", description="Where land stops", public=True)
    hidden = await make_list(client, reader, "Secret")
    await save(client, reader, story, shared["slug"], note="Start here")
    await save(client, reader, story, hidden["slug"])

    seen = await read_list(client, shared["slug"])
    assert (seen["list"]["name"], seen["list"]["description"]) == ("Coasts", "Where land stops")
    assert [(entry["article"]["title"], entry["note"]) for entry in seen["entries"]] == [
        ("Lighthouses", "Start here")
    ]
    await read_list(client, hidden["slug"], other, expect=404)
    assert titles(await read_list(client, hidden["slug"], reader)) == ["Lighthouses"]

    profile = f"/api/profiles/{reader.username}/lists"
    to_others = (await client.get(profile)).json()["lists"]
    to_owner = (await client.get(profile, headers=reader.headers)).json()["lists"]
    assert [found["name"] for found in to_others] == ["Coasts"]
    assert {found["name"] for found in to_owner} == {"Reading list", "Coasts", "Secret"}

    response = await client.put(
        f"/api/lists/{shared['slug']}", json={"list": {"public": False}}, headers=reader.headers
    )
    assert response.status_code == 200
    await read_list(client, shared["slug"], expect=404)


async def test_stories_move_in_a_list_and_leave_it(client):
    writer, reader = await sign_up(client), await sign_up(client)
    stories = [await publish(client, writer, title=t) for t in ("A", "B", "C", "D")]
    for story in stories:
        await save(client, reader, story)
    assert titles(await read_list(client, "reading-list", reader)) == ["D", "C", "B", "A"]

    async def move(story, position):
        response = await client.put(
            f"/api/lists/reading-list/entries/{story['slug']}",
            json={"entry": {"position": position}},
            headers=reader.headers,
        )
        assert response.status_code == 200, response.text

    await move(stories[0], 0)
    assert titles(await read_list(client, "reading-list", reader)) == ["A", "D", "C", "B"]
    await move(stories[3], 99)
    assert titles(await read_list(client, "reading-list", reader)) == ["A", "C", "B", "D"]
    await move(stories[1], 1)
    assert titles(await read_list(client, "reading-list", reader)) == ["A", "B", "C", "D"]

    path = f"/api/lists/reading-list/entries/{stories[2]['slug']}"
    removed = await client.delete(path, headers=reader.headers)
    again = await client.delete(path, headers=reader.headers)

    assert (removed.status_code, again.status_code) == (204, 404)
    found = await read_list(client, "reading-list", reader, limit=2, offset=1)
    assert titles(found) == ["B", "D"]
    assert (found["entriesCount"], found["list"]["storiesCount"]) == (3, 3)


async def test_only_published_stories_the_reader_may_read_can_be_saved(client):
    writer, reader = await sign_up(client), await sign_up(client)
    draft = await publish(client, writer, title="Draft", status="draft")
    own_draft = await publish(client, reader, title="Mine", status="draft")
    unlisted = await publish(client, writer, title="By link", status="unlisted")

    await save(client, reader, draft, expect=404)
    refused = await save(client, reader, own_draft, expect=409)
    await save(client, reader, unlisted)

    assert refused["errors"] == {"story": ["can be saved once it is published"]}
    assert titles(await read_list(client, "reading-list", reader)) == ["By link"]


async def test_a_story_that_goes_away_leaves_every_list_and_its_count(client):
    writer, reader = await sign_up(client), await sign_up(client)
    story = await publish(client, writer, title="Brief")
    kept = await publish(client, writer, title="Kept")
    named = await make_list(client, reader, "Both", public=True)
    for slug in ("reading-list", named["slug"]):
        await save(client, reader, story, slug)
        await save(client, reader, kept, slug)

    taken_down = await client.put(
        f"/api/articles/{kept['slug']}",
        json={"article": {"status": "draft"}},
        headers=writer.headers,
    )
    deleted = await client.delete(f"/api/articles/{story['slug']}", headers=writer.headers)
    assert (taken_down.status_code, deleted.status_code) == (200, 204)

    for slug in ("reading-list", named["slug"]):
        found = await read_list(client, slug, reader)
        assert titles(found) == []
        # The draft is still in it, unseen until it is published again.
        assert (found["entriesCount"], found["list"]["storiesCount"]) == (0, 1)


async def test_the_reading_list_stays_and_a_named_list_goes_leaving_its_stories(client):
    writer, reader = await sign_up(client), await sign_up(client)
    story = await publish(client, writer)
    named = await make_list(client, reader)
    await save(client, reader, story, named["slug"])
    await save(client, reader, story)

    refused = await client.delete("/api/lists/reading-list", headers=reader.headers)
    deleted = await client.delete(f"/api/lists/{named['slug']}", headers=reader.headers)

    assert refused.status_code == 403
    assert refused.json()["errors"] == {"list": ["is every reader's own and cannot be deleted"]}
    assert deleted.status_code == 204
    await read_list(client, named["slug"], reader, expect=404)
    assert len(titles(await read_list(client, "reading-list", reader))) == 1
    assert (await client.get(f"/api/articles/{story['slug']}")).status_code == 200


async def test_nobody_changes_a_list_but_its_owner(client):
    owner, other = await sign_up(client), await sign_up(client)
    story = await publish(client, owner)
    shared = await make_list(client, owner, public=True)
    await save(client, owner, story, shared["slug"])
    path = f"/api/lists/{shared['slug']}"

    responses = [
        await client.put(path, json={"list": {"name": "Mine now"}}, headers=other.headers),
        await client.delete(path, headers=other.headers),
        await client.post(
            f"{path}/entries", json={"entry": {"slug": story["slug"]}}, headers=other.headers
        ),
        await client.delete(f"{path}/entries/{story['slug']}", headers=other.headers),
        await client.put(path, json={"list": {"name": "Anonymous"}}),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404, 404, 401]
    assert (await read_list(client, shared["slug"]))["list"]["name"] == "Best of"


async def test_names_and_notes_have_limits(client):
    reader = await sign_up(client)
    story = await publish(client, reader)

    blank = await client.post("/api/lists", json={"list": {"name": " "}}, headers=reader.headers)
    long = await client.post(
        "/api/lists", json={"list": {"name": "n" * 61}}, headers=reader.headers
    )
    note = await save(client, reader, story, note="x" * 501, expect=422)

    assert blank.json()["errors"] == {"list.name": ["can't be blank"]}
    assert long.json()["errors"] == {"list.name": ["is too long (maximum is 60)"]}
    assert note["errors"] == {"entry.note": ["is too long (maximum is 500)"]}


async def test_a_full_list_refuses_one_more_story(client, monkeypatch):
    monkeypatch.setattr(lists_service, "MAX_LIST_STORIES", 2)
    writer, reader = await sign_up(client), await sign_up(client)
    stories = [await publish(client, writer) for _ in range(3)]
    await save(client, reader, stories[0])
    await save(client, reader, stories[1])

    refused = await save(client, reader, stories[2], expect=409)

    assert refused["errors"] == {"list": ["holds 2 stories, as many as a list may"]}


async def test_a_suspended_readers_lists_are_seen_by_nobody(client, backend):
    admin, reader = await sign_up(client), await sign_up(client)
    await make_admin(backend, admin)
    shared = await make_list(client, reader, public=True)
    response = await client.post(
        f"/api/moderation/suspensions/{reader.username}", headers=admin.headers
    )
    assert response.status_code == 204

    await read_list(client, shared["slug"], expect=404)


async def test_stories_saved_at_once_are_all_counted(roomy_client):  # noqa: F811
    client = roomy_client
    writer, reader = await sign_up(client), await sign_up(client)
    stories = [await publish(client, writer) for _ in range(8)]

    # The first save makes the reading list while the others wait to.
    await asyncio.gather(*(save(client, reader, story) for story in stories))

    found = await read_list(client, "reading-list", reader)
    assert (found["list"]["storiesCount"], found["entriesCount"]) == (8, 8)


@pytest.mark.parametrize("name", ["Reading list", "reading-list"])
async def test_a_named_list_never_takes_the_reading_lists_address(client, name):
    reader = await sign_up(client)
    made = await make_list(client, reader, name)

    # Never "reading-list-{a number}", the address of a reader's reading list.
    assert made["slug"].startswith("list-reading-list-")
    assert titles(await read_list(client, made["slug"], reader)) == []
