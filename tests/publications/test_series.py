"""Series through the API, on every engine: a writer's of their own stories, a publication's
of stories published in it; parts in order, rearranged and removed, one series a story."""

from tests.helpers import every_row, publish, sign_up
from tests.publications.helpers import masthead


async def _start(client, keeper, **fields):
    series = {"title": "Databases, slowly", "description": "Four evenings with SQL.", **fields}
    response = await client.post("/api/series", json={"series": series}, headers=keeper.headers)
    assert response.status_code == 201, response.text
    return response.json()["series"]


async def _arrange(client, keeper, slug, stories):
    return await client.put(
        f"/api/series/{slug}", json={"series": {"stories": stories}}, headers=keeper.headers
    )


async def test_a_writer_gathers_their_stories_in_order_and_rearranges_them(client):
    writer = await sign_up(client)
    one, two, three = [(await publish(client, writer))["slug"] for _ in range(3)]
    series = await _start(client, writer)

    arranged = await _arrange(client, writer, series["slug"], [two, one, three])
    rearranged = await _arrange(client, writer, series["slug"], [one, three])
    read = await client.get(f"/api/series/{series['slug']}")

    assert arranged.status_code == 200, arranged.text
    assert [(p["slug"], p["part"]) for p in arranged.json()["series"]["stories"]] == [
        (two, 1),
        (one, 2),
        (three, 3),
    ]
    assert [p["slug"] for p in rearranged.json()["series"]["stories"]] == [one, three]
    assert read.json()["series"]["owner"] == writer.username
    assert [p["slug"] for p in read.json()["series"]["stories"]] == [one, three]
    story = (await client.get(f"/api/articles/{one}")).json()["article"]
    assert story["series"] == {"slug": series["slug"], "title": "Databases, slowly"}
    left_out = (await client.get(f"/api/articles/{two}")).json()["article"]
    assert left_out["series"] is None


async def test_readers_see_only_published_parts_and_the_writer_sees_all(client):
    writer = await sign_up(client)
    published = (await publish(client, writer))["slug"]
    draft = (await publish(client, writer, status="draft"))["slug"]
    series = await _start(client, writer)
    await _arrange(client, writer, series["slug"], [draft, published])

    readers = await client.get(f"/api/series/{series['slug']}")
    writers = await client.get(f"/api/series/{series['slug']}", headers=writer.headers)

    assert [(p["slug"], p["part"]) for p in readers.json()["series"]["stories"]] == [(published, 1)]
    assert [p["slug"] for p in writers.json()["series"]["stories"]] == [draft, published]


async def test_a_series_takes_only_its_own_stories_and_each_story_once(client, backend):
    writer, other = await sign_up(client), await sign_up(client)
    mine = (await publish(client, writer))["slug"]
    theirs = (await publish(client, other))["slug"]
    first = await _start(client, writer)
    second = await _start(client, writer, title="Another")
    await _arrange(client, writer, first["slug"], [mine])
    before = await every_row(backend)

    not_mine = await _arrange(client, writer, second["slug"], [theirs])
    taken = await _arrange(client, writer, second["slug"], [mine])
    missing = await _arrange(client, writer, second["slug"], ["no-such-story"])
    not_keeper = await _arrange(client, other, first["slug"], [])

    assert not_mine.status_code == 422
    assert not_mine.json() == {"errors": {"stories": [f"{theirs} is not one of your stories"]}}
    assert taken.status_code == 422
    assert taken.json() == {
        "errors": {
            "stories": [f"{mine} is a part of another series: take it out of that one first"]
        }
    }
    assert missing.status_code == 422
    assert not_keeper.status_code == 403
    assert await every_row(backend) == before


async def test_a_publications_series_is_kept_by_its_editors(client, backend):
    team = await masthead(client)
    in_it = (await publish(client, team.editor, publication=team.slug))["slug"]
    outside = (await publish(client, team.editor))["slug"]

    series = await _start(client, team.editor, publication=team.slug)
    by_owner = await _arrange(client, team.owner, series["slug"], [in_it])
    outside_refused = await _arrange(client, team.owner, series["slug"], [in_it, outside])
    by_writer = await _arrange(client, team.writer, series["slug"], [])
    writer_starts = await client.post(
        "/api/series",
        json={"series": {"title": "Mine", "publication": team.slug}},
        headers=team.writer.headers,
    )

    assert series["publication"]["slug"] == team.slug
    assert series["owner"] is None
    assert by_owner.status_code == 200
    assert outside_refused.status_code == 422
    assert outside_refused.json()["errors"]["stories"] == [
        f"{outside} is not a story published in its publication"
    ]
    assert by_writer.status_code == 403
    assert writer_starts.status_code == 403


async def test_ending_a_series_keeps_its_stories(client):
    writer = await sign_up(client)
    story = (await publish(client, writer))["slug"]
    series = await _start(client, writer)
    await _arrange(client, writer, series["slug"], [story])

    ended = await client.delete(f"/api/series/{series['slug']}", headers=writer.headers)

    assert ended.status_code == 204
    assert (await client.get(f"/api/series/{series['slug']}")).status_code == 404
    kept = await client.get(f"/api/articles/{story}")
    assert kept.json()["article"]["series"] is None
