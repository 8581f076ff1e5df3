"""Reports, the admins' moderation queue, suspensions and blocks: Broadsheet extensions."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from broadsheet.accounts.api import profile_out
from broadsheet.accounts.deps import CurrentUser
from broadsheet.accounts.schemas import ProfileResponse
from broadsheet.comments.api import CommentId
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import errors_documented
from broadsheet.moderation import service as moderation
from broadsheet.moderation.schemas import (
    DecisionRequest,
    ReportCreateRequest,
    ReportedResponseOut,
    ReportOut,
    ReportQueueResponse,
)
from broadsheet.moderation.service import ReportedResponse
from broadsheet.schemas import MAX_ID

router = APIRouter(tags=["Moderation"])

QUEUE_MAX = 100


def _reported_out(found: ReportedResponse) -> ReportedResponseOut:
    return ReportedResponseOut(
        comment_id=found.comment.id,
        body=found.comment.body,
        author=found.comment.author.username,
        story_slug=found.story.slug,
        story_title=found.story.title,
        hidden=found.comment.hidden_at is not None,
        reports=[
            ReportOut(
                reason=each.reason,
                note=each.note,
                reporter=each.reporter.username,
                created_at=each.created_at,
            )
            for each in found.reports
        ],
    )


@router.post(
    "/articles/{slug}/comments/{id}/report",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 413, 422),
)
async def report_comment(
    slug: PathText,
    comment_id: CommentId,
    body: ReportCreateRequest,
    session: DbSession,
    user: CurrentUser,
) -> None:
    """Report a comment for the site's admins to look at; reporting it again changes nothing."""
    await moderation.report(
        session, slug, comment_id, reason=body.report.reason, note=body.report.note, by=user
    )


@router.get("/moderation/reports", responses=errors_documented(401, 403, 422))
async def reports(
    session: DbSession,
    admin: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=QUEUE_MAX)] = 20,
) -> ReportQueueResponse:
    """The reported comments no admin has decided on, longest waiting first; admins only."""
    moderation.ensure_admin(admin)
    found = await moderation.open_reports(session, limit=limit)
    return ReportQueueResponse(reported=[_reported_out(each) for each in found])


@router.post(
    "/moderation/reports/{commentId}",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 413, 422),
)
async def decide(
    comment_id: Annotated[int, Path(alias="commentId", ge=1, le=MAX_ID)],
    body: DecisionRequest,
    session: DbSession,
    admin: CurrentUser,
) -> None:
    """Close the open reports about a comment: hide it, or dismiss them; admins only."""
    await moderation.decide(session, comment_id, body.decision.outcome, by=admin)


@router.post(
    "/moderation/suspensions/{username}",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 422),
)
async def suspend(username: PathText, session: DbSession, admin: CurrentUser) -> None:
    """Suspend an account: it is signed out everywhere, cannot sign in, and nobody sees its
    profile, stories or responses; admins only."""
    await moderation.suspend(session, username, by=admin, suspended=True)


@router.delete(
    "/moderation/suspensions/{username}",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 422),
)
async def lift_suspension(username: PathText, session: DbSession, admin: CurrentUser) -> None:
    """Lift an account's suspension; admins only."""
    await moderation.suspend(session, username, by=admin, suspended=False)


@router.post(
    "/profiles/{username}/block",
    dependencies=[WRITES],
    responses=errors_documented(401, 403, 404, 422),
)
async def block(username: PathText, session: DbSession, user: CurrentUser) -> ProfileResponse:
    """Block an account: it no longer follows you (nor you it), and cannot follow you or
    respond to your stories."""
    blocked = await moderation.block(session, user, username)
    return ProfileResponse(profile=profile_out(blocked, following=False))


@router.delete(
    "/profiles/{username}/block",
    dependencies=[WRITES],
    responses=errors_documented(401, 404, 422),
)
async def unblock(username: PathText, session: DbSession, user: CurrentUser) -> ProfileResponse:
    """Unblock an account."""
    unblocked = await moderation.unblock(session, user, username)
    return ProfileResponse(profile=profile_out(unblocked, following=False))
