"""A drawn slug that another story already holds is drawn again, not turned into an error."""

from broadsheet.articles import service
from tests.helpers import publish, sign_up


def clashing_first(monkeypatch, name, taken):
    """Make `service.<name>` return `taken` once, then behave as before."""
    original = getattr(service, name)
    calls = []

    def draw(*args):
        calls.append(args)
        return taken if len(calls) == 1 else original(*args)

    monkeypatch.setattr(service, name, draw)
    return calls


async def test_publishing_draws_again_when_the_slug_is_taken(client, monkeypatch):
    author = await sign_up(client)
    taken = (await publish(client, author, title="Twin"))["slug"]
    draws = clashing_first(monkeypatch, "unique_slug", taken)

    story = await publish(client, author, title="Twin", tagList=["kept"])

    assert len(draws) == 2
    assert story["slug"] != taken
    assert story["slug"].startswith("twin-")
    assert story["tagList"] == ["kept"]
    fetched = (await client.get(f"/api/articles/{story['slug']}")).json()["article"]
    assert fetched["tagList"] == ["kept"]
    assert (await client.get("/api/articles")).json()["articlesCount"] == 2


async def test_retitling_draws_again_when_the_slug_is_taken(client, monkeypatch):
    author = await sign_up(client)
    taken = (await publish(client, author, title="Taken"))["slug"]
    story = await publish(client, author, title="Original", tagList=["old"])
    clashing_first(monkeypatch, "retitled_slug", taken)

    response = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"title": "Taken", "body": "New body", "tagList": ["new"]}},
        headers=author.headers,
    )

    assert response.status_code == 200, response.text
    edited = response.json()["article"]
    assert edited["slug"] not in (taken, story["slug"])
    assert edited["slug"].startswith("taken-")
    fetched = (await client.get(f"/api/articles/{edited['slug']}")).json()["article"]
    assert fetched["title"] == "Taken"
    assert fetched["body"] == "New body"
    assert fetched["tagList"] == ["new"]
    assert (await client.get(f"/api/articles/{taken}")).json()["article"]["title"] == "Taken"
