"""Submissions through the API, on every engine: a writer offers a draft, the editors edit it
and publish it or send it back with a note, the writer may withdraw it; who did what is kept."""

import asyncio
from datetime import UTC, datetime, timedelta

from tests.helpers import every_row, publish
from tests.publications.helpers import masthead

DRAFT = {"title": "Pagination without tears", "description": "Keyset pages", "body": "Offsets."}


async def _draft(client, writer, **fields):
    story = {**DRAFT, "status": "draft", **fields}
    return await publish(client, writer, **story)


async def _submit(client, team, story, *, by=None, to=None):
    return await client.post(
        f"/api/articles/{story['slug']}/submission",
        json={"submission": {"publication": to or team.slug}},
        headers=(by or team.writer).headers,
    )


async def test_a_writer_submits_a_draft_and_an_editor_publishes_it_in_the_publication(client):
    team = await masthead(client)
    story = await _draft(client, team.writer)

    submitted = await _submit(client, team, story)
    seen_by_editor = await client.get(f"/api/articles/{story['slug']}", headers=team.editor.headers)
    queue = await client.get(
        f"/api/publications/{team.slug}/submissions", headers=team.editor.headers
    )
    edited = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"description": "Keyset pagination, explained slowly"}},
        headers=team.editor.headers,
    )
    published = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"status": "published"}},
        headers=team.editor.headers,
    )

    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["submission"]["outcome"] == "pending"
    assert submitted.json()["submission"]["submittedBy"] == team.writer.username
    assert seen_by_editor.status_code == 200
    assert seen_by_editor.json()["article"]["submittedTo"]["slug"] == team.slug
    assert [s["article"]["slug"] for s in queue.json()["submissions"]] == [story["slug"]]
    assert edited.status_code == 200, edited.text
    assert published.status_code == 200, published.text
    article = published.json()["article"]
    assert article["status"] == "published"
    assert article["publication"]["slug"] == team.slug
    assert article["submittedTo"] is None
    assert article["author"]["username"] == team.writer.username
    assert article["description"] == "Keyset pagination, explained slowly"
    history = await client.get(
        f"/api/articles/{story['slug']}/submissions", headers=team.writer.headers
    )
    [record] = history.json()["submissions"]
    assert (record["outcome"], record["decidedBy"]) == ("published", team.editor.username)
    queue = await client.get(
        f"/api/publications/{team.slug}/submissions", headers=team.owner.headers
    )
    assert queue.json()["submissions"] == []


async def test_an_editor_sends_a_draft_back_with_a_note_and_it_stays_a_draft(client):
    team = await masthead(client)
    story = await _draft(client, team.writer)
    await _submit(client, team, story)

    returned = await client.post(
        f"/api/articles/{story['slug']}/submission/return",
        json={"submission": {"note": "Lovely; cut the first paragraph."}},
        headers=team.editor.headers,
    )
    afterwards = await client.get(f"/api/articles/{story['slug']}", headers=team.writer.headers)
    editor_now = await client.get(f"/api/articles/{story['slug']}", headers=team.editor.headers)

    assert returned.status_code == 200, returned.text
    assert returned.json()["submission"]["outcome"] == "returned"
    assert returned.json()["submission"]["note"] == "Lovely; cut the first paragraph."
    assert afterwards.json()["article"]["status"] == "draft"
    assert afterwards.json()["article"]["submittedTo"] is None
    assert editor_now.status_code == 404
    resubmitted = await _submit(client, team, story)
    assert resubmitted.status_code == 201


async def test_a_writer_withdraws_a_submission(client):
    team = await masthead(client)
    story = await _draft(client, team.writer)
    await _submit(client, team, story)

    withdrawn = await client.delete(
        f"/api/articles/{story['slug']}/submission", headers=team.writer.headers
    )
    again = await client.delete(
        f"/api/articles/{story['slug']}/submission", headers=team.writer.headers
    )

    assert withdrawn.status_code == 204
    assert again.status_code == 409
    history = await client.get(
        f"/api/articles/{story['slug']}/submissions", headers=team.writer.headers
    )
    assert [s["outcome"] for s in history.json()["submissions"]] == ["withdrawn"]


async def test_the_writer_cannot_publish_a_waiting_draft_themselves(client, backend):
    team = await masthead(client)
    story = await _draft(client, team.writer)
    await _submit(client, team, story)
    before = await every_row(backend)

    refused = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"status": "published"}},
        headers=team.writer.headers,
    )

    assert refused.status_code == 409
    assert refused.json() == {
        "errors": {
            "status": [
                "waits for the editors of Codeburst: withdraw the submission to publish it yourself"
            ]
        }
    }
    assert await every_row(backend) == before


async def test_submissions_are_refused_where_they_do_not_belong(client, backend):
    team = await masthead(client)
    draft = await _draft(client, team.writer)
    published = await publish(client, team.writer)
    readers_draft = await _draft(client, team.reader)
    before = await every_row(backend)

    not_a_member = await _submit(client, team, readers_draft, by=team.reader)
    not_a_draft = await _submit(client, team, published)
    not_theirs = await _submit(client, team, draft, by=team.editor)
    nowhere = await _submit(client, team, draft, to="nowhere")

    assert not_a_member.status_code == 403
    assert not_a_draft.status_code == 409
    assert not_theirs.status_code == 404  # another writer's draft is not there to see
    assert nowhere.status_code == 422
    assert nowhere.json() == {"errors": {"publication": ["is not the address of a publication"]}}
    assert await every_row(backend) == before


async def test_only_the_editors_it_waits_for_decide_on_a_submission(client, backend):
    team = await masthead(client)
    story = await _draft(client, team.writer)
    await _submit(client, team, story)
    before = await every_row(backend)

    for someone in (team.outsider, team.reader):
        for answer in (
            await client.post(
                f"/api/articles/{story['slug']}/submission/return",
                json={"submission": {"note": "No."}},
                headers=someone.headers,
            ),
            await client.put(
                f"/api/articles/{story['slug']}",
                json={"article": {"status": "published"}},
                headers=someone.headers,
            ),
        ):
            assert answer.status_code == 404, answer.text  # a draft they cannot see
    writer_returns = await client.post(
        f"/api/articles/{story['slug']}/submission/return",
        json={"submission": {"note": "Never mind."}},
        headers=team.writer.headers,
    )
    queue = await client.get(
        f"/api/publications/{team.slug}/submissions", headers=team.writer.headers
    )

    assert writer_returns.status_code == 403
    assert queue.status_code == 403
    assert await every_row(backend) == before


async def test_an_editor_may_edit_but_not_delete_a_writers_story(client):
    team = await masthead(client)
    story = await _draft(client, team.writer)
    await _submit(client, team, story)

    deleted = await client.delete(f"/api/articles/{story['slug']}", headers=team.editor.headers)

    assert deleted.status_code == 403
    assert deleted.json() == {"errors": {"article": ["only the author may change this story"]}}


async def test_a_draft_submitted_twice_at_once_waits_once(client):
    team = await masthead(client)
    story = await _draft(client, team.writer)

    answers = await asyncio.gather(*(_submit(client, team, story) for _ in range(4)))

    assert sorted(answer.status_code for answer in answers) == [201, 409, 409, 409]
    history = await client.get(
        f"/api/articles/{story['slug']}/submissions", headers=team.writer.headers
    )
    assert [s["outcome"] for s in history.json()["submissions"]] == ["pending"]


async def test_an_editor_schedules_a_submission_to_go_out_in_the_publication(client):
    team = await masthead(client)
    story = await _draft(client, team.writer)
    await _submit(client, team, story)
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()

    scheduled = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"publishAt": later}},
        headers=team.editor.headers,
    )

    assert scheduled.status_code == 200, scheduled.text
    article = scheduled.json()["article"]
    assert article["status"] == "scheduled"
    assert article["publication"]["slug"] == team.slug
    assert article["submittedTo"] is None
    queue = await client.get(
        f"/api/publications/{team.slug}/submissions", headers=team.editor.headers
    )
    assert queue.json()["submissions"] == []


async def test_two_decisions_on_one_submission_at_once_leave_one(client):
    team = await masthead(client)
    story = await _draft(client, team.writer)
    await _submit(client, team, story)

    answers = await asyncio.gather(
        client.put(
            f"/api/articles/{story['slug']}",
            json={"article": {"status": "published"}},
            headers=team.editor.headers,
        ),
        client.post(
            f"/api/articles/{story['slug']}/submission/return",
            json={"submission": {"note": "Not yet."}},
            headers=team.owner.headers,
        ),
        client.delete(f"/api/articles/{story['slug']}/submission", headers=team.writer.headers),
    )

    statuses = sorted(answer.status_code for answer in answers)
    # One decides; the others find it decided (409), or, once it is withdrawn or sent back,
    # no longer theirs to see (404), whichever came first.
    assert statuses[0] in (200, 204), statuses
    assert set(statuses[1:]) <= {404, 409}, statuses
    history = await client.get(
        f"/api/articles/{story['slug']}/submissions", headers=team.writer.headers
    )
    [record] = history.json()["submissions"]
    assert record["outcome"] in ("published", "returned", "withdrawn")
