"""POST /api/articles and GET, PUT, DELETE /api/articles/{slug}."""

import asyncio
import json
import re

import pytest
from sqlalchemy import func, select

from broadsheet.articles.models import Favorite
from broadsheet.comments.models import Comment
from tests.helpers import publish, sign_up

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
NEW_STORY = {"title": "A title", "description": "A description", "body": "A body"}


async def post_story(client, author, /, **fields):
    return await client.post(
        "/api/articles", json={"article": NEW_STORY | fields}, headers=author.headers
    )


async def get_story(client, slug, headers=None):
    return await client.get(f"/api/articles/{slug}", headers=headers)


async def edit_story(client, writer, slug, /, **changes):
    return await client.put(
        f"/api/articles/{slug}", json={"article": changes}, headers=writer.headers
    )


def assert_refused(response, field, message=None):
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert list(errors) == [field], errors
    if message is not None:
        assert errors[field] == [message]


async def test_publish_returns_the_full_story(client):
    author = await sign_up(client)

    response = await post_story(
        client,
        author,
        title="How to train your dragon",
        description="Ever wonder how?",
        body="You have to believe",
        tagList=["dragons", "training"],
    )

    assert response.status_code == 201
    story = response.json()["article"]
    assert story["title"] == "How to train your dragon"
    assert story["description"] == "Ever wonder how?"
    assert story["body"] == "You have to believe"
    assert story["tagList"] == ["dragons", "training"]
    assert story["favorited"] is False
    assert story["favoritesCount"] == 0
    assert story["author"] == {
        "username": author.username,
        "bio": None,
        "image": None,
        "following": False,
    }
    assert TIMESTAMP.match(story["createdAt"])
    assert story["createdAt"] == story["updatedAt"]


async def test_published_story_reads_back_the_same(client):
    author = await sign_up(client)
    story = await publish(client, author, tagList=["b", "a"])

    response = await get_story(client, story["slug"])

    assert response.status_code == 200
    assert response.json()["article"] == story


async def test_publishing_needs_a_signed_in_writer(client):
    response = await client.post("/api/articles", json={"article": NEW_STORY})

    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["token"]
    assert (await client.get("/api/articles")).json()["articlesCount"] == 0


@pytest.mark.parametrize("field", ["title", "description", "body"])
async def test_story_without_a_required_field_is_refused(client, field):
    author = await sign_up(client)
    story = {key: value for key, value in NEW_STORY.items() if key != field}

    response = await client.post("/api/articles", json={"article": story}, headers=author.headers)

    assert_refused(response, field, "can't be blank")


@pytest.mark.parametrize("field", ["title", "description", "body"])
@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
async def test_story_with_a_blank_field_is_refused(client, field, blank):
    author = await sign_up(client)

    response = await post_story(client, author, **{field: blank})

    assert_refused(response, field, "can't be blank")


@pytest.mark.parametrize(
    ("field", "limit"), [("title", 200), ("description", 500), ("body", 100_000)]
)
async def test_oversize_field_is_refused_and_largest_is_kept(client, field, limit):
    author = await sign_up(client)

    too_long = await post_story(client, author, **{field: "x" * (limit + 1)})
    longest = await post_story(client, author, **{field: "x" * limit})

    assert_refused(too_long, field, f"is too long (maximum is {limit})")
    assert longest.status_code == 201, longest.text
    stored = (await get_story(client, longest.json()["article"]["slug"])).json()["article"]
    assert stored[field] == "x" * limit


async def test_longest_fields_fit_when_every_character_takes_four_bytes(client):
    author = await sign_up(client)
    story = {
        "title": "🦀" * 200,
        "description": "🦀" * 500,
        "body": "🦀" * 100_000,
        "tagList": ["🦀" * 40],
    }

    response = await client.post(
        "/api/articles",
        content=json.dumps({"article": story}, ensure_ascii=False).encode(),
        headers=author.headers | {"Content-Type": "application/json"},
    )

    assert response.status_code == 201, response.text[:500]
    stored = (await get_story(client, response.json()["article"]["slug"])).json()["article"]
    assert {field: stored[field] for field in story} == story


async def test_body_is_stored_exactly_as_written(client):
    author = await sign_up(client)
    body = "    indented code block\n\nA paragraph.\n"

    story = await publish(client, author, body=body)

    assert story["body"] == body
    assert (await get_story(client, story["slug"])).json()["article"]["body"] == body


async def test_oversize_tag_is_refused(client):
    author = await sign_up(client)

    too_long = await post_story(client, author, tagList=["ok", "t" * 41])
    longest = await post_story(client, author, tagList=["t" * 40])

    assert too_long.status_code == 422
    assert "tagList.1" in too_long.json()["errors"]
    assert longest.status_code == 201
    assert longest.json()["article"]["tagList"] == ["t" * 40]


async def test_more_than_ten_tags_are_refused(client):
    author = await sign_up(client)

    too_many = await post_story(client, author, tagList=[f"tag{n}" for n in range(11)])
    ten = await post_story(client, author, tagList=[f"tag{n}" for n in range(10)])

    assert_refused(too_many, "tagList")
    assert ten.status_code == 201
    assert len(ten.json()["article"]["tagList"]) == 10


@pytest.mark.parametrize("tag", ["", "   "])
async def test_blank_tag_is_refused(client, tag):
    author = await sign_up(client)

    response = await post_story(client, author, tagList=["fine", tag])

    assert response.status_code == 422
    assert "tagList.1" in response.json()["errors"]


async def test_duplicate_tags_collapse(client):
    author = await sign_up(client)

    response = await post_story(client, author, tagList=["news", "art", "news", " art "])

    assert response.status_code == 201
    assert response.json()["article"]["tagList"] == ["art", "news"]


async def test_fields_are_stored_without_surrounding_whitespace(client):
    author = await sign_up(client)

    response = await post_story(client, author, title="  Spaced out  ", tagList=[" padded "])

    story = response.json()["article"]
    assert story["title"] == "Spaced out"
    assert story["tagList"] == ["padded"]
    assert story["slug"].startswith("spaced-out-")


async def test_tags_are_optional(client):
    author = await sign_up(client)

    response = await post_story(client, author)

    assert response.status_code == 201
    assert response.json()["article"]["tagList"] == []


async def test_slug_is_readable_from_the_title(client):
    author = await sign_up(client)

    story = await publish(client, author, title="How to Train Your Dragon!")

    assert story["slug"].startswith("how-to-train-your-dragon-")
    assert re.fullmatch(r"[a-z0-9-]+", story["slug"])


async def test_stories_with_equal_titles_get_different_slugs(client):
    author = await sign_up(client)
    other = await sign_up(client)

    first = await publish(client, author, title="Same title")
    second = await publish(client, author, title="Same title")
    third = await publish(client, other, title="Same title")

    assert len({first["slug"], second["slug"], third["slug"]}) == 3
    for story in (first, second, third):
        assert story["slug"].startswith("same-title-")
        assert (await get_story(client, story["slug"])).json()["article"]["slug"] == story["slug"]


@pytest.mark.parametrize("title", ["!!!", "...?", "Привет, мир", "東京の夜", "🦀🦀"])
async def test_title_without_latin_letters_still_gets_a_slug(client, title):
    author = await sign_up(client)

    first = await publish(client, author, title=title)
    second = await publish(client, author, title=title)

    assert re.fullmatch(r"[a-z0-9-]+", first["slug"])
    assert first["slug"] != second["slug"]
    assert first["title"] == title
    assert (await get_story(client, first["slug"])).json()["article"]["title"] == title


async def test_accented_title_gives_an_ascii_slug(client):
    author = await sign_up(client)

    story = await publish(client, author, title="Crème brûlée à Noël")

    assert story["slug"].startswith("creme-brulee-a-noel-")


async def test_fields_the_server_owns_are_ignored_on_publish(client):
    author = await sign_up(client)
    impostor = await sign_up(client)

    response = await post_story(
        client,
        author,
        slug="chosen-slug",
        author={"username": impostor.username},
        favoritesCount=99,
        favorited=True,
        createdAt="2000-01-01T00:00:00.000Z",
        updatedAt="2000-01-01T00:00:00.000Z",
        id=12345,
    )

    assert response.status_code == 201
    story = response.json()["article"]
    assert story["slug"] != "chosen-slug"
    assert story["slug"].startswith("a-title-")
    assert story["author"]["username"] == author.username
    assert story["favoritesCount"] == 0
    assert story["favorited"] is False
    assert not story["createdAt"].startswith("2000")
    assert (await get_story(client, "chosen-slug")).status_code == 404


async def test_malformed_story_requests_are_refused(client):
    author = await sign_up(client)

    not_json = await client.post(
        "/api/articles",
        content=b"{not json",
        headers=author.headers | {"Content-Type": "application/json"},
    )
    unwrapped = await client.post("/api/articles", json=NEW_STORY, headers=author.headers)
    wrong_type = await post_story(client, author, tagList="news")

    assert not_json.status_code == 422
    assert unwrapped.status_code == 422
    assert wrong_type.status_code == 422
    assert "errors" in not_json.json()


async def test_unknown_slug_is_not_found(client):
    response = await get_story(client, "no-such-story")

    assert response.status_code == 404
    assert response.json() == {"errors": {"article": ["article not found"]}}


async def test_single_story_shows_the_readers_relation(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    await client.post(f"/api/profiles/{author.username}/follow", headers=reader.headers)
    await client.post(f"/api/articles/{story['slug']}/favorite", headers=reader.headers)

    as_reader = (await get_story(client, story["slug"], reader.headers)).json()["article"]
    anonymous = (await get_story(client, story["slug"])).json()["article"]

    assert as_reader["favorited"] is True
    assert as_reader["author"]["following"] is True
    assert anonymous["favorited"] is False
    assert anonymous["author"]["following"] is False
    assert as_reader["favoritesCount"] == anonymous["favoritesCount"] == 1


async def test_author_edits_a_story(client):
    author = await sign_up(client)
    story = await publish(client, author, tagList=["kept"])

    response = await edit_story(
        client, author, story["slug"], description="New description", body="New body"
    )

    assert response.status_code == 200
    edited = response.json()["article"]
    assert edited["description"] == "New description"
    assert edited["body"] == "New body"
    assert edited["title"] == story["title"]
    assert edited["slug"] == story["slug"]
    assert edited["tagList"] == ["kept"]
    assert (await get_story(client, story["slug"])).json()["article"] == edited


async def test_new_title_gives_a_new_slug(client):
    author = await sign_up(client)
    story = await publish(client, author, title="Old title")

    response = await edit_story(client, author, story["slug"], title="Brand new title")

    edited = response.json()["article"]
    assert edited["title"] == "Brand new title"
    assert edited["slug"].startswith("brand-new-title-")
    assert (await get_story(client, story["slug"])).status_code == 404
    fetched = await get_story(client, edited["slug"])
    assert fetched.status_code == 200
    assert fetched.json()["article"]["title"] == "Brand new title"


async def test_unchanged_title_keeps_the_slug(client):
    author = await sign_up(client)
    story = await publish(client, author, title="Steady title")

    response = await edit_story(client, author, story["slug"], title="Steady title")

    assert response.json()["article"]["slug"] == story["slug"]


async def test_edit_moves_updated_at_but_not_created_at(client):
    author = await sign_up(client)
    story = await publish(client, author)
    await asyncio.sleep(0.002)  # timestamps are sent in milliseconds; let one pass

    edited = (await edit_story(client, author, story["slug"], title="Retitled")).json()["article"]

    assert edited["createdAt"] == story["createdAt"]
    assert edited["updatedAt"] > story["updatedAt"]
    assert TIMESTAMP.match(edited["updatedAt"])
    fetched = (await get_story(client, edited["slug"])).json()["article"]
    assert fetched["createdAt"] == story["createdAt"]
    assert fetched["updatedAt"] == edited["updatedAt"]


async def test_edit_replaces_the_tags(client):
    author = await sign_up(client)
    story = await publish(client, author, tagList=["old", "shared"])

    response = await edit_story(client, author, story["slug"], tagList=["shared", "new"])

    assert response.json()["article"]["tagList"] == ["new", "shared"]
    fetched = (await get_story(client, story["slug"])).json()["article"]
    assert fetched["tagList"] == ["new", "shared"]
    assert (await client.get("/api/articles?tag=old")).json()["articlesCount"] == 0


async def test_edit_can_remove_every_tag(client):
    author = await sign_up(client)
    story = await publish(client, author, tagList=["gone"])

    response = await edit_story(client, author, story["slug"], tagList=[])

    assert response.json()["article"]["tagList"] == []


async def test_edit_without_tags_keeps_them(client):
    author = await sign_up(client)
    story = await publish(client, author, tagList=["kept"])

    response = await edit_story(client, author, story["slug"], body="Another body")

    assert response.json()["article"]["tagList"] == ["kept"]


async def test_edit_keeps_favorites(client):
    author = await sign_up(client)
    fan = await sign_up(client)
    story = await publish(client, author)
    await client.post(f"/api/articles/{story['slug']}/favorite", headers=fan.headers)

    edited = (await edit_story(client, author, story["slug"], title="Renamed")).json()["article"]

    fetched = (await get_story(client, edited["slug"], fan.headers)).json()["article"]
    assert fetched["favoritesCount"] == 1
    assert fetched["favorited"] is True


async def test_non_author_cannot_edit_a_story(client):
    author = await sign_up(client)
    intruder = await sign_up(client)
    story = await publish(client, author)

    response = await edit_story(client, intruder, story["slug"], title="Hijacked", body="Mine")

    assert response.status_code == 403
    assert list(response.json()["errors"]) == ["article"]
    assert (await get_story(client, story["slug"])).json()["article"] == story


async def test_editing_needs_a_signed_in_writer(client):
    author = await sign_up(client)
    story = await publish(client, author)

    response = await client.put(
        f"/api/articles/{story['slug']}", json={"article": {"title": "Anonymous"}}
    )

    assert response.status_code == 401
    assert (await get_story(client, story["slug"])).json()["article"] == story


async def test_editing_an_unknown_story_is_not_found(client):
    author = await sign_up(client)

    response = await edit_story(client, author, "no-such-story", title="Anything")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"body": " "}, "body"),
        ({"title": "x" * 201}, "title"),
        ({"tagList": ["t" * 41]}, "tagList.0"),
        ({"tagList": [f"t{n}" for n in range(11)]}, "tagList"),
    ],
)
async def test_invalid_edit_is_refused_and_changes_nothing(client, changes, field):
    author = await sign_up(client)
    story = await publish(client, author, tagList=["kept"])

    response = await edit_story(client, author, story["slug"], **changes)

    assert_refused(response, field)
    assert (await get_story(client, story["slug"])).json()["article"] == story


async def test_edit_ignores_fields_the_server_owns(client):
    author = await sign_up(client)
    story = await publish(client, author)

    response = await edit_story(
        client, author, story["slug"], slug="chosen", favoritesCount=7, createdAt="2000-01-01"
    )

    edited = response.json()["article"]
    assert edited["slug"] == story["slug"]
    assert edited["favoritesCount"] == 0
    assert edited["createdAt"] == story["createdAt"]


async def test_author_deletes_a_story(client):
    author = await sign_up(client)
    story = await publish(client, author)

    response = await client.delete(f"/api/articles/{story['slug']}", headers=author.headers)

    assert response.status_code == 204
    assert response.content == b""
    assert (await get_story(client, story["slug"])).status_code == 404
    assert (await client.get("/api/articles")).json()["articlesCount"] == 0


async def test_deleting_a_story_removes_its_comments_and_favorites(client, session):
    author = await sign_up(client)
    fan = await sign_up(client)
    story = await publish(client, author)
    kept = await publish(client, author)
    for target in (story, kept):
        await client.post(f"/api/articles/{target['slug']}/favorite", headers=fan.headers)
        await client.post(
            f"/api/articles/{target['slug']}/comments",
            json={"comment": {"body": "Nice"}},
            headers=fan.headers,
        )

    response = await client.delete(f"/api/articles/{story['slug']}", headers=author.headers)

    assert response.status_code == 204
    assert (await session.scalar(select(func.count()).select_from(Favorite))) == 1
    assert (await session.scalar(select(func.count()).select_from(Comment))) == 1
    favorites = (await client.get(f"/api/articles?favorited={fan.username}")).json()
    assert [item["slug"] for item in favorites["articles"]] == [kept["slug"]]
    assert favorites["articlesCount"] == 1
    assert (await client.get(f"/api/articles/{story['slug']}/comments")).status_code == 404


async def test_non_author_cannot_delete_a_story(client):
    author = await sign_up(client)
    intruder = await sign_up(client)
    story = await publish(client, author)

    response = await client.delete(f"/api/articles/{story['slug']}", headers=intruder.headers)

    assert response.status_code == 403
    assert (await get_story(client, story["slug"])).json()["article"] == story


async def test_deleting_needs_a_signed_in_writer(client):
    author = await sign_up(client)
    story = await publish(client, author)

    response = await client.delete(f"/api/articles/{story['slug']}")

    assert response.status_code == 401
    assert (await get_story(client, story["slug"])).status_code == 200


async def test_deleting_an_unknown_story_is_not_found(client):
    author = await sign_up(client)

    response = await client.delete("/api/articles/no-such-story", headers=author.headers)

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["article"]
