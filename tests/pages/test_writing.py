"""Writing on the site: the editor, preview, edits, deletion, responses and favorites."""

from tests.helpers import publish, sign_up
from tests.pages.helpers import (
    browser,
    elements,
    error_beside,
    field_value,
    sign_up_on_site,
    submit,
    text_of,
    write_on_site,
)


async def stories_by(client, username: str) -> list[dict]:
    response = await client.get("/api/articles", params={"author": username})
    return response.json()["articles"]


async def test_editor_needs_a_signed_in_writer(client):
    response = await client.get("/new")

    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/new"


async def test_editor_offers_title_subtitle_story_tags_and_when_to_publish(client):
    await sign_up_on_site(client, "alice")

    response = await client.get("/new")

    assert response.status_code == 200
    labels = [label["text"].strip() for label in elements(response.text, "label")]
    # After the search box in the header.
    assert labels[:5] == [
        "Search stories, writers and topics",
        "Title",
        "Subtitle",
        "Story",
        "Tags",
    ]
    assert "Now, unlisted: only people with the link can read it" in labels
    [body] = elements(response.text, "textarea", name="body")
    # The browser stops the text where the server would refuse it.
    assert body["maxlength"] == "100000"
    assert elements(response.text, "input", name="title", maxlength="200")
    assert elements(response.text, "input", name="publish_at", type="datetime-local")
    buttons = {b.get("value"): b["text"] for b in elements(response.text, "button")}
    assert buttons["publish"] == "Publish"
    assert buttons["draft"] == "Save draft"
    assert buttons["preview"] == "Preview"


async def test_publishing_from_the_editor_shows_the_story(client):
    await sign_up_on_site(client, "alice")

    response = await write_on_site(
        client,
        title="Rye, slowly",
        description="A loaf that takes two days",
        body="## Day one\n\nFeed the *starter*.",
        tags="bread, baking",
    )

    assert response.status_code == 303
    [stored] = await stories_by(client, "alice")
    assert response.headers["location"] == f"/@alice/{stored['slug']}"
    assert sorted(stored["tagList"]) == ["baking", "bread"]
    story = await client.get(response.headers["location"])
    assert elements(story.text, "h1")[0]["text"] == "Rye, slowly"
    assert '<h2 id="day-one">Day one</h2>' in story.text
    assert "<em>starter</em>" in story.text
    home = await client.get("/")
    assert "Rye, slowly" in text_of(home.text)


async def test_preview_renders_the_story_and_keeps_the_form_without_saving(client):
    await sign_up_on_site(client, "alice")

    response = await write_on_site(
        client,
        title="Draft title",
        description="Draft subtitle",
        body="A **bold** claim.",
        tags="ideas",
        intent="preview",
    )

    assert response.status_code == 200
    preview = response.text.split('<section class="preview"', 1)[1].split("</section>", 1)[0]
    assert "<strong>bold</strong>" in preview
    assert field_value(response.text, "title") == "Draft title"
    assert field_value(response.text, "description") == "Draft subtitle"
    assert field_value(response.text, "body") == "A **bold** claim."
    assert field_value(response.text, "tags") == "ideas"
    assert await stories_by(client, "alice") == []


async def test_editor_with_an_empty_title_keeps_everything_typed(client):
    await sign_up_on_site(client, "alice")
    body = "Three paragraphs I do not want to type again.\n\n<b>Kept</b> as written."

    response = await write_on_site(
        client, title="  ", description="A subtitle", body=body, tags="one, two"
    )

    assert response.status_code == 422
    assert error_beside(response.text, "title").startswith("Title ")
    assert error_beside(response.text, "body") == ""
    assert field_value(response.text, "title") == "  "
    assert field_value(response.text, "description") == "A subtitle"
    assert field_value(response.text, "body") == body
    assert field_value(response.text, "tags") == "one, two"
    assert "nothing was saved" in text_of(response.text)
    assert await stories_by(client, "alice") == []


async def test_editor_with_too_many_tags_explains_beside_the_tags(client):
    await sign_up_on_site(client, "alice")
    tags = ", ".join(f"tag{number}" for number in range(11))

    response = await write_on_site(client, tags=tags)

    assert response.status_code == 422
    assert error_beside(response.text, "tags").startswith("Tags ")
    assert field_value(response.text, "tags") == tags
    assert await stories_by(client, "alice") == []


async def test_editing_from_the_site_changes_the_story_and_its_address(client):
    await sign_up_on_site(client, "alice")
    written = await write_on_site(client, title="First title", body="Old body.", tags="bread")
    old_path = written.headers["location"]

    form = await client.get(f"{old_path}/edit")
    assert form.status_code == 200
    assert field_value(form.text, "title") == "First title"
    assert field_value(form.text, "body") == "Old body."
    assert field_value(form.text, "tags") == "bread"
    buttons = elements(form.text, "button", value="publish")
    assert [b["text"] for b in buttons if b.get("aria-hidden") != "true"] == ["Save"]
    response = await submit(
        client,
        f"{old_path}/edit",
        title="Second title",
        description="New subtitle",
        body="New body.",
        tags="bread, rye",
        intent="publish",
    )

    assert response.status_code == 303
    new_path = response.headers["location"]
    assert new_path != old_path
    assert new_path.startswith("/@alice/second-title")
    story = await client.get(new_path)
    assert elements(story.text, "h1")[0]["text"] == "Second title"
    assert "New body." in text_of(story.text)
    moved = await client.get(old_path)
    assert moved.status_code == 301
    assert moved.headers["location"] == new_path


async def test_edit_with_an_empty_body_keeps_the_typed_values_and_the_story(client):
    await sign_up_on_site(client, "alice")
    path = (await write_on_site(client, title="Kept", body="The original body.")).headers[
        "location"
    ]

    response = await submit(
        client, f"{path}/edit", title="Changed", description="Changed too", body=" ", tags=""
    )

    assert response.status_code == 422
    assert error_beside(response.text, "body").startswith("Story ")
    assert field_value(response.text, "title") == "Changed"
    assert field_value(response.text, "description") == "Changed too"
    story = await client.get(path)
    assert elements(story.text, "h1")[0]["text"] == "Kept"
    assert "The original body." in text_of(story.text)


async def test_another_reader_cannot_edit_or_delete_a_story(client, backend):
    alice = await sign_up(client, "alice")
    story = await publish(client, alice, title="Alice's own")
    path = f"/@alice/{story['slug']}"
    await sign_up_on_site(client, "mallory")

    edit_form = await client.get(f"{path}/edit")
    delete_form = await client.get(f"{path}/delete")
    edited = await submit(
        client, "/", f"{path}/edit", title="Defaced", description="x", body="x", tags=""
    )
    deleted = await submit(client, "/", f"{path}/delete")

    for response in (edit_form, delete_form, edited, deleted):
        assert response.status_code == 403, response.request.url
        assert response.headers["content-type"].startswith("text/html")
    current = await client.get(f"/api/articles/{story['slug']}")
    assert current.json()["article"]["title"] == "Alice's own"


async def test_deleting_asks_first_then_removes_the_story(client, backend):
    await sign_up_on_site(client, "alice")
    path = (await write_on_site(client, title="Short-lived")).headers["location"]

    confirm = await client.get(f"{path}/delete")
    assert confirm.status_code == 200
    assert [b["text"] for b in elements(confirm.text, "button")][-1] == "Delete the story"
    response = await submit(client, f"{path}/delete")

    assert response.status_code == 303
    assert response.headers["location"] == "/@alice"
    assert await stories_by(client, "alice") == []
    async with browser(backend) as anonymous:
        assert (await anonymous.get(path)).status_code == 404


async def test_responding_adds_the_response_under_the_story(client):
    story = await publish(client, await sign_up(client, "alice"))
    path = f"/@alice/{story['slug']}"
    await sign_up_on_site(client, "bob")

    page = await client.get(path)
    assert elements(page.text, "label", for_="response-body")[0]["text"] == "Your response"
    response = await submit(client, path, f"{path}/responses", body="Lovely crumb.")

    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{path}#response-")
    page = await client.get(path)
    assert "Responses (1)" in text_of(page.text)
    assert "bob" in text_of(page.text.split('id="responses"', 1)[1])
    assert "Lovely crumb." in text_of(page.text)


async def test_empty_response_is_refused_beside_the_field(client):
    story = await publish(client, await sign_up(client, "alice"))
    path = f"/@alice/{story['slug']}"
    await sign_up_on_site(client, "bob")

    response = await submit(client, path, f"{path}/responses", body="   ")

    assert response.status_code == 422
    assert elements(response.text, "p", id="response-error")
    assert "Responses (0)" in text_of(response.text)
    comments = await client.get(f"/api/articles/{story['slug']}/comments")
    assert comments.json()["comments"] == []


async def test_reader_can_delete_their_own_response(client):
    story = await publish(client, await sign_up(client, "alice"))
    path = f"/@alice/{story['slug']}"
    await sign_up_on_site(client, "bob")
    await submit(client, path, f"{path}/responses", body="Said too soon.")
    [comment] = (await client.get(f"/api/articles/{story['slug']}/comments")).json()["comments"]

    response = await submit(client, path, f"{path}/responses/{comment['id']}/delete")

    assert response.status_code == 303
    assert "Said too soon." not in text_of((await client.get(path)).text)


async def test_favorite_button_favorites_and_counts(client, backend):
    story = await publish(client, await sign_up(client, "alice"))
    path = f"/@alice/{story['slug']}"
    await sign_up_on_site(client, "bob")

    before = await client.get(path)
    assert [b["text"] for b in elements(before.text, "button", aria_pressed="false")] == [
        "Follow",
        "♡ Favorite · 0Favorite, 0 favorites",
        "Save to your reading list",
    ]
    response = await submit(client, path, f"{path}/favorite")

    assert response.status_code == 303
    assert response.headers["location"] == path
    after = await client.get(path)
    # What is seen, then what is spoken.
    favorited = "♥ Favorited · 1Favorited, 1 favorite"
    assert favorited in [b["text"] for b in elements(after.text, "button")]
    async with browser(backend) as anonymous:
        seen = await anonymous.get(path)
        links = [link["text"] for link in elements(seen.text, "a")]
        assert "♡ Favorite · 1Favorite, 1 favorite" in links


async def test_favorite_button_twice_takes_the_favorite_back(client):
    story = await publish(client, await sign_up(client, "alice"))
    path = f"/@alice/{story['slug']}"
    await sign_up_on_site(client, "bob")

    await submit(client, path, f"{path}/favorite")
    await submit(client, path, f"{path}/favorite")

    page = await client.get(path)
    buttons = [b["text"] for b in elements(page.text, "button")]
    assert "♡ Favorite · 0Favorite, 0 favorites" in buttons


async def test_follow_button_on_a_story_follows_its_writer(client):
    story = await publish(client, await sign_up(client, "alice"))
    path = f"/@alice/{story['slug']}"
    await sign_up_on_site(client, "bob")

    response = await submit(client, path, "/@alice/follow", next=path)

    assert response.status_code == 303
    assert response.headers["location"] == path
    page = await client.get(path)
    assert elements(page.text, "button", aria_pressed="true")[0]["text"] == "Following"


async def test_anonymous_readers_see_changes_made_on_the_site_at_once(client, backend):
    await sign_up_on_site(client, "alice")
    path = (await write_on_site(client, title="Before", body="Old words.")).headers["location"]
    async with browser(backend) as anonymous:
        assert "Before" in text_of((await anonymous.get("/")).text)
        assert "Old words." in text_of((await anonymous.get(path)).text)

        edited = await submit(
            client, f"{path}/edit", title="Before", description="d", body="New words.", tags=""
        )
        await submit(client, path, f"{path}/responses", body="A first response.")

        story = await anonymous.get(path)
        assert edited.status_code == 303
        assert "New words." in text_of(story.text)
        assert "Responses (1)" in text_of(story.text)
        await submit(client, f"{path}/delete")
        assert "Before" not in text_of((await anonymous.get("/")).text)
        assert (await anonymous.get(path)).status_code == 404
