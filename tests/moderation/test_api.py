"""Reports, the admins' queue, suspensions and blocks through the API."""

from sqlalchemy import func, select

from broadsheet.db import session_scope
from broadsheet.moderation.models import Report
from broadsheet.moderation.service import grant_admin
from tests.comments.test_api import add_comment, comment_on, comments_on
from tests.helpers import PASSWORD, publish, sign_up


async def make_admin(backend, writer):
    async with session_scope(backend.database) as session:
        await grant_admin(session, writer.username, admin=True)


async def report(client, story, comment, reader, reason="spam", note=""):
    return await client.post(
        f"/api/articles/{story['slug']}/comments/{comment['id']}/report",
        json={"report": {"reason": reason, "note": note}},
        headers=reader.headers,
    )


async def queue(client, admin):
    return await client.get("/api/moderation/reports", headers=admin.headers)


async def count_reports(backend):
    async with backend.database.engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(Report))


async def test_readers_report_a_response_once_each_and_admins_see_them_together(client, backend):
    author, troll, admin = await sign_up(client), await sign_up(client), await sign_up(client)
    readers = [await sign_up(client) for _ in range(2)]
    await make_admin(backend, admin)
    story = await publish(client, author, title="Calm")
    rude = await add_comment(client, story, troll, "Buy pills")

    first = await report(client, story, rude, readers[0], "spam", "Third time today")
    again = await report(client, story, rude, readers[0], "hate")
    second = await report(client, story, rude, readers[1], "harassment")

    assert first.status_code == again.status_code == second.status_code == 204
    assert await count_reports(backend) == 2
    listed = await queue(client, admin)
    assert listed.status_code == 200
    (found,) = listed.json()["reported"]
    assert (found["commentId"], found["body"], found["author"]) == (
        rude["id"],
        "Buy pills",
        troll.username,
    )
    assert (found["storySlug"], found["storyTitle"], found["hidden"]) == (
        story["slug"],
        "Calm",
        False,
    )
    assert [(r["reason"], r["note"], r["reporter"]) for r in found["reports"]] == [
        ("spam", "Third time today", readers[0].username),
        ("harassment", "", readers[1].username),
    ]


async def test_a_report_needs_a_reason_and_someone_elses_response_they_can_see(client, backend):
    author, reader = await sign_up(client), await sign_up(client)
    story = await publish(client, author)
    mine = await add_comment(client, story, reader, "Mine")

    own = await report(client, story, mine, reader)
    unknown = await report(client, story, {"id": 2**40}, author)
    no_reason = await report(client, story, mine, author, reason="boring")
    anonymous = await client.post(
        f"/api/articles/{story['slug']}/comments/{mine['id']}/report",
        json={"report": {"reason": "spam"}},
    )

    assert own.status_code == 403
    assert own.json() == {"errors": {"report": ["cannot be made about your own response"]}}
    assert unknown.status_code == 404
    assert no_reason.status_code == 422
    assert "report.reason" in no_reason.json()["errors"]
    assert anonymous.status_code == 401
    assert await count_reports(backend) == 0


async def test_only_admins_see_the_queue_and_decide(client, backend):
    author, troll, reader = await sign_up(client), await sign_up(client), await sign_up(client)
    story = await publish(client, author)
    rude = await add_comment(client, story, troll, "Rude")
    await report(client, story, rude, reader)

    refused = await queue(client, reader)
    decided = await client.post(
        f"/api/moderation/reports/{rude['id']}",
        json={"decision": {"outcome": "hidden"}},
        headers=author.headers,
    )

    assert refused.status_code == decided.status_code == 403
    assert refused.json() == {"errors": {"user": ["only a site admin may do this"]}}
    assert len(await comments_on(client, story)) == 1


async def test_an_admin_hides_a_reported_response_or_dismisses_its_reports(client, backend):
    author, troll, reader, admin = [await sign_up(client) for _ in range(4)]
    await make_admin(backend, admin)
    story = await publish(client, author)
    rude = await add_comment(client, story, troll, "Rude")
    fine = await add_comment(client, story, troll, "Fine, actually")
    await report(client, story, rude, reader)
    await report(client, story, fine, reader, "off-topic")

    def decide(comment, outcome):
        return client.post(
            f"/api/moderation/reports/{comment['id']}",
            json={"decision": {"outcome": outcome}},
            headers=admin.headers,
        )

    hidden = await decide(rude, "hidden")
    dismissed = await decide(fine, "dismissed")
    again = await decide(fine, "hidden")

    assert (hidden.status_code, dismissed.status_code) == (204, 204)
    assert again.status_code == 404
    assert again.json() == {"errors": {"report": ["no open reports about this response"]}}
    assert [c["body"] for c in await comments_on(client, story)] == ["Fine, actually"]
    assert (await queue(client, admin)).json() == {"reported": []}


async def test_an_admin_may_hide_and_delete_any_response(client, backend):
    author, troll, admin = await sign_up(client), await sign_up(client), await sign_up(client)
    await make_admin(backend, admin)
    story = await publish(client, author)
    rude = await add_comment(client, story, troll, "Rude")
    other = await add_comment(client, story, troll, "Also rude")
    base = f"/api/articles/{story['slug']}/comments"

    hidden = await client.post(f"{base}/{rude['id']}/hide", headers=admin.headers)
    deleted = await client.delete(f"{base}/{other['id']}", headers=admin.headers)

    assert (hidden.status_code, deleted.status_code) == (204, 204)
    assert await comments_on(client, story) == []


async def test_a_suspended_account_cannot_sign_in_and_nobody_sees_what_it_wrote(client, backend):
    admin, troll, reader = await sign_up(client), await sign_up(client), await sign_up(client)
    await make_admin(backend, admin)
    story = await publish(client, troll, title="Troll story")
    elsewhere = await publish(client, reader, title="Reader story")
    await add_comment(client, elsewhere, troll, "Troll words")
    await add_comment(client, elsewhere, reader, "Reader words")
    suspension = f"/api/moderation/suspensions/{troll.username}"

    by_reader = await client.post(suspension, headers=reader.headers)
    suspended = await client.post(suspension, headers=admin.headers)

    assert (by_reader.status_code, suspended.status_code) == (403, 204)
    assert (await client.get("/api/user", headers=troll.headers)).status_code == 401
    sign_in = await client.post(
        "/api/users/login", json={"user": {"email": troll.email, "password": PASSWORD}}
    )
    assert sign_in.status_code == 403
    assert sign_in.json() == {"errors": {"account": ["is suspended: it cannot sign in"]}}
    wrong_password = await client.post(
        "/api/users/login", json={"user": {"email": troll.email, "password": "not it at all"}}
    )
    assert wrong_password.status_code == 401
    listed = (await client.get("/api/articles")).json()
    assert [a["title"] for a in listed["articles"]] == ["Reader story"]
    assert listed["articlesCount"] == 1
    assert (await client.get(f"/api/articles/{story['slug']}")).status_code == 404
    assert (await client.get(f"/api/profiles/{troll.username}")).status_code == 404
    assert [c["body"] for c in await comments_on(client, elsewhere)] == ["Reader words"]
    assert (await client.get(f"/@{troll.username}/{story['slug']}")).status_code == 404

    lifted = await client.delete(suspension, headers=admin.headers)

    assert lifted.status_code == 204
    assert (await client.get(f"/api/articles/{story['slug']}")).status_code == 200
    assert len(await comments_on(client, elsewhere)) == 2
    back = await client.post(
        "/api/users/login", json={"user": {"email": troll.email, "password": PASSWORD}}
    )
    assert back.status_code == 200


async def test_an_admin_cannot_suspend_themselves(client, backend):
    admin = await sign_up(client)
    await make_admin(backend, admin)

    refused = await client.post(
        f"/api/moderation/suspensions/{admin.username}", headers=admin.headers
    )

    assert refused.status_code == 403
    assert (await client.get("/api/user", headers=admin.headers)).status_code == 200


async def test_a_blocked_account_cannot_follow_the_blocker_or_respond_to_their_stories(client):
    writer, pest, reader = await sign_up(client), await sign_up(client), await sign_up(client)
    story = await publish(client, writer)
    await client.post(f"/api/profiles/{writer.username}/follow", headers=pest.headers)
    await client.post(f"/api/profiles/{pest.username}/follow", headers=writer.headers)

    blocked = await client.post(f"/api/profiles/{pest.username}/block", headers=writer.headers)

    assert blocked.status_code == 200
    assert blocked.json()["profile"]["following"] is False
    seen = await client.get(f"/api/profiles/{writer.username}", headers=pest.headers)
    assert seen.json()["profile"]["following"] is False
    follow = await client.post(f"/api/profiles/{writer.username}/follow", headers=pest.headers)
    assert follow.status_code == 403
    assert follow.json() == {"errors": {"profile": ["has blocked you"]}}
    respond = await comment_on(client, story, pest, "Let me in")
    assert respond.status_code == 403
    assert respond.json() == {
        "errors": {"comment": ["cannot be sent: the story's writer has blocked you"]}
    }
    assert (await comment_on(client, story, reader, "Welcome")).status_code == 200
    own = await client.post(f"/api/profiles/{writer.username}/block", headers=writer.headers)
    assert own.status_code == 403

    unblocked = await client.delete(f"/api/profiles/{pest.username}/block", headers=writer.headers)

    assert unblocked.status_code == 200
    assert (await comment_on(client, story, pest, "Thanks")).status_code == 200
    again = await client.post(f"/api/profiles/{writer.username}/follow", headers=pest.headers)
    assert again.status_code == 200
