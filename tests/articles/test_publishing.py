"""Where a story stands: drafts, scheduled, published and unlisted stories, who sees each, and
scheduled ones going public on time."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from broadsheet.accounts.models import User
from broadsheet.articles import service as articles
from broadsheet.articles.models import RetiredSlug, Status
from broadsheet.articles.schemas import DraftCreate
from broadsheet.db import session_scope
from broadsheet.lib.clock import isoformat, utcnow
from tests.helpers import publish, sign_up

FUTURE = "2099-01-01T09:30:00.000Z"


async def slugs_listed(client, path="/api/articles", headers=None):
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return [story["slug"] for story in response.json()["articles"]]


async def everywhere_listed(client, story, author, reader):
    """Where a story can turn up without its link: is it in each?"""
    tag = story["tagList"][0]
    return {
        "latest": story["slug"] in await slugs_listed(client),
        "by author": story["slug"]
        in await slugs_listed(client, f"/api/articles?author={author.username}"),
        "by tag": story["slug"] in await slugs_listed(client, f"/api/articles?tag={tag}"),
        "feed": story["slug"] in await slugs_listed(client, "/api/articles/feed", reader.headers),
        "popular tags": tag in (await client.get("/api/tags")).json()["tags"],
        "atom": story["slug"] in (await client.get("/feed.atom")).text,
        "author's atom": story["slug"] in (await client.get(f"/@{author.username}/feed.atom")).text,
        "sitemap": story["slug"] in (await client.get("/sitemap.xml")).text,
        "front page": story["slug"] in (await client.get("/")).text,
        "profile": story["slug"] in (await client.get(f"/@{author.username}")).text,
        "tag page": story["slug"] in (await client.get(f"/tag/{tag}")).text,
    }


async def writer_and_follower(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    followed = await client.post(f"/api/profiles/{author.username}/follow", headers=reader.headers)
    assert followed.status_code == 200
    return author, reader


async def test_a_story_without_a_status_is_published_at_once_as_realworld_clients_expect(client):
    author, reader = await writer_and_follower(client)

    story = await publish(client, author, tagList=["rivers"])

    assert story["status"] == "published"
    assert story["publishedAt"] == story["createdAt"]
    assert all((await everywhere_listed(client, story, author, reader)).values())


async def test_a_draft_is_seen_by_its_writer_alone_and_listed_nowhere(client):
    author, reader = await writer_and_follower(client)

    draft = await publish(client, author, status="draft", tagList=["secret-tag"])

    assert draft["status"] == "draft"
    assert draft["publishedAt"] is None
    assert not any((await everywhere_listed(client, draft, author, reader)).values())
    path = f"/api/articles/{draft['slug']}"
    assert (await client.get(path)).status_code == 404
    assert (await client.get(path, headers=reader.headers)).status_code == 404
    assert (await client.get(f"/@{author.username}/{draft['slug']}")).status_code == 404
    own = await client.get(path, headers=author.headers)
    assert own.status_code == 200
    assert own.json()["article"]["status"] == "draft"


async def test_nobody_else_can_respond_to_favorite_or_change_a_draft(client):
    author = await sign_up(client)
    other = await sign_up(client)
    draft = await publish(client, author, status="draft")
    path = f"/api/articles/{draft['slug']}"

    answers = [
        await client.post(f"{path}/favorite", headers=other.headers),
        await client.post(
            f"{path}/comments", json={"comment": {"body": "hi"}}, headers=other.headers
        ),
        await client.get(f"{path}/comments"),
        await client.put(path, json={"article": {"title": "Mine"}}, headers=other.headers),
        await client.delete(path, headers=other.headers),
    ]

    assert [answer.status_code for answer in answers] == [404] * 5
    assert (await client.get(path, headers=author.headers)).json()["article"]["title"] == draft[
        "title"
    ]


async def test_the_writer_lists_their_drafts_scheduled_and_unlisted_stories(client):
    author = await sign_up(client)
    other = await sign_up(client)
    draft = await publish(client, author, status="draft")
    scheduled = await publish(client, author, publishAt=FUTURE)
    unlisted = await publish(client, author, status="unlisted")
    await publish(client, other, status="draft")

    def listing(status, writer=author):
        return slugs_listed(client, f"/api/articles?status={status}", writer.headers)

    assert await listing("draft") == [draft["slug"]]
    assert await listing("scheduled") == [scheduled["slug"]]
    assert await listing("unlisted") == [unlisted["slug"]]
    assert draft["slug"] not in await listing("draft", other)
    anonymous = await client.get("/api/articles?status=draft")
    assert anonymous.status_code == 401
    assert "token" in anonymous.json()["errors"]


async def test_an_unlisted_story_is_read_by_link_and_listed_nowhere(client):
    author, reader = await writer_and_follower(client)

    story = await publish(client, author, status="unlisted", tagList=["quiet"])

    assert story["publishedAt"] is not None
    assert not any((await everywhere_listed(client, story, author, reader)).values())
    assert (await client.get(f"/api/articles/{story['slug']}")).status_code == 200
    page = await client.get(f"/@{author.username}/{story['slug']}")
    assert page.status_code == 200
    assert '<meta name="robots" content="noindex">' in page.text
    responded = await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {"body": "Found it by its link"}},
        headers=reader.headers,
    )
    assert responded.status_code == 200


async def test_a_schedule_needs_a_time_in_the_future(client):
    author = await sign_up(client)
    past = isoformat(utcnow() - timedelta(minutes=1))
    base = {"title": "T", "description": "d", "body": "b"}

    answers = {
        "past": await client.post(
            "/api/articles", json={"article": base | {"publishAt": past}}, headers=author.headers
        ),
        "no time": await client.post(
            "/api/articles",
            json={"article": base | {"status": "scheduled"}},
            headers=author.headers,
        ),
        "time on a published story": await client.post(
            "/api/articles",
            json={"article": base | {"status": "published", "publishAt": FUTURE}},
            headers=author.headers,
        ),
        "no offset": await client.post(
            "/api/articles",
            json={"article": base | {"publishAt": "2099-01-01T09:30:00"}},
            headers=author.headers,
        ),
    }

    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(
        answers, 422
    )
    assert answers["past"].json()["errors"] == {"publishAt": ["must be in the future"]}
    assert await slugs_listed(client, "/api/articles?status=scheduled", author.headers) == []


async def test_a_scheduled_story_goes_public_when_its_time_comes_and_not_before(client, backend):
    author, reader = await writer_and_follower(client)
    at = utcnow() + timedelta(hours=2)
    story = await publish(client, author, publishAt=isoformat(at), tagList=["dawn"])
    assert story["status"] == "scheduled"
    assert story["publishedAt"] == isoformat(at)
    # Cached while it is out of every list, so that the purge is what brings it in.
    before = await everywhere_listed(client, story, author, reader)
    assert not any(before.values())

    async with session_scope(backend.database) as session:
        early = await articles.publish_due(session, now=at - timedelta(seconds=1))
    async with session_scope(backend.database) as session:
        on_time = await articles.publish_due(session, now=at)
    async with session_scope(backend.database) as session:
        again = await articles.publish_due(session, now=at + timedelta(seconds=1))

    assert (early, on_time, again) == (0, 1, 0)
    assert all((await everywhere_listed(client, story, author, reader)).values())
    published = (await client.get(f"/api/articles/{story['slug']}")).json()["article"]
    assert published["status"] == "published"
    assert published["publishedAt"] == isoformat(at)


async def test_a_published_draft_joins_the_lists_at_the_top(client):
    author = await sign_up(client)
    draft = await publish(client, author, status="draft")
    later = await publish(client, author)

    published = await client.put(
        f"/api/articles/{draft['slug']}",
        json={"article": {"status": "published"}},
        headers=author.headers,
    )

    assert published.status_code == 200
    assert published.json()["article"]["publishedAt"] > later["publishedAt"]
    assert await slugs_listed(client) == [draft["slug"], later["slug"]]


async def test_unpublishing_takes_a_story_out_of_every_list_and_putting_it_back_keeps_its_date(
    client,
):
    author, reader = await writer_and_follower(client)
    story = await publish(client, author, tagList=["tides"])
    path = f"/api/articles/{story['slug']}"
    assert all((await everywhere_listed(client, story, author, reader)).values())

    await client.put(path, json={"article": {"status": "draft"}}, headers=author.headers)

    assert not any((await everywhere_listed(client, story, author, reader)).values())
    assert (await client.get(path)).status_code == 404

    back = await client.put(path, json={"article": {"status": "published"}}, headers=author.headers)

    assert back.json()["article"]["publishedAt"] == story["publishedAt"]
    assert all((await everywhere_listed(client, story, author, reader)).values())


async def test_an_unscheduled_story_is_a_draft_again_with_no_publishing_time(client):
    author = await sign_up(client)
    story = await publish(client, author, publishAt=FUTURE)

    answer = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"status": "draft"}},
        headers=author.headers,
    )

    assert answer.json()["article"]["status"] == "draft"
    assert answer.json()["article"]["publishedAt"] is None


async def test_a_draft_retitled_as_it_is_written_leaves_no_old_addresses(client, backend):
    author = await sign_up(client)
    draft = await publish(client, author, status="draft", title="A")
    slug = draft["slug"]
    for title in ("A t", "A ti", "A title"):
        answer = await client.put(
            f"/api/articles/{slug}", json={"article": {"title": title}}, headers=author.headers
        )
        slug = answer.json()["article"]["slug"]

    async with session_scope(backend.database) as session:
        retired = await session.scalar(select(func.count()).select_from(RetiredSlug))

    assert retired == 0
    assert slug.startswith("a-title-")


async def test_a_draft_saved_without_a_title_cannot_be_published_until_it_has_one(client, backend):
    author = await sign_up(client)
    async with session_scope(backend.database) as session:
        user = (await session.scalars(select(User).where(User.username == author.username))).one()
        draft = await articles.write(
            session, DraftCreate(body="Only a first line so far.", status=Status.DRAFT), by=user
        )
        slug = draft.slug
    path = f"/api/articles/{slug}"

    refused = await client.put(
        path, json={"article": {"status": "published"}}, headers=author.headers
    )
    completed = await client.put(
        path,
        json={"article": {"status": "published", "title": "Now titled", "description": "d"}},
        headers=author.headers,
    )

    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"title", "description"}
    assert completed.status_code == 200
    assert completed.json()["article"]["status"] == "published"


async def test_times_are_compared_as_instants_whatever_their_offset(client):
    author = await sign_up(client)
    at = datetime(2099, 1, 1, 10, 30, tzinfo=UTC)

    story = await publish(client, author, publishAt="2099-01-01T11:30:00+01:00")
    read_back = await client.get(f"/api/articles/{story['slug']}", headers=author.headers)

    assert story["publishedAt"] == isoformat(at)
    assert read_back.json()["article"]["publishedAt"] == isoformat(at)
