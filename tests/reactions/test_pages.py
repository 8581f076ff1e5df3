"""Claps on the story page: a form that works without JavaScript, the script's JSON answer,
and taking claps back."""

import re

from tests.helpers import publish, sign_up
from tests.pages.helpers import browser, csrf_from, elements, sign_up_on_site, submit, text_of


async def story_on_site(client):
    author = await sign_up(client)
    story = await publish(client, author, title="Worth a clap")
    return author, f"/@{author.username}/{story['slug']}"


def clap_button(page):
    """What a screen reader says of the clap button."""
    (spoken,) = re.findall(r'<button type="submit" class="clap".*?</button>', page, re.DOTALL)
    return text_of(re.sub(r'<span[^>]*aria-hidden="true">.*?</span>', "", spoken))


async def test_the_clap_button_adds_one_clap_without_javascript(client, backend):
    _, path = await story_on_site(client)
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        before = await reader.get(path)
        assert clap_button(before.text) == "Clap, 0 claps"

        clapped = await submit(reader, path, f"{path}/claps")
        await submit(reader, path, f"{path}/claps")

        assert clapped.status_code == 303
        assert clapped.headers["location"] == f"{path}#claps"
        after = (await reader.get(path)).text
        assert clap_button(after) == "Clap, 2 claps"
        assert "Your claps: 2 of 50" in text_of(after)
        (undo,) = elements(after, "form", class_="undo-claps")
        assert "hidden" not in undo


async def test_undo_takes_the_readers_claps_back(client, backend):
    _, path = await story_on_site(client)
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        await submit(reader, path, f"{path}/claps", count="6")

        undone = await submit(reader, path, f"{path}/claps/undo")

        assert undone.status_code == 303
        page = (await reader.get(path)).text
        assert clap_button(page) == "Clap, 0 claps"
        assert "Your claps" not in text_of(page)
        assert "hidden" in elements(page, "form", class_="undo-claps")[0]


async def test_the_script_gets_the_count_back_as_json(client, backend):
    _, path = await story_on_site(client)
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        token = csrf_from((await reader.get(path)).text)

        answer = await reader.post(f"{path}/claps.json", data={"csrf_token": token, "count": "12"})
        topped = await reader.post(f"{path}/claps.json", data={"csrf_token": token, "count": "50"})
        refused = await reader.post(f"{path}/claps.json", data={"csrf_token": token, "count": "0"})

    assert answer.status_code == 200
    assert answer.json() == {"claps": {"total": 12, "yours": 12}}
    assert answer.headers["cache-control"] == "no-store"
    assert topped.json() == {"claps": {"total": 50, "yours": 50}}
    assert refused.status_code == 422
    assert refused.json() == {"errors": {"count": ["must be at least 1"]}}


async def test_a_writer_sees_the_count_of_their_own_story_but_no_button(client, backend):
    async with browser(backend) as writer:
        await sign_up_on_site(writer)
        published = await submit(
            writer, "/new", title="My own", description="About me", body="Text.", intent="publish"
        )
        mine = published.headers["location"]
        page = (await writer.get(mine)).text
        refused = await writer.post(f"{mine}/claps.json", data={"csrf_token": csrf_from(page)})

    assert elements(page, "button", class_="clap") == []
    assert "0 claps" in text_of(page)
    assert refused.status_code == 403
    assert refused.json() == {
        "errors": {"claps": ["cannot be given by a story's writer to their own story"]}
    }


async def test_a_signed_out_reader_is_asked_to_sign_in_to_clap(client):
    _, path = await story_on_site(client)

    page = (await client.get(path)).text
    posted = await client.post(f"{path}/claps", data={})

    (link,) = [a for a in elements(page, "a") if "Clap," in a["text"]]
    assert link["href"] == "/signin?next=" + path.replace("@", "%40")
    assert posted.status_code in (401, 403)


async def test_a_clap_without_the_forms_token_is_refused(client, backend):
    _, path = await story_on_site(client)
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        refused = await reader.post(f"{path}/claps", data={"count": "1"})
        page = (await reader.get(path)).text

    assert refused.status_code == 403
    assert clap_button(page) == "Clap, 0 claps"
