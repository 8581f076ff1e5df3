"""Lists on the site: "Save" on a story, adding to a list, a reader's lists, a list's page
with its notes and order, and its feed."""

import pytest

from tests.helpers import publish, sign_up
from tests.pages.helpers import (
    browser,
    csrf_from,
    elements,
    error_beside,
    field_value,
    sign_up_on_site,
    submit,
    text_of,
)

pytestmark = pytest.mark.engines("sqlite")


async def _story(client, title="Tide tables"):
    writer = await sign_up(client)
    story = await publish(client, writer, title=title)
    return f"/@{writer.username}/{story['slug']}"


def _save_button(page):
    (form,) = elements(page, "form", id="save")
    (button,) = [b for b in elements(page, "button") if "reading list" in b["text"]]
    return form, button


async def _press(reader, page, target, **fields):
    """Press a button named "action" on `page` (submit() keeps `action` for the form's own)."""
    opened = await reader.get(page)
    return await reader.post(target, data={"csrf_token": csrf_from(opened.text), **fields})


async def _make_list(reader, name, **fields):
    response = await submit(reader, "/me/lists", name=name, description="", **fields)
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def test_save_puts_a_story_in_the_reading_list_and_takes_it_out(client, backend):
    path = await _story(client)
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        saved = await submit(reader, path, f"{path}/save")
        after = (await reader.get(path)).text
        reading_list = (await reader.get("/lists/reading-list", follow_redirects=True)).text
        await submit(reader, path, f"{path}/save")
        again = (await reader.get(path)).text

    assert saved.headers["location"] == f"{path}#save"
    _, button = _save_button(after)
    assert (button["aria-pressed"], text_of(button["text"])) == (
        "true",
        "Saved to your reading list",
    )
    assert "Tide tables" in text_of(reading_list)
    assert _save_button(again)[1]["aria-pressed"] == "false"


async def test_a_reader_makes_a_list_and_adds_a_story_to_it_from_the_story(client, backend):
    path = await _story(client, "Harbour lights")
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        list_path = await _make_list(reader, "Coasts", public="on")
        slug = list_path.rsplit("/", 1)[-1]
        story_page = (await reader.get(path)).text
        added = await submit(reader, path, f"{path}/lists", list=slug)
        listed = (await reader.get(list_path)).text

    options = [option["text"] for option in elements(story_page, "option")]
    assert options == ["Reading list", "Coasts"]
    assert added.headers["location"].startswith(f"{list_path}#entry-")
    assert "Harbour lights" in text_of(listed)
    async with browser(backend) as anyone:
        public = await anyone.get(list_path)
    assert public.status_code == 200
    assert "A public list by" in text_of(public.text)


async def test_a_list_without_a_name_comes_back_with_what_was_typed(client, backend):
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        refused = await submit(reader, "/me/lists", name="  ", description="Summer reading")

    assert refused.status_code == 422
    assert error_beside(refused.text, "name") == "Name can't be blank"
    assert field_value(refused.text, "description") == "Summer reading"


async def test_the_owner_notes_moves_and_removes_stories_on_the_lists_page(client, backend):
    first, second = await _story(client, "First"), await _story(client, "Second")
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        list_path = await _make_list(reader, "Order")
        slug = list_path.rsplit("/", 1)[-1]
        for path in (first, second):
            await submit(reader, path, f"{path}/lists", list=slug)
        first_slug = first.rsplit("/", 1)[-1]
        entry = f"{list_path}/entries/{first_slug}"

        noted = await _press(reader, list_path, entry, action="note", note="Read this first")
        moved = await _press(reader, list_path, entry, action="move", position="0")
        page = (await reader.get(list_path)).text
        too_long = await _press(reader, list_path, entry, action="note", note="x" * 501)
        removed = await _press(reader, list_path, entry, action="remove")
        after = (await reader.get(list_path)).text

    assert (noted.status_code, moved.status_code, removed.status_code) == (303, 303, 303)
    titles = [card["text"] for card in elements(page, "h2") if card["text"] in ("First", "Second")]
    assert titles == ["First", "Second"]
    assert field_value(page, "note") == "Read this first"
    assert too_long.status_code == 422
    assert error_beside(too_long.text, f"note-{first_slug}") == (
        "Your note is too long (maximum is 500)"
    )
    assert field_value(too_long.text, "note") == "x" * 501
    assert "First" not in [card["text"] for card in elements(after, "h2")]


async def test_a_private_list_and_its_feed_are_its_owners_alone(client, backend):
    path = await _story(client, "Quiet")
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        private = await _make_list(reader, "Mine")
        public = await _make_list(reader, "Ours", public="on")
        for list_path in (private, public):
            await submit(reader, path, f"{path}/lists", list=list_path.rsplit("/", 1)[-1])
        own_view = await reader.get(private)

    async with browser(backend) as anyone:
        hidden = await anyone.get(private)
        hidden_feed = await anyone.get(f"{private}/feed.atom")
        feed = await anyone.get(f"{public}/feed.atom")

    assert own_view.status_code == 200
    assert own_view.headers["cache-control"] == "private, no-store"
    assert (hidden.status_code, hidden_feed.status_code) == (404, 404)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "<title>Quiet</title>" in feed.text


async def test_a_readers_lists_page_shows_others_only_the_public_ones(client, backend):
    async with browser(backend) as reader:
        owner = await sign_up_on_site(reader)
        await _make_list(reader, "Open book", public="on")
        await _make_list(reader, "Diary")
        own = text_of((await reader.get("/me/lists")).text)

    async with browser(backend) as anyone:
        seen = text_of((await anyone.get(f"/@{owner.username}/lists")).text)

    assert "Open book" in own
    assert "Diary" in own
    assert "Reading list" in own
    assert "Open book" in seen
    assert "Diary" not in seen
    assert "Reading list" not in seen


async def test_deleting_a_list_leads_back_to_the_readers_lists(client, backend):
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        list_path = await _make_list(reader, "Short-lived")
        deleted = await submit(reader, list_path, f"{list_path}/delete")
        gone = await reader.get(list_path)

    assert deleted.headers["location"] == "/me/lists"
    assert gone.status_code == 404


async def test_a_public_list_seen_by_anyone_shows_a_story_saved_since(client, backend):
    first, second = await _story(client, "Before"), await _story(client, "After")
    async with browser(backend) as reader:
        owner = await sign_up_on_site(reader)
        list_path = await _make_list(reader, "Growing", public="on")
        slug = list_path.rsplit("/", 1)[-1]
        await submit(reader, first, f"{first}/lists", list=slug)
        async with browser(backend) as anyone:
            before = (await anyone.get(list_path)).text
            lists_before = (await anyone.get(f"/@{owner.username}/lists")).text
            await submit(reader, second, f"{second}/lists", list=slug)
            after = (await anyone.get(list_path)).text
            lists_after = (await anyone.get(f"/@{owner.username}/lists")).text

    assert "After" not in text_of(before)
    assert "After" in text_of(after)
    assert "1 story" in text_of(lists_before)
    assert "2 stories" in text_of(lists_after)
