"""Threaded responses on the story page: replying, editing, hiding and deleting by form."""

from tests.comments.test_api import add_comment
from tests.helpers import sign_up
from tests.pages.helpers import browser, elements, sign_up_on_site, submit, text_of


async def story_with_a_response(client, backend):
    """A story by someone signed in on `client`, with a response by another writer."""
    await sign_up_on_site(client, "alice")
    story = await publish_through_site(client)
    other = await sign_up(client)
    slug = story.rsplit("/", 1)[-1]
    first = await add_comment(client, {"slug": slug}, other, "A *first* thought")
    return story, first


async def publish_through_site(client):
    response = await submit(
        client, "/new", title="On threads", description="d", body="Text.", intent="publish"
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def test_a_reply_sits_under_the_response_and_the_author_is_marked(client, backend):
    path, first = await story_with_a_response(client, backend)

    replied = await submit(
        client, path, f"{path}/responses", body="Thanks, **truly**.", parent=str(first["id"])
    )

    assert replied.status_code == 303
    assert replied.headers["location"].startswith(f"{path}#response-")
    page = (await client.get(path)).text
    (replies,) = elements(page, "ol", class_="thread replies")
    assert "Thanks, truly." in text_of(replies["text"])
    assert "<strong>truly</strong>" in page
    assert "<em>first</em>" in page
    assert [badge["text"] for badge in elements(page, "span", class_="badge")] == ["Author"]
    assert "Responses (2)" in page


async def test_a_refused_reply_opens_its_form_again_with_the_text(client, backend):
    path, first = await story_with_a_response(client, backend)

    refused = await submit(
        client, path, f"{path}/responses", body="x" * 10_001, parent=str(first["id"])
    )

    assert refused.status_code == 422
    opened = [d for d in elements(refused.text, "details") if "open" in d]
    assert len(opened) == 1
    assert "Your reply to" in opened[0]["text"]
    (box,) = elements(refused.text, "textarea", id=f"reply-{first['id']}-body")
    assert box["text"] == "x" * 10_001
    assert box["aria-invalid"] == "true"


async def test_a_reply_to_a_response_that_is_gone_waits_in_the_storys_form(client, backend):
    path, first = await story_with_a_response(client, backend)
    await submit(client, path, f"{path}/responses/{first['id']}/delete")

    refused = await submit(
        client, path, f"{path}/responses", body="My careful words", parent=str(first["id"])
    )

    assert refused.status_code == 422
    assert "The response you replied to is no longer there" in text_of(refused.text)
    (box,) = elements(refused.text, "textarea", id="response-body")
    assert box["text"] == "My careful words"


async def test_a_reader_edits_their_response_and_it_reads_edited(client, backend):
    async with browser(backend) as author:
        await sign_up_on_site(author)
        path = await publish_through_site(author)
    await sign_up_on_site(client)
    await submit(client, path, f"{path}/responses", body="Teh first")
    page = (await client.get(path)).text
    (article,) = elements(page, "article", class_="response")
    comment_id = article["aria-labelledby"].split("-")[1]

    blank = await submit(client, path, f"{path}/responses/{comment_id}/edit", body=" ")
    edited = await submit(client, path, f"{path}/responses/{comment_id}/edit", body="The first")

    assert blank.status_code == 422
    (box,) = elements(blank.text, "textarea", id=f"edit-{comment_id}-body")
    assert box["aria-invalid"] == "true"
    assert edited.status_code == 303
    page = (await client.get(path)).text
    assert "The first" in text_of(page)
    assert "(edited)" in text_of(page)


async def test_the_storys_writer_hides_a_response_from_everyone_else(client, backend):
    path, first = await story_with_a_response(client, backend)

    hidden = await submit(client, path, f"{path}/responses/{first['id']}/hide")

    assert hidden.status_code == 303
    own_view = (await client.get(path)).text
    assert "Hidden" in [badge["text"] for badge in elements(own_view, "span", class_="badge")]
    assert "Show it again" in text_of(own_view)
    async with browser(backend) as stranger:
        assert "first thought" not in text_of((await stranger.get(path)).text)

    shown = await submit(client, path, f"{path}/responses/{first['id']}/hide", show="1")

    assert shown.status_code == 303
    async with browser(backend) as stranger:
        assert "first thought" in text_of((await stranger.get(path)).text)


async def test_a_reader_may_not_hide_a_response_on_someone_elses_story(client, backend):
    path, first = await story_with_a_response(client, backend)
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        page = (await reader.get(path)).text
        refused = await submit(reader, path, f"{path}/responses/{first['id']}/hide")

    assert "Hide" not in [button["text"] for button in elements(page, "button")]
    assert refused.status_code == 403


async def test_the_storys_writer_deletes_a_response(client, backend):
    path, first = await story_with_a_response(client, backend)

    deleted = await submit(client, path, f"{path}/responses/{first['id']}/delete")

    assert deleted.status_code == 303
    assert "first thought" not in text_of((await client.get(path)).text)
