"""Responses on the site: writing one under a story or a reply under a response, editing and
deleting one's own, and hiding or deleting any for those who look after the story."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser
from broadsheet.articles.pages import story_of, story_page, story_path
from broadsheet.comments import service as comments
from broadsheet.comments.schemas import CommentCreate, CommentUpdate
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import validation_problems
from broadsheet.schemas import MAX_ID
from broadsheet.web import CheckedForm, redirect

router = APIRouter(include_in_schema=False)

ResponseId = Annotated[int, Path(ge=1, le=MAX_ID)]
PARENT_GONE = (
    "The response you replied to is no longer there. Your reply is below: you can send it "
    "as a response to the story."
)


@router.post("/@{username}/{slug}/responses", dependencies=[WRITES])
async def respond(
    request: Request,
    username: PathText,
    slug: PathText,
    form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Add the reader's response under the story, or their reply under a response."""
    view = await story_of(session, username, slug, reader)
    body, parent = form.get("body", ""), form.get("parent") or None
    try:
        reply = CommentCreate.model_validate({"body": body, "parentId": parent})
        responded = await comments.respond(session, slug, reply, by=reader)
    except ValidationError as error:
        problems = validation_problems(error.errors())
        if "parentId" not in problems:
            return await story_page(
                request,
                session,
                view,
                reader,
                errors=problems,
                draft_response=body,
                draft_for=f"reply-{parent}" if parent else "new",
            )
        problems = {"parent": [PARENT_GONE]}
    except comments.NoSuchParent:
        problems = {"parent": [PARENT_GONE]}
    else:
        return redirect(f"{story_path(view.article)}#response-{responded.comment.id}")
    # The response is gone (or hidden): the reply waits in the story's own form.
    return await story_page(request, session, view, reader, errors=problems, draft_response=body)


@router.post("/@{username}/{slug}/responses/{comment_id}/edit", dependencies=[WRITES])
async def edit_response(
    request: Request,
    username: PathText,
    slug: PathText,
    comment_id: ResponseId,
    form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Change the text of one of the reader's own responses."""
    view = await story_of(session, username, slug, reader)
    try:
        change = CommentUpdate.model_validate({"body": form.get("body", "")})
    except ValidationError as error:
        return await story_page(
            request,
            session,
            view,
            reader,
            errors=validation_problems(error.errors()),
            draft_response=form.get("body", ""),
            draft_for=f"edit-{comment_id}",
        )
    await comments.edit_comment(session, slug, comment_id, change, by=reader)
    return redirect(f"{story_path(view.article)}#response-{comment_id}")


@router.post("/@{username}/{slug}/responses/{comment_id}/hide", dependencies=[WRITES])
async def hide_response(
    username: PathText,
    slug: PathText,
    comment_id: ResponseId,
    form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Hide a response on the reader's story, or (with `show`) show it again."""
    view = await story_of(session, username, slug, reader)
    hidden = form.get("show") is None
    await comments.hide_comment(session, slug, comment_id, by=reader, hidden=hidden)
    return redirect(f"{story_path(view.article)}#response-{comment_id}")


@router.post("/@{username}/{slug}/responses/{comment_id}/delete", dependencies=[WRITES])
async def delete_response(
    username: PathText,
    slug: PathText,
    comment_id: ResponseId,
    _form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Delete a response (the reader's own, or any on a story they look after)."""
    view = await story_of(session, username, slug, reader)
    await comments.delete_comment(session, slug, comment_id, by=reader)
    return redirect(f"{story_path(view.article)}#responses")
