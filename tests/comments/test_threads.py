"""Replies, light Markdown, edits and hiding: extensions to the RealWorld comment routes."""

from tests.comments.test_api import add_comment, comments_on
from tests.helpers import publish, sign_up
from tests.pages.helpers import browser, sign_up_on_site
from tests.publications.helpers import masthead


async def reply(client, story, writer, parent_id, body="A reply"):
    response = await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {"body": body, "parentId": parent_id}},
        headers=writer.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()["comment"]


def hide_url(story, comment):
    return f"/api/articles/{story['slug']}/comments/{comment['id']}/hide"


async def test_a_reply_names_the_response_it_answers(client):
    author, reader = await sign_up(client), await sign_up(client)
    story = await publish(client, author)
    first = await add_comment(client, story, reader, "A question?")

    answer = await reply(client, story, author, first["id"], "An answer.")

    assert answer["parentId"] == first["id"]
    assert answer["byStoryAuthor"] is True
    assert first["parentId"] is None
    assert first["byStoryAuthor"] is False
    listed = await comments_on(client, story)
    assert [(c["body"], c["parentId"]) for c in listed] == [
        ("A question?", None),
        ("An answer.", first["id"]),
    ]


async def test_replies_nest_three_deep_then_answer_beside_and_still_name_whom(client, backend):
    author, reader = await sign_up(client), await sign_up(client)
    story = await publish(client, author)
    chain = [await add_comment(client, story, reader, "0")]
    for depth in range(1, 6):
        chain.append(
            await reply(client, story, author if depth % 2 else reader, chain[-1]["id"], str(depth))
        )

    assert [c["parentId"] for c in chain] == [None, *(c["id"] for c in chain[:-1])]
    page = (await client.get(f"/@{author.username}/{story['slug']}")).text
    # Three levels of threads: the story's, and two of replies.
    assert page.count('<ol class="thread replies">') == 2
    assert page.count("Replying to") == 3


async def test_a_reply_must_answer_a_response_to_the_same_story(client):
    author, reader = await sign_up(client), await sign_up(client)
    story, other = await publish(client, author), await publish(client, author)
    elsewhere = await add_comment(client, other, reader)

    for parent in (elsewhere["id"], 2**40):
        response = await client.post(
            f"/api/articles/{story['slug']}/comments",
            json={"comment": {"body": "Hm", "parentId": parent}},
            headers=reader.headers,
        )
        assert response.status_code == 422
        assert response.json() == {"errors": {"parentId": ["is not a response to this story"]}}
    assert await comments_on(client, story) == []


async def test_responses_take_a_light_markdown_and_nothing_more(client):
    author = await sign_up(client)
    story = await publish(client, author)
    text = (
        "*Yes*, see [this](https://example.com) and `x`.\n\n> quoted\n\n# big\n<script>1</script>"
    )

    comment = await add_comment(client, story, author, text)

    assert comment["body"] == text
    html = comment["bodyHtml"]
    assert "<em>Yes</em>" in html
    assert '<a href="https://example.com" rel="nofollow ugc noopener">this</a>' in html
    assert "<code>x</code>" in html
    assert "<blockquote>" in html
    assert "<h1>" not in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


async def test_a_writer_edits_their_response_and_it_is_marked_edited(client):
    author, reader = await sign_up(client), await sign_up(client)
    story = await publish(client, author)
    comment = await add_comment(client, story, reader, "Teh typo")
    url = f"/api/articles/{story['slug']}/comments/{comment['id']}"

    edited = await client.put(url, json={"comment": {"body": "The *fix*"}}, headers=reader.headers)
    by_story_author = await client.put(
        url, json={"comment": {"body": "Mine now"}}, headers=author.headers
    )
    blank = await client.put(url, json={"comment": {"body": "  "}}, headers=reader.headers)

    assert edited.status_code == 200, edited.text
    assert edited.json()["comment"]["body"] == "The *fix*"
    assert edited.json()["comment"]["bodyHtml"] == "<p>The <em>fix</em></p>\n"
    assert edited.json()["comment"]["editedAt"] is not None
    assert by_story_author.status_code == 403
    assert by_story_author.json() == {
        "errors": {"comment": ["only the author may change this comment"]}
    }
    assert blank.status_code == 422
    (stored,) = await comments_on(client, story)
    assert stored["body"] == "The *fix*"
    assert stored["editedAt"] == edited.json()["comment"]["editedAt"]


async def test_a_hidden_response_and_its_replies_are_seen_only_by_its_writer_and_the_storys(
    client,
):
    author, troll, reader = await sign_up(client), await sign_up(client), await sign_up(client)
    story = await publish(client, author)
    kept = await add_comment(client, story, reader, "Kind words")
    rude = await add_comment(client, story, troll, "Rude words")
    under = await reply(client, story, reader, rude["id"], "Please don't")

    hidden = await client.post(hide_url(story, rude), headers=author.headers)

    assert hidden.status_code == 204
    assert [c["body"] for c in await comments_on(client, story)] == ["Kind words"]
    # Even a reply of one's own goes with the response it answers.
    as_reader = await comments_on(client, story, reader.headers)
    assert [c["body"] for c in as_reader] == ["Kind words"]
    as_troll = await comments_on(client, story, troll.headers)
    assert [(c["body"], c["hidden"]) for c in as_troll] == [
        ("Kind words", False),
        ("Rude words", True),
        ("Please don't", False),
    ]
    as_author = await comments_on(client, story, author.headers)
    assert [c["id"] for c in as_author] == [kept["id"], rude["id"], under["id"]]
    page = (await client.get(f"/@{author.username}/{story['slug']}")).text
    assert "Rude words" not in page
    assert "Responses (1)" in page

    shown = await client.delete(hide_url(story, rude), headers=author.headers)

    assert shown.status_code == 204
    assert len(await comments_on(client, story)) == 3


async def test_nobody_replies_to_a_response_hidden_from_them(client):
    author, troll, reader = await sign_up(client), await sign_up(client), await sign_up(client)
    story = await publish(client, author)
    rude = await add_comment(client, story, troll, "Rude words")
    await client.post(hide_url(story, rude), headers=author.headers)

    response = await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {"body": "Agreed", "parentId": rude["id"]}},
        headers=reader.headers,
    )

    assert response.status_code == 422
    assert (await reply(client, story, troll, rude["id"], "Still here"))["parentId"] == rude["id"]


async def test_only_those_who_look_after_the_story_may_hide_its_responses(client):
    people = await masthead(client)
    story = await publish(client, people.editor, publication=people.slug)
    comment = await add_comment(client, story, people.reader, "Hm")

    answers = {
        role: (
            await client.post(hide_url(story, comment), headers=who.headers if who else None)
        ).status_code
        for role, who in people.by_role().items()
    }
    # The owner of the publication, and the story's writer (an editor of it); hiding it again
    # changes nothing.
    assert answers == {
        "owner": 204,
        "editor": 204,
        "writer": 403,
        "outsider": 403,
        "reader": 403,
        "anonymous": 401,
    }
    refused = await client.post(hide_url(story, comment), headers=people.reader.headers)
    assert refused.json() == {
        "errors": {
            "comment": [
                "only the story's writer, its publication's editors or a site admin may hide a "
                "response"
            ]
        }
    }


async def test_the_publications_editors_may_delete_any_response_on_its_stories(client):
    people = await masthead(client)
    story = await publish(client, people.owner, publication=people.slug)
    comment = await add_comment(client, story, people.reader, "Hm")
    url = f"/api/articles/{story['slug']}/comments/{comment['id']}"

    outsider = await client.delete(url, headers=people.outsider.headers)
    editor = await client.delete(url, headers=people.editor.headers)

    assert (outsider.status_code, editor.status_code) == (403, 204)


async def test_deleting_a_response_deletes_the_replies_under_it(client):
    author, reader = await sign_up(client), await sign_up(client)
    story = await publish(client, author)
    chain = [await add_comment(client, story, reader, "0")]
    for depth in range(1, 5):
        chain.append(await reply(client, story, author, chain[-1]["id"], str(depth)))
    kept = await add_comment(client, story, reader, "another")

    deleted = await client.delete(
        f"/api/articles/{story['slug']}/comments/{chain[1]['id']}", headers=author.headers
    )

    assert deleted.status_code == 204
    assert [c["body"] for c in await comments_on(client, story)] == ["0", "another"]
    assert kept in await comments_on(client, story)


async def test_a_story_page_costs_as_many_statements_with_200_responses_as_with_2(
    client, backend, queries
):
    author = await sign_up(client)
    readers = [await sign_up(client) for _ in range(4)]
    few, many = await publish(client, author), await publish(client, author)
    for story, count in ((few, 2), (many, 200)):
        last = None
        for number in range(count):
            who = readers[number % len(readers)]
            parent = last["id"] if last is not None and number % 3 else None
            last = await reply(client, story, who, parent, f"Response {number}")
    costs = []
    # A signed-in reader: every statement of the page is run, none answered from a cache.
    async with browser(backend) as site:
        await sign_up_on_site(site)
        for story in (few, many):
            queries.reset()
            page = await site.get(f"/@{author.username}/{story['slug']}")
            assert page.status_code == 200
            costs.append(queries.count)

    # The viewer, the story, its tags, its responses, the reader's lists, what to read next
    # (and BEGIN): a dozen at most, not one per response.
    assert costs[0] == costs[1] <= 12, queries.statements
