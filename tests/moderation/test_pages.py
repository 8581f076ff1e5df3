"""Moderation on the site: the report form, blocking from a profile, the admins' queue."""

from tests.comments.test_api import add_comment
from tests.helpers import publish, sign_up
from tests.moderation.test_api import make_admin
from tests.pages.helpers import browser, elements, error_beside, sign_up_on_site, submit, text_of


async def reported_scene(client):
    author, troll = await sign_up(client), await sign_up(client)
    story = await publish(client, author, title="Calm waters")
    rude = await add_comment(client, story, troll, "Buy *pills*")
    path = f"/@{author.username}/{story['slug']}"
    return path, rude, troll


async def test_a_reader_reports_a_response_through_its_form(client, backend):
    path, rude, _ = await reported_scene(client)
    await sign_up_on_site(client)
    report_page = f"{path}/responses/{rude['id']}/report"

    story = (await client.get(path)).text
    form = await client.get(report_page)
    refused = await submit(client, report_page, note="An advert, again")
    sent = await submit(client, report_page, reason="spam", note="An advert, again")

    assert [a["href"] for a in elements(story, "a", class_="report-link")] == [report_page]
    assert form.status_code == 200
    assert "<em>pills</em>" in form.text
    assert refused.status_code == 422
    assert "Choose a reason" in text_of(refused.text)
    (note,) = elements(refused.text, "textarea", id="field-note")
    assert note["text"] == "An advert, again"
    assert sent.status_code == 200
    assert "will look at the response you reported" in text_of(sent.text)


async def test_an_admin_works_through_the_queue(client, backend):
    path, rude, troll = await reported_scene(client)
    async with browser(backend) as reader:
        await sign_up_on_site(reader)
        await submit(reader, f"{path}/responses/{rude['id']}/report", reason="spam")
    admin = await sign_up_on_site(client)
    await make_admin(backend, admin)

    listed = await client.get("/admin/reports")
    hidden = await submit(
        client, "/admin/reports", f"/admin/reports/{rude['id']}", outcome="hidden"
    )
    suspended = await submit(
        client, "/admin/reports", f"/admin/accounts/{troll.username}/suspension"
    )

    assert listed.status_code == 200
    assert "Buy pills" in text_of(listed.text)
    assert "Spam or advertising" in text_of(listed.text)
    assert [a["text"] for a in elements(listed.text, "a", href="/admin/reports")] == ["Reports"]
    assert hidden.status_code == suspended.status_code == 303
    after = (await client.get("/admin/reports")).text
    assert "No reports are waiting." in text_of(after)
    assert troll.username in text_of(after)
    lifted = await submit(
        client, "/admin/reports", f"/admin/accounts/{troll.username}/suspension", lift="1"
    )
    assert lifted.status_code == 303
    assert "No account is suspended." in text_of((await client.get("/admin/reports")).text)


async def test_the_queue_is_for_admins_alone(client, backend):
    await sign_up_on_site(client)

    page = await client.get("/admin/reports")

    assert page.status_code == 403
    assert "only a site admin may do this" in text_of(page.text)
    assert elements((await client.get("/")).text, "a", href="/admin/reports") == []


async def test_a_reader_blocks_and_unblocks_from_a_profile(client, backend):
    pest = await sign_up(client)
    await sign_up_on_site(client)

    profile = (await client.get(f"/@{pest.username}")).text
    blocked = await submit(client, f"/@{pest.username}", f"/@{pest.username}/block")
    after = (await client.get(f"/@{pest.username}")).text
    await submit(client, f"/@{pest.username}", f"/@{pest.username}/block")
    again = (await client.get(f"/@{pest.username}")).text

    assert "Block" in [b["text"] for b in elements(profile, "button")]
    assert blocked.status_code == 303
    assert "Unblock" in [b["text"] for b in elements(after, "button")]
    assert "Block" in [b["text"] for b in elements(again, "button")]
    assert error_beside(again, "reason") == ""


async def test_an_admin_sees_hide_and_delete_on_every_response(client, backend):
    path, rude, _ = await reported_scene(client)
    admin = await sign_up_on_site(client)
    await make_admin(backend, admin)

    page = (await client.get(path)).text
    hidden = await submit(client, path, f"{path}/responses/{rude['id']}/hide")

    buttons = [button["text"] for button in elements(page, "button")]
    assert "Hide" in buttons
    assert "Delete" in buttons
    assert hidden.status_code == 303
