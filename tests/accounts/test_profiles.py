"""Public profiles and follows, through the RealWorld endpoints."""

from sqlalchemy import func, select

from broadsheet.accounts.models import Follow
from broadsheet.db import session_scope
from tests.helpers import sign_up

PROFILE_FIELDS = {"username", "bio", "image", "following"}


async def follows_stored(backend) -> int:
    async with session_scope(backend.database, write=False) as session:
        return await session.scalar(select(func.count()).select_from(Follow)) or 0


async def test_unknown_profile_is_not_found(client):
    response = await client.get("/api/profiles/nobody")

    assert response.status_code == 404
    assert response.json() == {"errors": {"profile": ["profile not found"]}}


async def test_anonymous_reader_sees_a_profile_not_followed(client):
    await sign_up(client, "alice")

    response = await client.get("/api/profiles/alice")

    assert response.status_code == 200
    assert response.json() == {
        "profile": {"username": "alice", "bio": None, "image": None, "following": False}
    }


async def test_profile_lookup_ignores_case(client):
    await sign_up(client, "Alice")

    response = await client.get("/api/profiles/aLICE")

    assert response.status_code == 200
    assert response.json()["profile"]["username"] == "Alice"


async def test_profile_shows_bio_and_image(client):
    writer = await sign_up(client, "alice")
    settings = {"bio": "Dragons.", "image": "https://example.com/a.png"}
    await client.put("/api/user", json={"user": settings}, headers=writer.headers)

    profile = (await client.get("/api/profiles/alice")).json()["profile"]

    assert (profile["bio"], profile["image"]) == (settings["bio"], settings["image"])


async def test_follow_marks_the_profile_followed_for_the_follower_only(client):
    await sign_up(client, "alice")
    reader = await sign_up(client, "reader")
    other = await sign_up(client, "other")

    response = await client.post("/api/profiles/alice/follow", headers=reader.headers)

    assert response.status_code == 200
    profile = response.json()["profile"]
    assert set(profile) == PROFILE_FIELDS
    assert (profile["username"], profile["following"]) == ("alice", True)
    as_reader = await client.get("/api/profiles/alice", headers=reader.headers)
    assert as_reader.json()["profile"]["following"] is True
    as_other = await client.get("/api/profiles/alice", headers=other.headers)
    assert as_other.json()["profile"]["following"] is False
    anonymous = await client.get("/api/profiles/alice")
    assert anonymous.json()["profile"]["following"] is False


async def test_follow_ignores_the_case_of_the_username(client):
    await sign_up(client, "Alice")
    reader = await sign_up(client, "reader")

    response = await client.post("/api/profiles/ALICE/follow", headers=reader.headers)

    assert response.status_code == 200
    assert response.json()["profile"]["username"] == "Alice"
    followed = await client.get("/api/profiles/alice", headers=reader.headers)
    assert followed.json()["profile"]["following"] is True


async def test_following_twice_changes_nothing(client, backend):
    await sign_up(client, "alice")
    reader = await sign_up(client, "reader")

    first = await client.post("/api/profiles/alice/follow", headers=reader.headers)
    second = await client.post("/api/profiles/alice/follow", headers=reader.headers)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert await follows_stored(backend) == 1


async def test_unfollow_clears_following(client, backend):
    await sign_up(client, "alice")
    reader = await sign_up(client, "reader")
    await client.post("/api/profiles/alice/follow", headers=reader.headers)

    response = await client.delete("/api/profiles/alice/follow", headers=reader.headers)

    assert response.status_code == 200
    assert response.json()["profile"]["following"] is False
    profile = await client.get("/api/profiles/alice", headers=reader.headers)
    assert profile.json()["profile"]["following"] is False
    assert await follows_stored(backend) == 0


async def test_unfollowing_someone_not_followed_is_harmless(client):
    await sign_up(client, "alice")
    reader = await sign_up(client, "reader")

    response = await client.delete("/api/profiles/alice/follow", headers=reader.headers)

    assert response.status_code == 200
    assert response.json()["profile"]["following"] is False


async def test_follow_and_unfollow_require_a_token(client, backend):
    await sign_up(client, "alice")

    followed = await client.post("/api/profiles/alice/follow")
    unfollowed = await client.delete("/api/profiles/alice/follow")

    assert followed.status_code == unfollowed.status_code == 401
    assert await follows_stored(backend) == 0


async def test_follow_and_unfollow_of_unknown_writer_are_not_found(client):
    reader = await sign_up(client, "reader")

    followed = await client.post("/api/profiles/nobody/follow", headers=reader.headers)
    unfollowed = await client.delete("/api/profiles/nobody/follow", headers=reader.headers)

    assert followed.status_code == unfollowed.status_code == 404


async def test_writer_cannot_follow_themselves(client, backend):
    writer = await sign_up(client, "alice")

    response = await client.post("/api/profiles/ALICE/follow", headers=writer.headers)

    assert response.status_code == 422
    assert response.json() == {"errors": {"username": ["you cannot follow yourself"]}}
    assert await follows_stored(backend) == 0


async def test_own_profile_is_never_shown_as_followed(client):
    writer = await sign_up(client, "alice")

    response = await client.get("/api/profiles/alice", headers=writer.headers)

    assert response.json()["profile"]["following"] is False


async def test_profile_with_invalid_token_is_unauthorized(client):
    await sign_up(client, "alice")

    response = await client.get(
        "/api/profiles/alice", headers={"Authorization": "Token not-a-token"}
    )

    assert response.status_code == 401
