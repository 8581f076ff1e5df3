"""What a change to a publication makes stale in the response cache, and what it leaves."""

from tests.helpers import publish, sign_up
from tests.pages.helpers import text_of
from tests.publications.helpers import found, masthead


async def _cached(client, url: str):
    await client.get(url)
    response = await client.get(url)
    assert response.headers["x-cache"] == "hit", url
    return response


async def test_renaming_a_publication_refreshes_the_stories_in_it_and_no_other(client):
    team = await masthead(client)
    in_it = await publish(client, team.editor, publication=team.slug)
    # By a writer outside it: that story's page offers nothing of the publication's.
    outsider = await sign_up(client)
    outside = await publish(client, outsider)
    in_it_page = f"/@{team.editor.username}/{in_it['slug']}"
    outside_page = f"/@{outsider.username}/{outside['slug']}"
    for url in (in_it_page, outside_page, f"/api/articles/{in_it['slug']}", "/p/codeburst"):
        await _cached(client, url)

    renamed = await client.put(
        f"/api/publications/{team.slug}",
        json={"publication": {"name": "Codeburst Weekly"}},
        headers=team.owner.headers,
    )

    assert renamed.status_code == 200
    story = await client.get(in_it_page)
    assert story.headers["x-cache"] == "miss"
    assert "Published in Codeburst Weekly" in text_of(story.text)
    api = (await client.get(f"/api/articles/{in_it['slug']}")).json()
    assert api["article"]["publication"]["name"] == "Codeburst Weekly"
    assert "Codeburst Weekly" in (await client.get("/p/codeburst")).text
    assert (await client.get(outside_page)).headers["x-cache"] == "hit"


async def test_a_story_published_in_one_publication_leaves_another_cached(client):
    team = await masthead(client)
    other_owner = await sign_up(client)
    other = (await found(client, other_owner, name="Field Notes"))["slug"]
    for url in ("/p/codeburst", "/p/codeburst/feed.atom", f"/p/{other}"):
        await _cached(client, url)

    story = await publish(client, team.editor, title="Fresh in", publication=team.slug)

    page = await client.get("/p/codeburst")
    assert page.headers["x-cache"] == "miss"
    assert "Fresh in" in page.text
    assert "Fresh in" in (await client.get("/p/codeburst/feed.atom")).text
    assert (await client.get(f"/p/{other}")).headers["x-cache"] == "hit"

    moved = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"publication": ""}},
        headers=team.editor.headers,
    )

    assert moved.status_code == 200
    assert "Fresh in" not in (await client.get("/p/codeburst")).text


async def test_following_a_publication_refreshes_its_count(client):
    team = await masthead(client)
    await _cached(client, "/p/codeburst")

    await client.post(f"/api/publications/{team.slug}/follow", headers=team.reader.headers)

    page = await client.get("/p/codeburst")
    assert page.headers["x-cache"] == "miss"
    assert "1 follower" in page.text
