"""Publications on the site: starting one with a logo, its page, feed and sitemap entry, its
people and invitations, following it, and stories published in it."""

import json
import re

from tests.media.pictures import photo
from tests.pages.helpers import (
    browser,
    csrf_from,
    elements,
    error_beside,
    field_value,
    meta,
    sign_up_on_site,
    submit,
    text_of,
    write_on_site,
)

TAGLINE = "Bursts of code to power through your day"


async def start(client, **fields):
    form = {"name": "Codeburst", "tagline": TAGLINE, "description": "Stories about code."}
    return await submit(client, "/publications/new", **(form | fields))


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert found
    return json.loads(found.group(1))


async def invite_and_accept(owner_client, member_client, username, role="writer"):
    invited = await submit(owner_client, "/p/codeburst/people", username=username, role=role)
    assert invited.status_code == 303, invited.text
    answered = await submit(
        member_client, "/publications", "/p/codeburst/invitation", answer="accept"
    )
    assert answered.status_code == 303, answered.text


async def test_a_writer_starts_a_publication_with_a_logo_and_lands_on_its_page(client):
    await sign_up_on_site(client, "ada")
    token = csrf_from((await client.get("/publications/new")).text)

    started = await client.post(
        "/publications/new",
        data={
            "csrf_token": token,
            "name": "Codeburst",
            "tagline": TAGLINE,
            "description": "Stories about code.",
            "links": "https://example.com/codeburst",
            "logo_alt": "A burst of orange code",
        },
        files={"logo_file": ("logo.png", photo(400, 400), "image/jpeg")},
    )

    assert started.status_code == 303, started.text
    assert started.headers["location"] == "/p/codeburst"
    page = await client.get("/p/codeburst")
    shown = text_of(page.text)
    assert "Codeburst" in shown
    assert TAGLINE in shown
    assert "Stories about code." in shown
    assert "0 followers" in shown
    assert elements(page.text, "img", class_="logo large")
    assert meta(page.text, "og:image").endswith("-400x400.jpg")
    data = json_ld(page.text)
    assert data["@type"] == "Organization"
    assert data["name"] == "Codeburst"
    assert data["url"] == "http://testserver/p/codeburst"
    assert data["sameAs"] == ["https://example.com/codeburst"]
    assert elements(page.text, "link", type="application/atom+xml", href="/p/codeburst/feed.atom")


async def test_a_refused_publication_form_keeps_everything_typed(client):
    await sign_up_on_site(client, "ada")
    await start(client)

    again = await start(client, tagline="Another tagline", description="Kept as typed.")

    assert again.status_code == 409
    assert error_beside(again.text, "slug") == "Address is taken by another publication"
    assert field_value(again.text, "name") == "Codeburst"
    assert field_value(again.text, "tagline") == "Another tagline"
    assert field_value(again.text, "description") == "Kept as typed."


async def test_owners_rename_a_publication_and_the_old_address_redirects(client):
    await sign_up_on_site(client, "ada")
    await start(client)

    saved = await submit(
        client,
        "/p/codeburst/settings",
        name="Codeburst Weekly",
        slug="codeburst-weekly",
        tagline=TAGLINE,
        description="",
        links="",
    )

    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/p/codeburst-weekly"
    old = await client.get("/p/codeburst")
    assert old.status_code == 301
    assert old.headers["location"] == "/p/codeburst-weekly"
    odd = await client.get("/p/Codeburst-Weekly")
    assert odd.status_code == 301
    assert odd.headers["location"] == "/p/codeburst-weekly"


async def test_a_bad_link_is_refused_beside_the_links(client):
    await sign_up_on_site(client, "ada")

    refused = await start(client, links="not a link")

    assert refused.status_code == 422
    assert error_beside(refused.text, "links")
    assert field_value(refused.text, "links") == "not a link"


async def test_an_invitation_is_accepted_from_the_invited_writers_publications(client, backend):
    await sign_up_on_site(client, "ada")
    await start(client)
    async with browser(backend) as grace:
        await sign_up_on_site(grace, "grace")
        invited = await submit(client, "/p/codeburst/people", username="grace", role="writer")
        waiting = await grace.get("/publications")
        answered = await submit(grace, "/publications", "/p/codeburst/invitation", answer="accept")
        mine = await grace.get("/publications")

    assert invited.status_code == 303
    assert "Invites you to be a writer, from ada" in text_of(waiting.text)
    assert answered.headers["location"] == "/p/codeburst"
    assert "Writer · " + TAGLINE in text_of(mine.text)
    people = text_of((await client.get("/p/codeburst")).text)
    assert "Editors and writers" in people
    assert "grace" in people


async def test_inviting_someone_unknown_says_so_and_keeps_the_name(client):
    await sign_up_on_site(client, "ada")
    await start(client)

    refused = await submit(client, "/p/codeburst/people", username="nobody-here", role="editor")

    assert refused.status_code == 422
    assert error_beside(refused.text, "username") == (
        "nobody-here is not the username of anyone here"
    )
    assert field_value(refused.text, "username") == "nobody-here"


async def test_a_reader_follows_a_publication_and_sees_its_stories_in_following(client, backend):
    await sign_up_on_site(client, "ada")
    await start(client)
    published = await write_on_site(
        client, title="Pagination without tears", publication="codeburst"
    )
    assert published.status_code == 303, published.text
    async with browser(backend) as reader:
        await sign_up_on_site(reader, "reader")
        followed = await submit(reader, "/p/codeburst", "/p/codeburst/follow")
        following = await reader.get("/?feed=following")
        page = await reader.get("/p/codeburst")

    assert followed.status_code == 303
    assert "Pagination without tears" in text_of(following.text)
    assert "in Codeburst" in text_of(following.text)
    assert "1 follower" in text_of(page.text)
    assert elements(page.text, "button", aria_pressed="true")


async def test_a_story_in_a_publication_says_so_in_its_byline_footer_and_json_ld(client):
    await sign_up_on_site(client, "ada")
    await start(client)
    published = await write_on_site(
        client, title="Pagination without tears", publication="codeburst"
    )

    story = await client.get(published.headers["location"])

    shown = text_of(story.text)
    assert "Published in Codeburst" in shown
    assert f"Published in Codeburst {TAGLINE}" in shown
    assert json_ld(story.text)["publisher"] == {
        "@type": "Organization",
        "name": "Codeburst",
        "url": "http://testserver/p/codeburst",
    }
    listed = text_of((await client.get("/p/codeburst")).text)
    assert "Pagination without tears" in listed
    feed = (await client.get("/p/codeburst/feed.atom")).text
    assert "<title>Codeburst on Broadsheet</title>" in feed
    assert "Pagination without tears" in feed
    sitemap = (await client.get("/sitemap.xml")).text
    assert "<loc>http://testserver/p/codeburst</loc>" in sitemap


async def test_the_editor_offers_only_publications_the_writer_may_publish_in(client, backend):
    await sign_up_on_site(client, "ada")
    await start(client)
    async with browser(backend) as grace:
        await sign_up_on_site(grace, "grace")
        await invite_and_accept(client, grace, "grace", role="writer")
        writers_editor = await grace.get("/new")
        sneaked = await write_on_site(grace, title="Sneaking in", publication="codeburst")
    owners_editor = await client.get("/new")

    assert elements(owners_editor.text, "option", value="codeburst")
    assert not elements(writers_editor.text, "select", name="publication")
    assert sneaked.status_code == 422
    assert error_beside(sneaked.text, "publication") == (
        "The publication is one only its editors and owners may publish stories in"
    )
    assert field_value(sneaked.text, "title") == "Sneaking in"


async def test_a_writer_leaves_and_the_last_owner_cannot(client, backend):
    await sign_up_on_site(client, "ada")
    await start(client)
    async with browser(backend) as grace:
        await sign_up_on_site(grace, "grace")
        await invite_and_accept(client, grace, "grace")
        left = await submit(grace, "/p/codeburst/people", "/p/codeburst/people/grace/remove")
    owner_leaves = await submit(client, "/p/codeburst/people", "/p/codeburst/people/ada/remove")

    assert left.status_code == 303
    assert left.headers["location"] == "/publications"
    assert owner_leaves.status_code == 409
    assert "make someone else an owner first" in text_of(owner_leaves.text)


async def test_the_people_page_is_for_members_only(client, backend):
    await sign_up_on_site(client, "ada")
    await start(client)
    async with browser(backend) as stranger:
        await sign_up_on_site(stranger, "stranger")
        refused = await stranger.get("/p/codeburst/people")
        settings = await stranger.get("/p/codeburst/settings")

    assert refused.status_code == 403
    assert settings.status_code == 403


async def _writer_with_a_draft(client, backend, grace, *, description="Keyset pages"):
    """ada owns Codeburst; grace writes for it and has a draft; the draft's address."""
    await sign_up_on_site(client, "ada")
    await start(client)
    await sign_up_on_site(grace, "grace")
    await invite_and_accept(client, grace, "grace")
    saved = await submit(
        grace,
        "/new",
        title="Pagination without tears",
        description=description,
        body="Offsets get slower.",
        tags="",
        intent="draft",
    )
    assert saved.status_code == 303, saved.text
    return saved.headers["location"].removesuffix("/edit?saved=1")


async def test_a_writer_submits_a_draft_and_an_editor_publishes_it(client, backend):
    async with browser(backend) as grace:
        path = await _writer_with_a_draft(client, backend, grace)
        draft = await grace.get(path)
        submitted = await submit(grace, path, f"{path}/submission", publication="codeburst")
        waiting = await grace.get(path)
        queue = await client.get("/p/codeburst/submissions")
        seen_by_editor = await client.get(path)
        published = await submit(client, path, f"{path}/submission/publish")
        desk = await grace.get("/me/stories")

    assert elements(draft.text, "option", value="codeburst")
    assert submitted.status_code == 303
    assert "waiting for the editors of Codeburst" in text_of(waiting.text)
    assert "Pagination without tears" in text_of(queue.text)
    assert "A draft grace submitted to Codeburst" in text_of(seen_by_editor.text)
    assert published.status_code == 303
    story = await client.get(published.headers["location"])
    assert "Published in Codeburst" in text_of(story.text)
    assert "ada published Pagination without tears in Codeburst" in text_of(desk.text)


async def test_an_editor_sends_a_draft_back_and_the_writer_reads_the_note(client, backend):
    async with browser(backend) as grace:
        path = await _writer_with_a_draft(client, backend, grace)
        await submit(grace, path, f"{path}/submission", publication="codeburst")
        empty_note = await submit(client, path, f"{path}/submission/return", note="  ")
        returned = await submit(
            client, path, f"{path}/submission/return", note="Cut the first paragraph."
        )
        draft = await grace.get(path)
        desk = await grace.get("/me/stories")

    assert empty_note.status_code == 422
    assert error_beside(empty_note.text, "note") == "The note can't be blank"
    assert returned.status_code == 303
    assert returned.headers["location"] == "/p/codeburst/submissions"
    assert "Sent back by ada of Codeburst" in text_of(draft.text)
    assert "“Cut the first paragraph.”" in text_of(draft.text)
    assert "ada of Codeburst sent back Pagination without tears" in text_of(desk.text)


async def test_an_unfinished_draft_is_not_submitted_and_says_what_it_lacks(client, backend):
    async with browser(backend) as grace:
        path = await _writer_with_a_draft(client, backend, grace, description="")
        refused = await submit(grace, path, f"{path}/submission", publication="codeburst")

    assert refused.status_code == 422
    assert "The subtitle can't be blank." in text_of(refused.text)


async def test_a_writer_withdraws_a_submission_from_its_page(client, backend):
    async with browser(backend) as grace:
        path = await _writer_with_a_draft(client, backend, grace)
        await submit(grace, path, f"{path}/submission", publication="codeburst")
        withdrawn = await submit(grace, path, f"{path}/submission/withdraw")
        draft = await grace.get(path)
    queue = await client.get("/p/codeburst/submissions")

    assert withdrawn.status_code == 303
    assert "A draft: only you can see it." in text_of(draft.text)
    assert "Nothing is waiting." in text_of(queue.text)
