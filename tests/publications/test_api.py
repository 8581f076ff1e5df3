"""Publications through the API, on every engine: founding, changing, members, invitations,
following, and stories published in them."""

import asyncio
import re

from tests.helpers import every_row, publish, sign_up
from tests.media.pictures import photo, upload
from tests.publications.helpers import found, join, masthead


async def test_a_publication_is_founded_with_its_founder_as_owner(client):
    owner = await sign_up(client)

    publication = await found(
        client,
        owner,
        description="Stories about code.",
        links=["https://example.com/codeburst"],
    )

    assert publication["slug"] == "codeburst"
    assert publication["name"] == "Codeburst"
    assert publication["tagline"] == "Bursts of code to power through your day"
    assert publication["description"] == "Stories about code."
    assert publication["links"] == ["https://example.com/codeburst"]
    assert publication["role"] == "owner"
    assert publication["followersCount"] == 0
    members = (await client.get("/api/publications/codeburst/members")).json()["members"]
    assert [(m["profile"]["username"], m["role"]) for m in members] == [(owner.username, "owner")]


async def test_a_taken_address_is_refused_a_bad_one_explained_and_a_wordless_name_given_one(
    client,
):
    owner = await sign_up(client)
    await found(client, owner)

    taken = await client.post(
        "/api/publications", json={"publication": {"name": "Codeburst"}}, headers=owner.headers
    )
    bad = await client.post(
        "/api/publications",
        json={"publication": {"name": "Other", "slug": "-no spaces-"}},
        headers=owner.headers,
    )
    wordless = await client.post(
        "/api/publications", json={"publication": {"name": "!!!"}}, headers=owner.headers
    )

    assert taken.status_code == 409
    assert taken.json() == {"errors": {"slug": ["is taken by another publication"]}}
    assert bad.status_code == 422
    assert "publication.slug" in bad.json()["errors"]
    assert wordless.status_code == 201
    assert re.fullmatch(r"[0-9a-f]{8}", wordless.json()["publication"]["slug"])


async def test_only_owners_change_a_publication_and_its_old_address_is_kept(client, backend):
    team = await masthead(client)
    before = await every_row(backend)

    for someone in (team.editor, team.writer, team.outsider, team.reader):
        refused = await client.put(
            f"/api/publications/{team.slug}",
            json={"publication": {"name": "Taken over"}},
            headers=someone.headers,
        )
        assert refused.status_code == 403, someone
    assert await every_row(backend) == before

    renamed = await client.put(
        f"/api/publications/{team.slug}",
        json={"publication": {"name": "Codeburst Weekly", "slug": "codeburst-weekly"}},
        headers=team.owner.headers,
    )

    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["publication"]["slug"] == "codeburst-weekly"
    page = await client.get(f"/p/{team.slug}")
    assert page.status_code == 301
    assert page.headers["location"] == "/p/codeburst-weekly"


async def test_a_logo_must_be_the_owners_upload(client):
    owner, other = await sign_up(client), await sign_up(client)
    theirs = (await upload(client, other, photo(640, 480), alt="Not mine")).json()["upload"]["url"]
    mine = (await upload(client, owner, alt="A burst of code")).json()["upload"]["url"]

    refused = await client.post(
        "/api/publications",
        json={"publication": {"name": "Codeburst", "logo": theirs}},
        headers=owner.headers,
    )
    publication = await found(client, owner, logo=mine)

    assert refused.status_code == 422
    assert "logo" in refused.json()["errors"]
    assert publication["logo"]["url"] == mine
    assert publication["logo"]["alt"] == "A burst of code"


async def test_an_invited_writer_joins_only_on_accepting(client):
    owner, writer = await sign_up(client), await sign_up(client)
    slug = (await found(client, owner))["slug"]

    invited = await client.post(
        f"/api/publications/{slug}/invitations",
        json={"invitation": {"username": writer.username}},
        headers=owner.headers,
    )
    seen_by_writer = (await client.get(f"/api/publications/{slug}", headers=writer.headers)).json()
    members_before = (await client.get(f"/api/publications/{slug}/members")).json()["members"]
    open_invitations = await client.get(
        f"/api/publications/{slug}/invitations", headers=owner.headers
    )
    accepted = await client.post(f"/api/publications/{slug}/invitation", headers=writer.headers)
    members_after = (await client.get(f"/api/publications/{slug}/members")).json()["members"]

    assert invited.status_code == 201
    assert invited.json()["member"]["joinedAt"] is None
    assert invited.json()["member"]["invitedBy"] == owner.username
    assert seen_by_writer["publication"]["invited"] == "writer"
    assert seen_by_writer["publication"]["role"] is None
    assert len(members_before) == 1
    assert [m["profile"]["username"] for m in open_invitations.json()["members"]] == [
        writer.username
    ]
    assert accepted.status_code == 200
    assert [(m["profile"]["username"], m["role"]) for m in members_after] == [
        (owner.username, "owner"),
        (writer.username, "writer"),
    ]
    await client.post(f"/api/publications/{slug}/follow", headers=writer.headers)
    mine = (await client.get("/api/user/publications", headers=writer.headers)).json()
    assert [(p["slug"], p["role"], p["following"]) for p in mine["publications"]] == [
        (slug, "writer", True)
    ]


async def test_a_declined_invitation_leaves_no_trace_and_cannot_be_accepted(client):
    owner, writer = await sign_up(client), await sign_up(client)
    slug = (await found(client, owner))["slug"]
    await client.post(
        f"/api/publications/{slug}/invitations",
        json={"invitation": {"username": writer.username}},
        headers=owner.headers,
    )

    declined = await client.delete(f"/api/publications/{slug}/invitation", headers=writer.headers)
    accepted = await client.post(f"/api/publications/{slug}/invitation", headers=writer.headers)

    assert declined.status_code == 204
    assert accepted.status_code == 404
    assert accepted.json() == {
        "errors": {"invitation": ["you have no invitation to this publication"]}
    }


async def test_inviting_twice_or_someone_unknown_is_refused(client):
    owner, writer = await sign_up(client), await sign_up(client)
    slug = (await found(client, owner))["slug"]

    async def invite(username: str):
        return await client.post(
            f"/api/publications/{slug}/invitations",
            json={"invitation": {"username": username, "role": "writer"}},
            headers=owner.headers,
        )

    first, again, owner_again, nobody = (
        await invite(writer.username),
        await invite(writer.username),
        await invite(owner.username),
        await invite("nobody-at-all"),
    )

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json() == {"errors": {"username": ["is invited already"]}}
    assert owner_again.status_code == 409
    assert owner_again.json() == {"errors": {"username": ["is a member already"]}}
    assert nobody.status_code == 422
    assert nobody.json() == {"errors": {"username": ["is not the username of anyone here"]}}


async def test_editors_invite_writers_but_not_editors_or_owners(client, backend):
    team = await masthead(client)
    newcomer = await sign_up(client)
    before = await every_row(backend)

    for role in ("editor", "owner"):
        refused = await client.post(
            f"/api/publications/{team.slug}/invitations",
            json={"invitation": {"username": newcomer.username, "role": role}},
            headers=team.editor.headers,
        )
        assert refused.status_code == 403
    assert await every_row(backend) == before

    for someone in (team.writer, team.outsider, team.reader):
        refused = await client.post(
            f"/api/publications/{team.slug}/invitations",
            json={"invitation": {"username": newcomer.username, "role": "writer"}},
            headers=someone.headers,
        )
        assert refused.status_code == 403
    assert await every_row(backend) == before


async def test_the_last_owner_cannot_leave_or_step_down_but_anyone_else_may_leave(client):
    team = await masthead(client)

    owner_leaves = await client.delete(
        f"/api/publications/{team.slug}/members/{team.owner.username}", headers=team.owner.headers
    )
    owner_steps_down = await client.put(
        f"/api/publications/{team.slug}/members/{team.owner.username}",
        json={"member": {"role": "editor"}},
        headers=team.owner.headers,
    )
    writer_leaves = await client.delete(
        f"/api/publications/{team.slug}/members/{team.writer.username}",
        headers=team.writer.headers,
    )

    assert owner_leaves.status_code == 409
    assert owner_leaves.json()["errors"] == {
        "member": ["is the publication's only owner: make someone else an owner first"]
    }
    assert owner_steps_down.status_code == 409
    assert writer_leaves.status_code == 204

    promoted = await client.put(
        f"/api/publications/{team.slug}/members/{team.editor.username}",
        json={"member": {"role": "owner"}},
        headers=team.owner.headers,
    )
    owner_leaves = await client.delete(
        f"/api/publications/{team.slug}/members/{team.owner.username}", headers=team.owner.headers
    )

    assert promoted.status_code == 200
    assert promoted.json()["member"]["role"] == "owner"
    assert owner_leaves.status_code == 204
    members = (await client.get(f"/api/publications/{team.slug}/members")).json()["members"]
    assert [(m["profile"]["username"], m["role"]) for m in members] == [
        (team.editor.username, "owner")
    ]


async def test_two_owners_removing_each_other_at_once_leave_one_owner(client):
    team = await masthead(client)
    await client.put(
        f"/api/publications/{team.slug}/members/{team.editor.username}",
        json={"member": {"role": "owner"}},
        headers=team.owner.headers,
    )

    answers = await asyncio.gather(
        client.delete(
            f"/api/publications/{team.slug}/members/{team.editor.username}",
            headers=team.owner.headers,
        ),
        client.delete(
            f"/api/publications/{team.slug}/members/{team.owner.username}",
            headers=team.editor.headers,
        ),
    )

    assert sorted(answer.status_code for answer in answers) in ([204, 403], [204, 409])
    members = (await client.get(f"/api/publications/{team.slug}/members")).json()["members"]
    assert [m["role"] for m in members].count("owner") == 1


async def test_editors_remove_writers_and_owners_remove_editors(client):
    team = await masthead(client)

    editor_removes_owner = await client.delete(
        f"/api/publications/{team.slug}/members/{team.owner.username}",
        headers=team.editor.headers,
    )
    editor_removes_writer = await client.delete(
        f"/api/publications/{team.slug}/members/{team.writer.username}",
        headers=team.editor.headers,
    )
    owner_removes_editor = await client.delete(
        f"/api/publications/{team.slug}/members/{team.editor.username}",
        headers=team.owner.headers,
    )

    assert editor_removes_owner.status_code == 403
    assert editor_removes_writer.status_code == 204
    assert owner_removes_editor.status_code == 204


async def test_followers_are_counted_exactly_when_many_follow_at_once(client):
    owner = await sign_up(client)
    slug = (await found(client, owner))["slug"]
    readers = [await sign_up(client) for _ in range(12)]

    await asyncio.gather(
        *(client.post(f"/api/publications/{slug}/follow", headers=r.headers) for r in readers)
    )
    again = await client.post(f"/api/publications/{slug}/follow", headers=readers[0].headers)
    left = await client.delete(f"/api/publications/{slug}/follow", headers=readers[1].headers)

    assert again.json()["publication"]["followersCount"] == 12
    assert again.json()["publication"]["following"] is True
    assert left.json()["publication"]["followersCount"] == 11
    assert left.json()["publication"]["following"] is False


async def test_editors_publish_in_their_publication_and_others_may_not(client, backend):
    team = await masthead(client)

    story = await publish(client, team.editor, publication=team.slug)

    assert story["publication"]["slug"] == team.slug
    assert story["publication"]["name"] == "Codeburst"
    assert story["publication"]["tagline"] == "Bursts of code to power through your day"
    listed = await client.get(f"/api/articles?publication={team.slug}")
    assert [a["slug"] for a in listed.json()["articles"]] == [story["slug"]]

    before = await every_row(backend)
    for someone in (team.writer, team.outsider, team.reader):
        refused = await client.post(
            "/api/articles",
            json={
                "article": {
                    "title": "Sneaking in",
                    "description": "d",
                    "body": "b",
                    "publication": team.slug,
                }
            },
            headers=someone.headers,
        )
        assert refused.status_code == 403, someone
        assert refused.json() == {
            "errors": {"publication": ["is one only its editors and owners may publish stories in"]}
        }
    unknown = await client.post(
        "/api/articles",
        json={"article": {"title": "t", "description": "d", "body": "b", "publication": "nope"}},
        headers=team.editor.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json() == {"errors": {"publication": ["is not the address of a publication"]}}
    assert await every_row(backend) == before


async def test_a_writer_takes_a_story_out_of_a_publication(client):
    team = await masthead(client)
    story = await publish(client, team.owner, publication=team.slug)

    moved = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"publication": ""}},
        headers=team.owner.headers,
    )

    assert moved.status_code == 200
    assert moved.json()["article"]["publication"] is None
    listed = await client.get(f"/api/articles?publication={team.slug}")
    assert listed.json()["articlesCount"] == 0


async def test_the_following_feed_holds_the_publications_a_reader_follows(client):
    team = await masthead(client)
    in_it = await publish(client, team.editor, publication=team.slug)
    await publish(client, team.editor)  # by the same editor, not in the publication
    await client.post(f"/api/publications/{team.slug}/follow", headers=team.reader.headers)

    feed = await client.get("/api/articles/feed", headers=team.reader.headers)

    assert [a["slug"] for a in feed.json()["articles"]] == [in_it["slug"]]


async def test_an_unknown_publication_lists_no_stories(client):
    listed = await client.get("/api/articles?publication=nowhere")

    assert listed.status_code == 200
    assert listed.json() == {"articles": [], "articlesCount": 0}


async def test_anyone_may_join_only_through_an_invitation(client):
    owner, stranger = await sign_up(client), await sign_up(client)
    slug = (await found(client, owner))["slug"]
    await join(client, slug, await sign_up(client), "writer", by=owner)

    uninvited = await client.post(f"/api/publications/{slug}/invitation", headers=stranger.headers)

    assert uninvited.status_code == 404


async def test_two_managers_removing_one_writer_at_once_remove_them_once(client):
    team = await masthead(client)

    answers = await asyncio.gather(
        *(
            client.delete(
                f"/api/publications/{team.slug}/members/{team.writer.username}",
                headers=someone.headers,
            )
            for someone in (team.owner, team.editor)
        )
    )

    assert sorted(answer.status_code for answer in answers) == [204, 404]
