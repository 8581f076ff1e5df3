"""RealWorld routes for comments on stories."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from broadsheet.accounts.api import profile_out
from broadsheet.accounts.deps import TOKEN_OPTIONAL, CurrentUser, OptionalUser
from broadsheet.comments import service as comments
from broadsheet.comments.models import Comment
from broadsheet.comments.schemas import (
    CommentCreateRequest,
    CommentListResponse,
    CommentOut,
    CommentResponse,
)
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import errors_documented

router = APIRouter(tags=["Comments"])

MAX_COMMENTS_PER_PAGE = 500


def _comment_out(comment: Comment, *, following: bool) -> CommentOut:
    return CommentOut(
        id=comment.id,
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        body=comment.body,
        author=profile_out(comment.author, following=following),
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
    return CommentListResponse(
        comments=[_comment_out(view.comment, following=view.following) for view in views]
    )


@router.post(
    "/articles/{slug}/comments",
    responses=errors_documented(401, 404, 413, 422),
    dependencies=[WRITES],
)
async def add_comment(
    slug: PathText, body: CommentCreateRequest, session: DbSession, user: CurrentUser
) -> CommentResponse:
    """Respond to a story."""
    comment = await comments.respond(session, slug, body.comment, by=user)
    return CommentResponse(comment=_comment_out(comment, following=False))


@router.delete(
    "/articles/{slug}/comments/{id}",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 422),
)
async def delete_comment(
    slug: PathText,
    comment_id: Annotated[int, Path(alias="id", ge=1, le=2**63 - 1)],
    session: DbSession,
    user: CurrentUser,
) -> None:
    """Delete a comment; only its author may."""
    await comments.delete_comment(session, slug, comment_id, by=user)
