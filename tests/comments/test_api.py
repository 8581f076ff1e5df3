"""GET, POST /api/articles/{slug}/comments and DELETE /api/articles/{slug}/comments/{id}."""

import re

import pytest

from tests.helpers import publish, sign_up

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


async def comment_on(client, story, writer, body="A thoughtful reply"):
    return await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {"body": body}},
        headers=writer.headers,
    )


async def add_comment(client, story, writer, body="A thoughtful reply"):
    response = await comment_on(client, story, writer, body)
    assert response.status_code == 200, response.text
    return response.json()["comment"]


async def comments_on(client, story, headers=None):
    response = await client.get(f"/api/articles/{story['slug']}/comments", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["comments"]


async def delete_comment(client, story, comment_id, writer=None):
    headers = writer.headers if writer else None
    return await client.delete(
        f"/api/articles/{story['slug']}/comments/{comment_id}", headers=headers
    )


async def test_posting_a_comment_returns_it(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)

    response = await comment_on(client, story, reader, "Well said")

    assert response.status_code == 200
    comment = response.json()["comment"]
    assert set(comment) == {
        "id",
        "createdAt",
        "updatedAt",
        "body",
        "author",
        "bodyHtml",
        "parentId",
        "editedAt",
        "hidden",
        "byStoryAuthor",
    }
    assert (comment["parentId"], comment["editedAt"], comment["hidden"]) == (None, None, False)
    assert comment["bodyHtml"] == "<p>Well said</p>\n"
    assert comment["byStoryAuthor"] is False
    assert isinstance(comment["id"], int)
    assert comment["body"] == "Well said"
    assert TIMESTAMP.match(comment["createdAt"])
    assert TIMESTAMP.match(comment["updatedAt"])
    assert comment["author"] == {
        "username": reader.username,
        "bio": None,
        "image": None,
        "following": False,
    }


async def test_posted_comment_is_listed_as_returned(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)

    comment = await add_comment(client, story, reader)

    assert await comments_on(client, story) == [comment]


async def test_comments_are_listed_oldest_first(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    first = await add_comment(client, story, reader, "First")
    second = await add_comment(client, story, author, "Second")
    third = await add_comment(client, story, reader, "Third")

    listed = await comments_on(client, story)

    assert [comment["id"] for comment in listed] == [first["id"], second["id"], third["id"]]
    assert [comment["body"] for comment in listed] == ["First", "Second", "Third"]


async def test_story_without_comments_lists_none(client):
    story = await publish(client, await sign_up(client))

    assert await comments_on(client, story) == []


async def test_only_the_storys_own_comments_are_listed(client):
    author = await sign_up(client)
    story = await publish(client, author)
    other_story = await publish(client, author)
    mine = await add_comment(client, story, author, "Here")
    await add_comment(client, other_story, author, "Elsewhere")

    assert await comments_on(client, story) == [mine]


async def test_signed_in_reader_sees_whom_they_follow(client):
    author = await sign_up(client)
    followed = await sign_up(client)
    stranger = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    await add_comment(client, story, followed)
    await add_comment(client, story, stranger)
    await client.post(f"/api/profiles/{followed.username}/follow", headers=reader.headers)

    as_reader = await comments_on(client, story, reader.headers)
    anonymous = await comments_on(client, story)

    assert [c["author"]["following"] for c in as_reader] == [True, False]
    assert [c["author"]["following"] for c in anonymous] == [False, False]


async def test_comments_of_an_unknown_story_are_not_found(client):
    response = await client.get("/api/articles/no-such-story/comments")

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["article"]


async def test_commenting_needs_a_signed_in_reader(client):
    story = await publish(client, await sign_up(client))

    response = await client.post(
        f"/api/articles/{story['slug']}/comments", json={"comment": {"body": "Anonymous"}}
    )

    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["token"]
    assert await comments_on(client, story) == []


@pytest.mark.parametrize("body", ["", "   ", "\n"])
async def test_blank_comment_is_refused(client, body):
    author = await sign_up(client)
    story = await publish(client, author)

    response = await comment_on(client, story, author, body)

    assert response.status_code == 422
    assert response.json() == {"errors": {"body": ["can't be blank"]}}
    assert await comments_on(client, story) == []


async def test_comment_is_stored_exactly_as_written(client):
    author = await sign_up(client)
    story = await publish(client, author)
    body = "    quoted code\n\nand a line\n"

    comment = await add_comment(client, story, author, body)

    assert comment["body"] == body
    assert [c["body"] for c in await comments_on(client, story)] == [body]


async def test_comment_without_a_body_is_refused(client):
    author = await sign_up(client)
    story = await publish(client, author)

    response = await client.post(
        f"/api/articles/{story['slug']}/comments", json={"comment": {}}, headers=author.headers
    )

    assert response.status_code == 422
    assert response.json() == {"errors": {"body": ["can't be blank"]}}


async def test_oversize_comment_is_refused_and_largest_is_kept(client):
    author = await sign_up(client)
    story = await publish(client, author)

    too_long = await comment_on(client, story, author, "x" * 10_001)
    longest = await comment_on(client, story, author, "x" * 10_000)

    assert too_long.status_code == 422
    assert too_long.json() == {"errors": {"body": ["is too long (maximum is 10000)"]}}
    assert longest.status_code == 200
    assert [c["body"] for c in await comments_on(client, story)] == ["x" * 10_000]


async def test_commenting_on_an_unknown_story_is_not_found(client):
    reader = await sign_up(client)

    response = await comment_on(client, {"slug": "no-such-story"}, reader)

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["article"]


async def test_commenter_deletes_own_comment(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    doomed = await add_comment(client, story, reader, "Oops")
    kept = await add_comment(client, story, reader, "Fine")

    response = await delete_comment(client, story, doomed["id"], reader)

    assert response.status_code == 204
    assert response.content == b""
    assert await comments_on(client, story) == [kept]


async def test_a_stranger_cannot_delete_a_comment(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    comment = await add_comment(client, story, reader)

    by_stranger = await delete_comment(client, story, comment["id"], await sign_up(client))

    assert by_stranger.status_code == 403
    assert by_stranger.json() == {
        "errors": {
            "comment": [
                "only the author, or whoever looks after the story, may change this comment"
            ]
        }
    }
    assert await comments_on(client, story) == [comment]


async def test_the_storys_writer_may_delete_any_comment_on_it(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    comment = await add_comment(client, story, reader)

    by_story_author = await delete_comment(client, story, comment["id"], author)

    assert by_story_author.status_code == 204
    assert await comments_on(client, story) == []


async def test_deleting_a_comment_needs_a_signed_in_reader(client):
    author = await sign_up(client)
    story = await publish(client, author)
    comment = await add_comment(client, story, author)

    response = await delete_comment(client, story, comment["id"])

    assert response.status_code == 401
    assert await comments_on(client, story) == [comment]


async def test_deleting_an_unknown_comment_is_not_found(client):
    author = await sign_up(client)
    story = await publish(client, author)
    comment = await add_comment(client, story, author)

    response = await delete_comment(client, story, comment["id"] + 1000, author)

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["comment"]


async def test_deleting_a_comment_through_another_story_is_not_found(client):
    author = await sign_up(client)
    story = await publish(client, author)
    other_story = await publish(client, author)
    comment = await add_comment(client, story, author)

    response = await delete_comment(client, other_story, comment["id"], author)

    assert response.status_code == 404
    assert await comments_on(client, story) == [comment]


async def test_deleting_a_comment_of_an_unknown_story_is_not_found(client):
    author = await sign_up(client)
    story = await publish(client, author)
    comment = await add_comment(client, story, author)

    response = await delete_comment(client, {"slug": "no-such-story"}, comment["id"], author)

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["article"]


@pytest.mark.parametrize("comment_id", ["abc", "1.5", "0", "-3", "99999999999999999999"])
async def test_malformed_comment_id_is_refused(client, comment_id):
    author = await sign_up(client)
    story = await publish(client, author)

    response = await delete_comment(client, story, comment_id, author)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["id"]
