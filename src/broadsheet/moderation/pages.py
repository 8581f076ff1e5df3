"""Moderation on the site: reporting a response, blocking an account, and the admins' queue of
reports with its decisions and suspensions."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser
from broadsheet.accounts.service import find_user, is_blocked
from broadsheet.articles.pages import story_of, story_path
from broadsheet.comments.pages import ResponseId
from broadsheet.comments.service import find_shown_comment
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import Invalid, validation_problems
from broadsheet.moderation import service as moderation
from broadsheet.moderation.models import REASON_LABELS
from broadsheet.moderation.schemas import Decision, ReportCreate
from broadsheet.web import CheckedForm, page, redirect

router = APIRouter(include_in_schema=False)

QUEUE_SHOWN = 50


async def _report_form(
    request: Request,
    session: DbSession,
    reader: SiteUser,
    username: str,
    slug: str,
    comment_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    view = await story_of(session, username, slug, reader)
    comment = await find_shown_comment(session, slug, comment_id, viewer=reader)
    return page(
        request,
        "moderation/report.html",
        status_code=422 if errors else 200,
        title="Report a response",
        noindex=True,
        article=view.article,
        story_path=story_path(view.article),
        comment=comment,
        reasons=REASON_LABELS,
        form=form or {},
        errors=errors or {},
    )


@router.get("/@{username}/{slug}/responses/{comment_id}/report")
async def report_form(
    request: Request,
    username: PathText,
    slug: PathText,
    comment_id: ResponseId,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Ask why the response should be looked at."""
    return await _report_form(request, session, reader, username, slug, comment_id)


@router.post("/@{username}/{slug}/responses/{comment_id}/report", dependencies=[WRITES])
async def report(
    request: Request,
    username: PathText,
    slug: PathText,
    comment_id: ResponseId,
    form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Report the response to the site's admins."""
    try:
        said = ReportCreate.model_validate(
            {"reason": form.get("reason", ""), "note": form.get("note", "")}
        )
    except ValidationError as error:
        problems = validation_problems(error.errors())
        return await _report_form(
            request, session, reader, username, slug, comment_id, form=form, errors=problems
        )
    view = await story_of(session, username, slug, reader)
    await moderation.report(
        session, slug, comment_id, reason=said.reason, note=said.note, by=reader
    )
    return page(
        request,
        "moderation/reported.html",
        title="Thank you",
        noindex=True,
        story_path=story_path(view.article),
        comment_id=comment_id,
    )


@router.post("/@{username}/block", dependencies=[WRITES])
async def toggle_block(
    username: PathText, _form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Block the account, or unblock it."""
    blocked = await find_user(session, username)
    if await is_blocked(session, blocker_id=reader.id, blocked_id=blocked.id):
        await moderation.unblock(session, reader, username)
    else:
        await moderation.block(session, reader, username)
    return redirect(f"/@{quote(blocked.username)}")


@router.get("/admin/reports")
async def queue(request: Request, session: DbSession, admin: SiteUser) -> Response:
    """The reported responses waiting for an admin, and the suspended accounts."""
    moderation.ensure_admin(admin)
    return page(
        request,
        "moderation/queue.html",
        title="Reports",
        noindex=True,
        reported=await moderation.open_reports(session, limit=QUEUE_SHOWN),
        suspended=await moderation.suspended_users(session, limit=QUEUE_SHOWN),
        reasons=REASON_LABELS,
        story_path=story_path,
    )


@router.post("/admin/reports/{comment_id}", dependencies=[WRITES])
async def decide(
    comment_id: ResponseId, form: CheckedForm, session: DbSession, admin: SiteUser
) -> Response:
    """Hide the reported response, or dismiss its reports."""
    try:
        decision = Decision.model_validate({"outcome": form.get("outcome", "")})
    except ValidationError as error:
        raise Invalid(validation_problems(error.errors())) from None
    await moderation.decide(session, comment_id, decision.outcome, by=admin)
    return redirect("/admin/reports")


@router.post("/admin/accounts/{username}/suspension", dependencies=[WRITES])
async def suspension(
    username: PathText, form: CheckedForm, session: DbSession, admin: SiteUser
) -> Response:
    """Suspend the account, or (with `lift`) lift its suspension."""
    await moderation.suspend(session, username, by=admin, suspended=form.get("lift") is None)
    return redirect("/admin/reports")
