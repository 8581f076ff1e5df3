"""GET /api/articles and GET /api/articles/feed."""

import re

import pytest

from tests.helpers import publish, sign_up

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


async def follow(client, reader, writer):
    response = await client.post(f"/api/profiles/{writer.username}/follow", headers=reader.headers)
    assert response.status_code == 200, response.text


async def favorite(client, reader, story):
    response = await client.post(f"/api/articles/{story['slug']}/favorite", headers=reader.headers)
    assert response.status_code == 200, response.text


async def listed(client, query="", headers=None):
    response = await client.get(f"/api/articles{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def slugs(page):
    return [article["slug"] for article in page["articles"]]


async def test_empty_site_lists_no_stories(client):
    assert await listed(client) == {"articles": [], "articlesCount": 0}


async def test_stories_are_listed_most_recent_first(client):
    author = await sign_up(client)
    first = await publish(client, author)
    second = await publish(client, author)
    third = await publish(client, author)

    page = await listed(client)

    assert slugs(page) == [third["slug"], second["slug"], first["slug"]]
    assert page["articlesCount"] == 3


async def test_listed_story_has_every_field_but_the_body(client):
    author = await sign_up(client)
    story = await publish(client, author, title="A title", description="A description")

    (item,) = (await listed(client))["articles"]

    assert "body" not in item
    assert set(item) == {
        "slug",
        "title",
        "description",
        "tagList",
        "createdAt",
        "updatedAt",
        "favorited",
        "favoritesCount",
        "clapsCount",
        "yourClaps",
        "author",
        "status",
        "publishedAt",
        "updateNote",
        "updateNotedAt",
        "coverImage",
        "publication",
        "series",
        "submittedTo",
    }
    assert item["slug"] == story["slug"]
    assert item["title"] == "A title"
    assert item["description"] == "A description"
    assert item["favoritesCount"] == 0
    assert item["author"] == {
        "username": author.username,
        "bio": None,
        "image": None,
        "following": False,
    }


async def test_listed_tags_are_sorted_alphabetically(client):
    author = await sign_up(client)
    await publish(client, author, tagList=["zebra", "apple", "mango"])

    (item,) = (await listed(client))["articles"]

    assert item["tagList"] == ["apple", "mango", "zebra"]


async def test_listed_timestamps_are_iso_8601_utc_with_milliseconds(client):
    author = await sign_up(client)
    story = await publish(client, author)

    (item,) = (await listed(client))["articles"]

    assert TIMESTAMP.match(item["createdAt"]), item["createdAt"]
    assert TIMESTAMP.match(item["updatedAt"]), item["updatedAt"]
    assert item["createdAt"] == story["createdAt"]
    assert item["updatedAt"] == story["updatedAt"]


async def test_anonymous_reader_sees_favorited_and_following_false(client):
    author = await sign_up(client)
    reader = await sign_up(client)
    story = await publish(client, author)
    await follow(client, reader, author)
    await favorite(client, reader, story)

    (item,) = (await listed(client))["articles"]

    assert item["favorited"] is False
    assert item["author"]["following"] is False
    assert item["favoritesCount"] == 1


async def test_signed_in_reader_sees_own_favorites_and_follows(client):
    author = await sign_up(client)
    other_author = await sign_up(client)
    reader = await sign_up(client)
    liked = await publish(client, author)
    unliked = await publish(client, other_author)
    await follow(client, reader, author)
    await favorite(client, reader, liked)

    page = await listed(client, headers=reader.headers)

    by_slug = {item["slug"]: item for item in page["articles"]}
    assert by_slug[liked["slug"]]["favorited"] is True
    assert by_slug[liked["slug"]]["author"]["following"] is True
    assert by_slug[unliked["slug"]]["favorited"] is False
    assert by_slug[unliked["slug"]]["author"]["following"] is False


async def test_another_readers_favorites_and_follows_do_not_show(client):
    author = await sign_up(client)
    fan = await sign_up(client)
    stranger = await sign_up(client)
    story = await publish(client, author)
    await follow(client, fan, author)
    await favorite(client, fan, story)

    (item,) = (await listed(client, headers=stranger.headers))["articles"]

    assert item["favorited"] is False
    assert item["author"]["following"] is False


async def test_filter_by_tag(client):
    author = await sign_up(client)
    tagged = await publish(client, author, tagList=["python", "web"])
    await publish(client, author, tagList=["rust"])
    await publish(client, author)

    page = await listed(client, "?tag=python")

    assert slugs(page) == [tagged["slug"]]
    assert page["articlesCount"] == 1
    assert page["articles"][0]["tagList"] == ["python", "web"]


async def test_filter_by_author(client):
    alice = await sign_up(client)
    bob = await sign_up(client)
    first = await publish(client, alice)
    await publish(client, bob)
    second = await publish(client, alice)

    page = await listed(client, f"?author={alice.username}")

    assert slugs(page) == [second["slug"], first["slug"]]
    assert page["articlesCount"] == 2


async def test_filter_by_author_ignores_case_of_the_username(client):
    alice = await sign_up(client, "AliceWrites")
    story = await publish(client, alice)

    page = await listed(client, "?author=alicewrites")

    assert slugs(page) == [story["slug"]]


async def test_filter_by_favorited(client):
    author = await sign_up(client)
    fan = await sign_up(client)
    liked = await publish(client, author)
    await publish(client, author)
    await favorite(client, fan, liked)

    page = await listed(client, f"?favorited={fan.username}")

    assert slugs(page) == [liked["slug"]]
    assert page["articlesCount"] == 1


async def test_filters_combine(client):
    alice = await sign_up(client)
    bob = await sign_up(client)
    fan = await sign_up(client)
    match = await publish(client, alice, tagList=["python"])
    wrong_tag = await publish(client, alice, tagList=["rust"])
    wrong_author = await publish(client, bob, tagList=["python"])
    await publish(client, alice, tagList=["python"])  # not favorited
    for story in (match, wrong_tag, wrong_author):
        await favorite(client, fan, story)

    page = await listed(client, f"?tag=python&author={alice.username}&favorited={fan.username}")

    assert slugs(page) == [match["slug"]]
    assert page["articlesCount"] == 1


async def test_filter_by_tag_and_author(client):
    alice = await sign_up(client)
    bob = await sign_up(client)
    match = await publish(client, alice, tagList=["python"])
    await publish(client, alice, tagList=["rust"])
    await publish(client, bob, tagList=["python"])

    page = await listed(client, f"?tag=python&author={alice.username}")

    assert slugs(page) == [match["slug"]]
    assert page["articlesCount"] == 1


@pytest.mark.parametrize("query", ["?tag=nothing", "?author=nobody", "?favorited=nobody"])
async def test_unknown_filter_value_gives_an_empty_list(client, query):
    author = await sign_up(client)
    await publish(client, author, tagList=["something"])

    assert await listed(client, query) == {"articles": [], "articlesCount": 0}


async def test_tag_filter_ignores_case_and_nothing_else(client):
    author = await sign_up(client)
    await publish(client, author, tagList=["Python"])
    await publish(client, author, tagList=["pythonic"])

    assert (await listed(client, "?tag=python"))["articlesCount"] == 1
    assert (await listed(client, "?tag=pytho"))["articlesCount"] == 0


async def test_default_page_is_the_twenty_most_recent(client):
    author = await sign_up(client)
    stories = [await publish(client, author) for _ in range(22)]

    page = await listed(client)

    assert slugs(page) == [story["slug"] for story in reversed(stories)][:20]
    assert page["articlesCount"] == 22


async def test_limit_and_offset_page_through_stories(client):
    author = await sign_up(client)
    stories = [await publish(client, author) for _ in range(5)]
    newest_first = [story["slug"] for story in reversed(stories)]

    middle = await listed(client, "?limit=2&offset=1")
    last = await listed(client, "?limit=2&offset=4")
    beyond = await listed(client, "?limit=2&offset=10")

    assert slugs(middle) == newest_first[1:3]
    assert slugs(last) == newest_first[4:]
    assert slugs(beyond) == []
    assert middle["articlesCount"] == last["articlesCount"] == beyond["articlesCount"] == 5


async def test_articles_count_is_the_total_matching_not_the_page_size(client):
    author = await sign_up(client)
    for _ in range(3):
        await publish(client, author, tagList=["counted"])
    await publish(client, author)

    page = await listed(client, "?tag=counted&limit=1")

    assert len(page["articles"]) == 1
    assert page["articlesCount"] == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=-1", "limit"),
        ("?limit=many", "limit"),
        ("?offset=-1", "offset"),
        ("?offset=first", "offset"),
    ],
)
async def test_out_of_range_paging_is_refused(client, query, field):
    response = await client.get(f"/api/articles{query}")

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert all(isinstance(message, str) and message for message in errors[field])


async def test_largest_page_is_allowed(client):
    assert (await listed(client, "?limit=100"))["articlesCount"] == 0


async def test_bad_token_is_refused_even_where_anonymous_reading_is_allowed(client):
    response = await client.get("/api/articles", headers={"Authorization": "Token not-a-jwt"})

    assert response.status_code == 401
    assert "token" in response.json()["errors"]


async def test_feed_needs_a_signed_in_reader(client):
    response = await client.get("/api/articles/feed")

    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["token"]


async def test_feed_shows_only_followed_authors_most_recent_first(client):
    reader = await sign_up(client)
    followed = await sign_up(client)
    also_followed = await sign_up(client)
    unfollowed = await sign_up(client)
    await follow(client, reader, followed)
    await follow(client, reader, also_followed)
    first = await publish(client, followed)
    await publish(client, unfollowed)
    second = await publish(client, also_followed)
    await publish(client, reader)
    third = await publish(client, followed)

    page = await listed(client, "/feed", headers=reader.headers)

    assert slugs(page) == [third["slug"], second["slug"], first["slug"]]
    assert page["articlesCount"] == 3
    assert all(item["author"]["following"] is True for item in page["articles"])
    assert all("body" not in item for item in page["articles"])


async def test_feed_is_empty_when_following_nobody(client):
    reader = await sign_up(client)
    await publish(client, await sign_up(client))

    assert await listed(client, "/feed", headers=reader.headers) == {
        "articles": [],
        "articlesCount": 0,
    }


async def test_feed_pages_and_counts_all_matching_stories(client):
    reader = await sign_up(client)
    writer = await sign_up(client)
    await follow(client, reader, writer)
    stories = [await publish(client, writer) for _ in range(4)]

    page = await listed(client, "/feed?limit=2&offset=1", headers=reader.headers)

    assert slugs(page) == [stories[2]["slug"], stories[1]["slug"]]
    assert page["articlesCount"] == 4


async def test_feed_shows_readers_favorites(client):
    reader = await sign_up(client)
    writer = await sign_up(client)
    await follow(client, reader, writer)
    story = await publish(client, writer)
    await favorite(client, reader, story)

    (item,) = (await listed(client, "/feed", headers=reader.headers))["articles"]

    assert item["favorited"] is True
    assert item["favoritesCount"] == 1


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?offset=-1"])
async def test_feed_refuses_out_of_range_paging(client, query):
    reader = await sign_up(client)

    response = await client.get(f"/api/articles/feed{query}", headers=reader.headers)

    assert response.status_code == 422
    assert "errors" in response.json()
