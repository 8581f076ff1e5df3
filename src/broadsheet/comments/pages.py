"""Responses on the site: writing one under a story, and deleting one's own."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser
from broadsheet.articles.pages import story_of, story_page, story_path
from broadsheet.comments import service as comments
from broadsheet.comments.schemas import CommentCreate
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import validation_problems
from broadsheet.web import CheckedForm, redirect

router = APIRouter(include_in_schema=False)


@router.post("/@{username}/{slug}/responses", dependencies=[WRITES])
async def respond(
    request: Request,
    username: PathText,
    slug: PathText,
    form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Add the reader's response under the story."""
    view = await story_of(session, username, slug, reader)
    try:
        reply = CommentCreate.model_validate({"body": form.get("body", "")})
    except ValidationError as error:
        return await story_page(
            request,
            session,
            view,
            reader,
            errors=validation_problems(error.errors()),
            draft_response=form.get("body", ""),
        )
    comment = await comments.respond(session, slug, reply, by=reader)
    return redirect(f"{story_path(view.article)}#response-{comment.id}")


@router.post("/@{username}/{slug}/responses/{comment_id}/delete", dependencies=[WRITES])
async def delete_response(
    username: PathText,
    slug: PathText,
    comment_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    _form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Delete one of the reader's own responses."""
    view = await story_of(session, username, slug, reader)
    await comments.delete_comment(session, slug, comment_id, by=reader)
    return redirect(f"{story_path(view.article)}#responses")
