"""Nobody but its author changes a story or a comment: not another writer, not an anonymous
caller, not a token whose account is gone; not through the API, odd spellings of its routes, or
the site's forms. Each refused attempt leaves every row of every table as it was."""

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete

from broadsheet.accounts.models import User
from tests.helpers import Writer, every_row, publish, sign_up
from tests.pages.helpers import browser, csrf_from, sign_up_on_site


@dataclass
class Scene:
    alice: Writer
    bob: Writer
    gone: Writer
    story: dict[str, Any]
    bobs_story: dict[str, Any]
    comment_id: int


@pytest.fixture
async def scene(client, backend) -> Scene:
    """Alice's story with her comment, Bob's story, and a token whose account was deleted."""
    alice, bob, gone = await sign_up(client), await sign_up(client), await sign_up(client)
    story = await publish(client, alice, tagList=["kept"])
    bobs_story = await publish(client, bob)
    commented = await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {"body": "Alice's own note"}},
        headers=alice.headers,
    )
    await client.post(f"/api/articles/{bobs_story['slug']}/favorite", headers=alice.headers)
    await client.post(f"/api/profiles/{bob.username}/follow", headers=alice.headers)
    async with backend.database.write_engine.begin() as connection:
        await connection.execute(delete(User).where(User.username == gone.username))
    return Scene(alice, bob, gone, story, bobs_story, commented.json()["comment"]["id"])


def callers(scene: Scene) -> dict[str, dict[str, str]]:
    return {"bob": scene.bob.headers, "anonymous": {}, "deleted account": scene.gone.headers}


def changes_to_alices_work(scene: Scene) -> list[tuple[str, str, dict[str, Any] | None]]:
    slug, comment = scene.story["slug"], scene.comment_id
    hijack = {"article": {"title": "Hijacked", "body": "Gone", "tagList": []}}
    return [
        ("PUT", f"/api/articles/{slug}", hijack),
        ("DELETE", f"/api/articles/{slug}", None),
        ("DELETE", f"/api/articles/{slug}/comments/{comment}", None),
        # Her comment's id under a story the caller owns.
        ("DELETE", f"/api/articles/{scene.bobs_story['slug']}/comments/{comment}", None),
        ("PUT", "/api/user", {"user": {"email": scene.alice.email, "bio": "mine now"}}),
        ("PUT", "/api/user", {"user": {"username": scene.alice.username}}),
    ]


def route_variants(path: str) -> list[str]:
    return [
        path + "/",
        "http://testserver/" + path,  # a doubled slash, which a bare "//" would read as a host
        path.upper().replace("/API/ARTICLES/", "/api/articles/"),
        path + "%2F",
        path + ".",
    ]


async def test_nobody_else_changes_alices_stories_comments_or_account(client, backend, scene):
    attempts = [
        (who, method, path, body)
        for who in callers(scene)
        for method, path, body in changes_to_alices_work(scene)
    ]
    attempts += [
        (who, method, variant, body)
        for who in callers(scene)
        for method, path, body in changes_to_alices_work(scene)[:3]
        for variant in route_variants(path)
    ]
    before = await every_row(backend)

    for who, method, path, body in attempts:
        response = await client.request(method, path, json=body, headers=callers(scene)[who])

        assert not response.is_success, (who, method, path, response.status_code)
        assert response.status_code < 500, (who, method, path, response.text)
        assert await every_row(backend) == before, (who, method, path)


async def test_refusals_say_why(client, scene):
    slug = scene.story["slug"]
    as_bob = await client.delete(f"/api/articles/{slug}", headers=scene.bob.headers)
    anonymous = await client.delete(f"/api/articles/{slug}")
    gone = await client.delete(f"/api/articles/{slug}", headers=scene.gone.headers)
    misplaced = await client.delete(
        f"/api/articles/{scene.bobs_story['slug']}/comments/{scene.comment_id}",
        headers=scene.bob.headers,
    )

    assert (as_bob.status_code, anonymous.status_code, gone.status_code) == (403, 401, 401)
    assert misplaced.status_code == 404


async def test_others_taking_back_their_own_favorite_or_follow_leave_alices(client, backend, scene):
    bobs_slug = scene.bobs_story["slug"]
    before = await every_row(backend)

    for method, path in [
        ("DELETE", f"/api/articles/{bobs_slug}/favorite"),
        ("DELETE", f"/api/profiles/{scene.bob.username}/follow"),
    ]:
        response = await client.request(method, path, headers=scene.bob.headers)
        assert response.status_code in (200, 422), (path, response.text)
        for headers in ({}, scene.gone.headers):
            assert (await client.request(method, path, headers=headers)).status_code == 401

    assert await every_row(backend) == before


async def test_bob_cannot_change_alices_work_through_the_site(client, backend, scene):
    alice, slug = scene.alice.username, scene.story["slug"]
    async with browser(backend) as bob_browser:
        await sign_up_on_site(bob_browser)
        token = csrf_from((await bob_browser.get("/new")).text)
        before = await every_row(backend)

        for action, fields in [
            (f"/@{alice}/{slug}/edit", {"title": "Hijacked", "description": "d", "body": "b"}),
            (f"/@{alice}/{slug}/delete", {}),
            (f"/@{alice}/{slug}/responses/{scene.comment_id}/delete", {}),
        ]:
            response = await bob_browser.post(action, data={"csrf_token": token, **fields})

            assert response.status_code in (403, 404), (action, response.status_code)
            assert await every_row(backend) == before, action
