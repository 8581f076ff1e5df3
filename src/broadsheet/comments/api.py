"""RealWorld routes for comments on stories."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from broadsheet.accounts.api import profile_out
from broadsheet.accounts.deps import TOKEN_OPTIONAL, CurrentUser, OptionalUser
from broadsheet.comments import service as comments
from broadsheet.comments.schemas import (
    CommentCreateRequest,
    CommentListResponse,
    CommentOut,
    CommentResponse,
    CommentUpdateRequest,
)
from broadsheet.comments.service import CommentView
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import errors_documented
from broadsheet.schemas import MAX_ID

router = APIRouter(tags=["Comments"])

CommentId = Annotated[int, Path(alias="id", ge=1, le=MAX_ID)]

MAX_COMMENTS_PER_PAGE = 500


def _comment_out(view: CommentView) -> CommentOut:
    comment = view.comment
    return CommentOut(
        id=comment.id,
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        body=comment.body,
        author=profile_out(comment.author, following=view.following),
        body_html=comment.body_html,
        parent_id=comment.reply_to_id,
        edited_at=comment.edited_at,
        hidden=comment.hidden_at is not None,
        by_story_author=view.by_story_author,
    )


@router.get(
    "/articles/{slug}/comments",
    responses=errors_documented(401, 404, 422),
    openapi_extra=TOKEN_OPTIONAL,
)
async def list_comments(
    slug: PathText,
    session: DbSession,
    viewer: OptionalUser,
    limit: Annotated[int, Query(ge=1, le=MAX_COMMENTS_PER_PAGE)] = MAX_COMMENTS_PER_PAGE,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CommentListResponse:
    """A story's comments, oldest first."""
    views = await comments.comments_on(session, slug, viewer=viewer, limit=limit, offset=offset)
    return CommentListResponse(comments=[_comment_out(view) for view in views])


@router.post(
    "/articles/{slug}/comments",
    responses=errors_documented(401, 404, 413, 422),
    dependencies=[WRITES],
)
async def add_comment(
    slug: PathText, body: CommentCreateRequest, session: DbSession, user: CurrentUser
) -> CommentResponse:
    """Respond to a story."""
    return CommentResponse(
        comment=_comment_out(await comments.respond(session, slug, body.comment, by=user))
    )


@router.delete(
    "/articles/{slug}/comments/{id}",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 422),
)
async def delete_comment(
    slug: PathText,
    comment_id: CommentId,
    session: DbSession,
    user: CurrentUser,
) -> None:
    """Delete a comment with the replies under it; its author may, and so may the story's
    writer and its publication's editors."""
    await comments.delete_comment(session, slug, comment_id, by=user)


@router.put(
    "/articles/{slug}/comments/{id}",
    dependencies=[WRITES],
    responses=errors_documented(401, 403, 404, 413, 422),
)
async def edit_comment(
    slug: PathText,
    comment_id: CommentId,
    body: CommentUpdateRequest,
    session: DbSession,
    user: CurrentUser,
) -> CommentResponse:
    """Change a comment's text; only its author may. It is marked as edited. A Broadsheet
    extension."""
    edited = await comments.edit_comment(session, slug, comment_id, body.comment, by=user)
    return CommentResponse(comment=_comment_out(edited))


@router.post(
    "/articles/{slug}/comments/{id}/hide",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 422),
)
async def hide_comment(
    slug: PathText, comment_id: CommentId, session: DbSession, user: CurrentUser
) -> None:
    """Hide a comment, and the replies under it, from everyone but its author and those who
    look after the story (its writer, its publication's editors), who alone may. A Broadsheet
    extension."""
    await comments.hide_comment(session, slug, comment_id, by=user, hidden=True)


@router.delete(
    "/articles/{slug}/comments/{id}/hide",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 422),
)
async def unhide_comment(
    slug: PathText, comment_id: CommentId, session: DbSession, user: CurrentUser
) -> None:
    """Show a hidden comment again; those who may hide it may. A Broadsheet extension."""
    await comments.hide_comment(session, slug, comment_id, by=user, hidden=False)
