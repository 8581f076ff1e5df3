"""The demo content `broadsheet demo` loads, checked through the API as a visitor would see it."""

import re
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from broadsheet.accounts.models import Follow, User
from broadsheet.accounts.service import password_hashing
from broadsheet.articles.models import Article, Favorite
from broadsheet.comments.models import Comment
from broadsheet.db import session_scope
from broadsheet.demo import (
    DEMO_PASSWORD,
    FOLLOWS,
    PUBLICATION_FOLLOWERS,
    SERIES_PARTS,
    WRITERS,
    DatabaseNotEmpty,
    demo_stories,
    load_demo,
    parse_story,
)
from broadsheet.publications.models import Publication
from broadsheet.tags.models import Tag
from tests.helpers import sign_up

TABLES = {
    "writers": User,
    "stories": Article,
    "comments": Comment,
    "follows": Follow,
    "favorites": Favorite,
    "publication": Publication,
}


async def load(backend, *, force=False):
    async with session_scope(backend.database) as session:
        return await load_demo(session, passwords=password_hashing(backend.settings), force=force)


async def row_counts(backend):
    async with session_scope(backend.database, write=False) as session:
        return {
            name: await session.scalar(select(func.count()).select_from(model))
            for name, model in TABLES.items()
        }


def reported_counts(summary):
    return {name: int(number) for number, name in re.findall(r"(\d+) (\w+)", summary)}


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_demo_creates_the_counts_it_reports(backend):
    summary = await load(backend)

    stories = demo_stories()
    assert reported_counts(summary) == await row_counts(backend)
    assert reported_counts(summary) == {
        "writers": len(WRITERS),
        "stories": len(stories),
        "comments": sum(len(story.comments) for story in stories),
        "follows": len(FOLLOWS),
        "favorites": sum(len(story.favorited_by) for story in stories),
        "publication": 1,
    }
    assert summary.startswith("loaded 5 writers, 30 stories, ")


async def test_demo_publication_has_its_members_followers_and_stories(backend, client):
    await load(backend)

    place = (await client.get("/api/publications/plain-text")).json()["publication"]
    members = (await client.get("/api/publications/plain-text/members")).json()["members"]
    stories = await client.get("/api/articles", params={"publication": "plain-text"})

    assert place["name"] == "Plain Text"
    assert place["followersCount"] == len(PUBLICATION_FOLLOWERS)
    assert [(m["profile"]["username"], m["role"]) for m in members] == [
        ("tomas.reyes", "owner"),
        ("margot.lind", "editor"),
        ("jun.watanabe", "writer"),
    ]
    in_it = [story for story in demo_stories() if story.in_publication]
    assert stories.json()["articlesCount"] == len(in_it) > 0
    [part] = [a for a in stories.json()["articles"] if a["title"] == SERIES_PARTS[-1]]
    series = (await client.get(f"/api/series/{part['series']['slug']}")).json()["series"]
    assert [p["title"] for p in series["stories"]] == list(SERIES_PARTS)
    assert series["publication"]["slug"] == "plain-text"


async def test_demo_stories_are_listed_with_tags_spread_over_months(backend, client):
    await load(backend)

    response = await client.get("/api/articles", params={"limit": 100})
    assert response.status_code == 200
    listed = response.json()
    assert listed["articlesCount"] == 30
    assert all(1 <= len(story["tagList"]) <= 4 for story in listed["articles"])
    assert all(story["author"]["bio"] for story in listed["articles"])
    published = [parse_time(story["createdAt"]) for story in listed["articles"]]
    assert published == sorted(published, reverse=True)
    assert published[0] - published[-1] > timedelta(days=120)
    assert sum(story["favoritesCount"] for story in listed["articles"]) == sum(
        len(story.favorited_by) for story in demo_stories()
    )

    # Fans clap too, and the week's most applauded stories are ranked at once.
    assert all(
        (story["clapsCount"] > 0) == (story["favoritesCount"] > 0) for story in listed["articles"]
    )
    popular = (await client.get("/api/articles/popular", params={"limit": 100})).json()
    clapped = [story for story in listed["articles"] if story["clapsCount"]]
    assert popular["articlesCount"] == len(clapped) > 0

    by_margot = await client.get("/api/articles", params={"author": "margot.lind"})
    assert by_margot.json()["articlesCount"] == 6
    tags = (await client.get("/api/tags")).json()["tags"]
    assert len(tags) == 12
    assert {"writing", "software", "science", "cities", "food"} <= set(tags)


async def test_demo_stories_have_comments_from_other_writers(backend, client):
    await load(backend)
    listed = (await client.get("/api/articles", params={"limit": 100})).json()["articles"]

    commented = 0
    for story in listed:
        response = await client.get(f"/api/articles/{story['slug']}/comments")
        assert response.status_code == 200
        said = response.json()["comments"]
        commented += bool(said)
        assert {comment["author"]["username"] for comment in said} <= set(WRITERS)
        assert any(comment["author"]["username"] != story["author"]["username"] for comment in said)
        # Responses come after the story, and oldest first.
        times = [parse_time(comment["createdAt"]) for comment in said]
        assert times == sorted(times)
        assert all(time > parse_time(story["createdAt"]) for time in times)
    assert commented == 30


async def test_demo_story_keeps_its_markdown_body(backend, client):
    await load(backend)
    grid = next(story for story in demo_stories() if story.title.startswith("The Street Grid"))
    listed = (await client.get("/api/articles", params={"tag": "cities", "limit": 100})).json()
    slug = next(story["slug"] for story in listed["articles"] if story["title"] == grid.title)

    article = (await client.get(f"/api/articles/{slug}")).json()["article"]

    assert article["body"] == grid.body
    assert article["tagList"] == ["cities", "design", "history"]
    assert article["author"]["username"] == "jun.watanabe"


async def test_demo_writers_sign_in_with_the_documented_password(backend, client):
    await load(backend)

    for username in WRITERS:
        credentials = {"email": f"{username}@example.com", "password": DEMO_PASSWORD}
        response = await client.post("/api/users/login", json={"user": credentials})
        assert response.status_code == 200, response.text
        assert response.json()["user"]["username"] == username


async def test_demo_follows_show_in_profiles_and_feeds(backend, client):
    await load(backend)
    login = {"email": "tomas.reyes@example.com", "password": DEMO_PASSWORD}
    token = (await client.post("/api/users/login", json={"user": login})).json()["user"]["token"]
    headers = {"Authorization": f"Token {token}"}

    profile = await client.get("/api/profiles/margot.lind", headers=headers)
    feed = await client.get("/api/articles/feed", params={"limit": 100}, headers=headers)

    assert profile.json()["profile"]["following"] is True
    followed = {followed for follower, followed in FOLLOWS if follower == "tomas.reyes"}
    assert {story["author"]["username"] for story in feed.json()["articles"]} == followed


async def test_demo_refuses_a_database_with_stories_and_changes_nothing(backend):
    await load(backend)
    before = await row_counts(backend)

    with pytest.raises(DatabaseNotEmpty):
        await load(backend)

    assert await row_counts(backend) == before


async def test_demo_refuses_a_database_with_only_a_user(backend, client):
    await sign_up(client, "reader")

    with pytest.raises(DatabaseNotEmpty):
        await load(backend)

    assert await row_counts(backend) == {
        "writers": 1,
        "stories": 0,
        "comments": 0,
        "follows": 0,
        "favorites": 0,
        "publication": 0,
    }


async def test_forced_demo_loads_a_second_set_beside_the_first(backend, client):
    first = await load(backend)
    second = await load(backend, force=True)

    assert second == first
    assert await row_counts(backend) == {
        name: 2 * number for name, number in reported_counts(first).items()
    }
    async with session_scope(backend.database, write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Tag)) == 12
    suffixed = await client.get("/api/articles", params={"author": "margot.lind-2"})
    assert suffixed.json()["articlesCount"] == 6


async def test_forced_demo_leaves_an_account_with_a_demo_name_alone(backend, client):
    owner = await sign_up(client, "priya.raman")

    await load(backend, force=True)

    theirs = await client.get("/api/articles", params={"author": "priya.raman"})
    assert theirs.json()["articlesCount"] == 0
    login = {"email": owner.email, "password": owner.password}
    assert (await client.post("/api/users/login", json={"user": login})).status_code == 200
    demo = await client.get("/api/articles", params={"author": "priya.raman-2"})
    assert demo.json()["articlesCount"] == 6


def test_every_demo_story_is_a_real_article():
    stories = demo_stories()
    tags = Counter(tag for story in stories for tag in story.tags)

    assert len(stories) == 30
    assert len({story.title for story in stories}) == 30
    assert len(tags) == 12
    assert Counter(story.author for story in stories) == dict.fromkeys(WRITERS, 6)
    for story in stories:
        assert 1 <= len(story.tags) <= 4, story.title
        assert len(story.body.split()) >= 400, story.title
        assert "\n## " in story.body, story.title
        assert story.author not in story.favorited_by, story.title
        assert set(story.favorited_by) <= set(WRITERS), story.title
        assert {said.author for said in story.comments} <= set(WRITERS), story.title
        assert all(said.body for said in story.comments), story.title


def test_demo_stories_use_the_whole_of_markdown():
    bodies = [story.body for story in demo_stories()]

    def stories_with(pattern):
        return sum(bool(re.search(pattern, body, re.MULTILINE)) for body in bodies)

    assert stories_with(r"^```[a-z]+$") >= 10  # fenced code that names its language
    assert stories_with(r"^\|.*\|$") >= 5  # tables
    assert stories_with(r"^> ") >= 10  # block quotes
    assert stories_with(r"^(- |1\. )") >= 25  # lists
    assert stories_with(r"\]\(https://") >= 5  # links
    images = [alt for body in bodies for alt in re.findall(r"!\[([^\]]*)\]\(https://", body)]
    assert len(images) >= 5
    assert all(len(alt) > 20 for alt in images)


def test_story_file_header_is_read_up_to_the_first_blank_line():
    story = parse_story(
        "title: A: B\n"
        "description: About it\n"
        "author: margot.lind\n"
        "tags: writing, books\n"
        "days_ago: 3\n"
        "comment: jun.watanabe: Nice: very nice.\n"
        "\n"
        "# Body\n\ntitle: not a field\n"
    )

    assert story.title == "A: B"
    assert story.tags == ["writing", "books"]
    assert story.favorited_by == []
    assert [(said.author, said.body) for said in story.comments] == [
        ("jun.watanabe", "Nice: very nice.")
    ]
    assert story.body == "# Body\n\ntitle: not a field"


async def test_demo_writers_answer_responses_to_their_stories_in_threads(backend, client):
    await load(backend)

    listed = (await client.get("/api/articles", params={"limit": 100})).json()["articles"]
    replies = []
    for story in listed:
        said = (await client.get(f"/api/articles/{story['slug']}/comments")).json()["comments"]
        replies += [c for c in said if c["parentId"] is not None]

    assert replies
    assert all(reply["byStoryAuthor"] for reply in replies)
