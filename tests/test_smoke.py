from tests.helpers import publish, sign_up


async def test_published_story_is_listed(client, engine):
    author = await sign_up(client)
    story = await publish(client, author, title="How to train your dragon", tagList=["b", "a"])
    response = await client.get("/api/articles")
    assert response.status_code == 200
    listed = response.json()
    assert listed["articlesCount"] == 1
    assert listed["articles"][0]["slug"] == story["slug"]
    assert listed["articles"][0]["tagList"] == ["a", "b"]
    assert "body" not in listed["articles"][0]
