"""Series on the site: started from a form, parts added, moved and taken out with buttons
that work without JavaScript, each part showing its place and its neighbours."""

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


async def _story(client, title):
    published = await write_on_site(client, title=title)
    assert published.status_code == 303, published.text
    return published.headers["location"]


async def test_a_writer_starts_a_series_and_arranges_its_parts(client):
    await sign_up_on_site(client, "ada")
    first = await _story(client, "Tables")
    second = await _story(client, "Indexes")

    started = await submit(
        client, "/series/new", title="Databases, slowly", description="Four evenings with SQL."
    )
    edit = started.headers["location"]
    for path in (first, second):
        added = await submit(client, edit, intent="add", story=path.rsplit("/", 1)[1])
        assert added.status_code == 303, added.text
    moved = await submit(client, edit, intent=f"up:{second.rsplit('/', 1)[1]}")

    assert started.status_code == 303
    assert moved.status_code == 303
    series_page = text_of((await client.get(edit.removesuffix("/edit"))).text)
    assert series_page.index("Part 1 Indexes") < series_page.index("Part 2 Tables")
    opening = await client.get(second)
    assert "Part 1 of 2 in Databases, slowly" in text_of(opening.text)
    assert elements(opening.text, "a", rel="next", href=first)
    closing = await client.get(first)
    assert "Part 2 of 2" in text_of(closing.text)
    assert elements(closing.text, "a", rel="prev", href=second)
    feed = (await client.get(f"{edit.removesuffix('/edit')}/feed.atom")).text
    assert "<title>Databases, slowly on Broadsheet</title>" in feed
    assert "Indexes" in feed


async def test_taking_a_part_out_renumbers_the_rest(client):
    await sign_up_on_site(client, "ada")
    first = await _story(client, "Tables")
    second = await _story(client, "Indexes")
    edit = (await submit(client, "/series/new", title="Databases")).headers["location"]
    for path in (first, second):
        await submit(client, edit, intent="add", story=path.rsplit("/", 1)[1])

    await submit(client, edit, intent=f"remove:{first.rsplit('/', 1)[1]}")

    assert "Part 1 of 1" in text_of((await client.get(second)).text)
    assert "Part " not in text_of((await client.get(first)).text)


async def test_a_series_without_a_name_is_refused_with_the_rest_kept(client):
    await sign_up_on_site(client, "ada")

    refused = await submit(client, "/series/new", title="  ", description="Kept as typed.")

    assert refused.status_code == 422
    assert error_beside(refused.text, "title")
    assert field_value(refused.text, "description") == "Kept as typed."


async def test_only_its_keeper_arranges_a_series(client, backend):
    await sign_up_on_site(client, "ada")
    edit = (await submit(client, "/series/new", title="Databases")).headers["location"]
    async with browser(backend) as stranger:
        await sign_up_on_site(stranger, "stranger")
        refused = await stranger.get(edit)

    assert refused.status_code == 403
