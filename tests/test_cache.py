"""The shared response cache: anonymous reads come from it, and no write is ever hidden by it."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from redis.asyncio import Redis

from broadsheet.app import close, create_app
from broadsheet.cache import CachedResponse, LocalStore, RedisStore, SharedPurges
from tests.conftest import settings_for_tests
from tests.helpers import publish, redis_or_skip, sign_up


async def _get_twice(client, url):
    first = await client.get(url)
    second = await client.get(url)
    return first, second


async def test_second_anonymous_read_is_served_from_the_cache(client):
    author = await sign_up(client)
    await publish(client, author)
    first, second = await _get_twice(client, "/api/articles")
    assert first.headers["x-cache"] == "miss"
    assert second.headers["x-cache"] == "hit"
    assert second.content == first.content
    assert "s-maxage" in second.headers["cache-control"]
    assert "stale-while-revalidate" in second.headers["cache-control"]


async def test_matching_etag_answers_304_without_a_body(client):
    first = await client.get("/api/tags")
    revalidated = await client.get("/api/tags", headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == first.headers["etag"]


async def test_signed_in_reads_are_neither_served_from_nor_stored_in_the_cache(client):
    author = await sign_up(client)
    story = await publish(client, author)
    await client.get("/api/articles")  # stored for anonymous readers
    signed_in = await client.get("/api/articles", headers=author.headers)
    assert signed_in.headers["x-cache"] == "bypass"
    assert signed_in.headers["cache-control"].startswith("private")
    # A favorite purges the list that shows the story; only an anonymous read may store it again.
    await client.post(f"/api/articles/{story['slug']}/favorite", headers=author.headers)
    await client.get("/api/articles", headers=author.headers)
    anonymous = await client.get("/api/articles")
    assert anonymous.headers["x-cache"] == "miss"


async def test_pages_with_forms_are_never_stored(client):
    _, second = await _get_twice(client, "/signin")
    assert second.headers.get("x-cache") != "hit"
    assert "no-store" in second.headers["cache-control"]


async def _story(client):
    author = await sign_up(client)
    story = await publish(client, author, title="First title", tagList=["before"])
    return author, story


async def test_editing_a_story_refreshes_its_page_its_api_and_lists(client):
    author, story = await _story(client)
    page_url = f"/@{author.username}/{story['slug']}"
    for url in (f"/api/articles/{story['slug']}", "/api/articles", page_url):
        await client.get(url)
    response = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"body": "Rewritten body", "description": "New subtitle"}},
        headers=author.headers,
    )
    assert response.status_code == 200
    assert (await client.get(f"/api/articles/{story['slug']}")).json()["article"]["body"] == (
        "Rewritten body"
    )
    assert (await client.get("/api/articles")).json()["articles"][0][
        "description"
    ] == "New subtitle"
    assert "Rewritten body" in (await client.get(page_url)).text


async def test_a_new_comment_shows_at_once(client):
    author, story = await _story(client)
    comments_url = f"/api/articles/{story['slug']}/comments"
    page_url = f"/@{author.username}/{story['slug']}"
    await client.get(comments_url)
    await client.get(page_url)
    await client.post(
        comments_url, json={"comment": {"body": "Fresh response"}}, headers=author.headers
    )
    assert (await client.get(comments_url)).json()["comments"][0]["body"] == "Fresh response"
    assert "Fresh response" in (await client.get(page_url)).text


async def test_favorite_counts_show_at_once(client):
    _author, story = await _story(client)
    reader = await sign_up(client)
    url = f"/api/articles/{story['slug']}"
    assert (await client.get(url)).json()["article"]["favoritesCount"] == 0
    await client.post(f"{url}/favorite", headers=reader.headers)
    assert (await client.get(url)).json()["article"]["favoritesCount"] == 1
    await client.delete(f"{url}/favorite", headers=reader.headers)
    assert (await client.get(url)).json()["article"]["favoritesCount"] == 0


async def test_profile_changes_show_at_once(client):
    author, story = await _story(client)
    profile_url = f"/api/profiles/{author.username}"
    await client.get(profile_url)
    await client.get(f"/@{author.username}")
    await client.get(f"/api/articles/{story['slug']}")
    await client.put("/api/user", json={"user": {"bio": "Now with a bio"}}, headers=author.headers)
    assert (await client.get(profile_url)).json()["profile"]["bio"] == "Now with a bio"
    assert "Now with a bio" in (await client.get(f"/@{author.username}")).text
    article = (await client.get(f"/api/articles/{story['slug']}")).json()["article"]
    assert article["author"]["bio"] == "Now with a bio"


async def test_tag_changes_show_at_once(client):
    author, story = await _story(client)
    await client.get("/api/tags")
    await client.get("/tag/before")
    await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"tagList": ["after"]}},
        headers=author.headers,
    )
    assert (await client.get("/api/tags")).json()["tags"] == ["after"]
    assert "First title" not in (await client.get("/tag/before")).text


async def test_a_deleted_story_is_gone_at_once(client):
    author, story = await _story(client)
    url = f"/api/articles/{story['slug']}"
    assert (await client.get(url)).status_code == 200
    await client.delete(url, headers=author.headers)
    assert (await client.get(url)).status_code == 404
    assert (await client.get("/api/articles")).json()["articlesCount"] == 0


async def test_a_response_posted_on_the_site_shows_at_once(client):
    author, story = await _story(client)
    page_url = f"/@{author.username}/{story['slug']}"
    await client.get(page_url)
    signin = await client.get("/signin")
    token = signin.text.split('name="csrf_token" value="')[1].split('"')[0]
    await client.post(
        "/signin", data={"csrf_token": token, "email": author.email, "password": author.password}
    )
    story_page = await client.get(page_url)
    token = story_page.text.split('name="csrf_token" value="')[1].split('"')[0]
    await client.post(f"{page_url}/responses", data={"csrf_token": token, "body": "From the site"})
    client.cookies.clear()
    anonymous = await client.get(page_url)
    assert "From the site" in anonymous.text


def _local_store(tmp_path, *, max_bytes=1024):
    return LocalStore(SharedPurges(tmp_path / "purges"), max_bytes=max_bytes, ttl_seconds=60)


@pytest.fixture(params=["local", "redis"])
async def store(request, tmp_path) -> AsyncIterator:
    """The in-process store, and the one in Redis that app servers share."""
    if request.param == "local":
        store = _local_store(tmp_path)
    else:
        redis = Redis.from_url(await redis_or_skip())
        store = RedisStore(redis, namespace=f"test:{secrets.token_hex(8)}", ttl_seconds=60)
    yield store
    await store.close()


def _entry(body: bytes) -> CachedResponse:
    return CachedResponse(200, [], body)


async def test_a_read_that_overlaps_a_purge_of_its_keys_is_never_served(store):
    stamp, _ = await store.lookup("k")
    await store.purge(["story:1"])  # a write commits while the read is being computed
    await store.store("k", _entry(b"stale"), keys=["story:1", "site"], stamp=stamp)
    assert (await store.lookup("k"))[1] is None


async def test_a_read_that_overlaps_a_purge_of_other_keys_is_kept(store):
    stamp, _ = await store.lookup("k")
    await store.purge(["story:2"])
    await store.store("k", _entry(b"fresh"), keys=["story:1", "site"], stamp=stamp)
    assert (await store.lookup("k"))[1] == _entry(b"fresh")


async def test_a_purge_reaches_the_entries_with_its_keys_and_no_others(store):
    for key, keys in (("one", ["story:1"]), ("two", ["story:2"]), ("both", ["story:1", "tags"])):
        stamp, _ = await store.lookup(key)
        await store.store(key, _entry(key.encode()), keys=[*keys, "site"], stamp=stamp)
    await store.purge(["story:1"])
    kept = {key for key in ("one", "two", "both") if (await store.lookup(key))[1]}
    assert kept == {"two"}
    await store.purge(["site"])
    assert (await store.lookup("two"))[1] is None


async def test_a_worker_keeps_responses_up_to_its_byte_budget_least_recently_used_first(tmp_path):
    store = _local_store(tmp_path, max_bytes=250)
    for key in ("first", "second", "third"):
        stamp, _ = await store.lookup(key)
        await store.store(key, _entry(b"x" * 100), keys=["site"], stamp=stamp)
    stamp, _ = await store.lookup("too large")
    await store.store("too large", _entry(b"x" * 251), keys=["site"], stamp=stamp)

    kept = {
        key for key in ("first", "second", "third", "too large") if (await store.lookup(key))[1]
    }
    assert kept == {"second", "third"}


async def test_workers_on_one_machine_share_purges(tmp_path):
    first = _local_store(tmp_path)
    second = _local_store(tmp_path)
    stamp, _ = await second.lookup("k")
    await second.store("k", _entry(b"kept"), keys=["story:7"], stamp=stamp)
    await first.purge(["story:7"])
    assert (await second.lookup("k"))[1] is None


@asynccontextmanager
async def _server(database_url: str, **overrides) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for_tests(database_url, **overrides))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await close(app)


@pytest.mark.engines("sqlite", "postgresql")
async def test_an_edit_on_one_server_is_seen_on_another_at_once(backend, client):
    redis_url = await redis_or_skip()
    namespace = f"test:{secrets.token_hex(8)}"
    url = backend.settings.database.url
    async with (
        _server(url, redis_url=redis_url, cache={"namespace": namespace}) as one,
        _server(url, redis_url=redis_url, cache={"namespace": namespace}) as two,
    ):
        author = await sign_up(one)
        story = await publish(one, author, title="Shared")
        article_url = f"/api/articles/{story['slug']}"
        await two.get(article_url)
        assert (await two.get(article_url)).headers["x-cache"] == "hit"
        await one.put(
            article_url, json={"article": {"body": "Edited on one"}}, headers=author.headers
        )
        seen_on_two = await two.get(article_url)
        assert seen_on_two.json()["article"]["body"] == "Edited on one"


@pytest.mark.engines("sqlite")
async def test_reads_keep_working_when_redis_is_unreachable(backend):
    async with _server(
        backend.settings.database.url, redis_url="redis://127.0.0.1:1/0"
    ) as unreachable:
        author = await sign_up(unreachable)
        await publish(unreachable, author)
        response = await unreachable.get("/api/articles")
    assert response.status_code == 200
    assert response.json()["articlesCount"] == 1
    assert response.headers["x-cache"] == "miss"
