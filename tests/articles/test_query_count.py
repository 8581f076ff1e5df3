"""Lists of stories cost a fixed number of SQL statements, whatever the page size."""

from tests.helpers import publish, sign_up

MOST_STATEMENTS_PER_LIST = 6


async def busy_site(client, stories):
    """`stories` stories by as many authors, each tagged, favorited and followed by the reader."""
    reader = await sign_up(client)
    for number in range(stories):
        author = await sign_up(client)
        story = await publish(client, author, tagList=[f"tag{number}", "shared"])
        await client.post(f"/api/profiles/{author.username}/follow", headers=reader.headers)
        await client.post(f"/api/articles/{story['slug']}/favorite", headers=reader.headers)
    return reader


async def statements_for(client, queries, url, headers):
    queries.reset()
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return queries.count, response.json()


async def test_listing_twenty_stories_costs_as_much_as_listing_two(client, queries):
    reader = await busy_site(client, 20)

    # Two different lists, so that each counts its stories (a count is kept between writes).
    two_url = "/api/articles?tag=shared&limit=2"
    for_two, two = await statements_for(client, queries, two_url, reader.headers)
    for_twenty, twenty = await statements_for(client, queries, "/api/articles", reader.headers)

    assert len(two["articles"]) == 2
    assert len(twenty["articles"]) == 20
    assert all(item["favorited"] and item["author"]["following"] for item in twenty["articles"])
    assert all(len(item["tagList"]) == 2 for item in twenty["articles"])
    assert for_twenty == for_two, queries.statements
    assert for_twenty <= MOST_STATEMENTS_PER_LIST, queries.statements


async def test_anonymous_listing_costs_a_fixed_number_of_statements(client, queries):
    await busy_site(client, 20)

    for_two, _ = await statements_for(client, queries, "/api/articles?tag=shared&limit=2", {})
    for_twenty, _ = await statements_for(client, queries, "/api/articles", {})

    assert for_twenty == for_two, queries.statements
    # At least the rows and their tags: a list answered without a query was not measured.
    assert 2 <= for_twenty <= MOST_STATEMENTS_PER_LIST, queries.statements


async def test_feed_of_twenty_stories_costs_as_much_as_feed_of_two(client, queries):
    reader = await busy_site(client, 20)

    for_two, two = await statements_for(
        client, queries, "/api/articles/feed?limit=2", reader.headers
    )
    for_twenty, twenty = await statements_for(client, queries, "/api/articles/feed", reader.headers)

    assert len(two["articles"]) == 2
    assert len(twenty["articles"]) == 20
    assert for_twenty == for_two, queries.statements
    assert for_twenty <= MOST_STATEMENTS_PER_LIST, queries.statements


async def test_lists_leave_story_bodies_in_the_database(client, queries):
    reader = await sign_up(client)
    writer = await sign_up(client)
    await client.post(f"/api/profiles/{writer.username}/follow", headers=reader.headers)
    await publish(client, writer, body="A long story " * 1000)

    for url in ("/api/articles", "/api/articles/feed"):
        queries.reset()
        response = await client.get(url, headers=reader.headers)
        assert response.json()["articlesCount"] == 1
        assert not any("body" in statement for statement in queries.statements), url


def counts_in(queries) -> int:
    return sum("count(" in statement for statement in queries.statements)


async def test_a_list_counts_its_stories_once_until_the_next_write(client, queries):
    reader = await busy_site(client, 3)

    await statements_for(client, queries, "/api/articles?limit=1", reader.headers)
    counted_first = counts_in(queries)
    _, again = await statements_for(client, queries, "/api/articles?limit=1", reader.headers)
    counted_again = counts_in(queries)
    await publish(client, reader)
    _, after_write = await statements_for(client, queries, "/api/articles?limit=1", reader.headers)

    assert (counted_first, counted_again, counts_in(queries)) == (1, 0, 1)
    assert (again["articlesCount"], after_write["articlesCount"]) == (3, 4)
