"""Submissions on the site: a writer submits a draft from its page or withdraws it; the
publication's editors see the drafts waiting for them, publish one or send it back."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser
from broadsheet.articles import service as articles
from broadsheet.articles.models import Status
from broadsheet.articles.pages import story_of, story_page, story_path
from broadsheet.articles.schemas import DraftUpdate
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import AppError, validation_problems
from broadsheet.publications import queries, submissions
from broadsheet.publications import service as publications
from broadsheet.publications.schemas import SubmissionReturn
from broadsheet.web import CheckedForm, page, redirect

router = APIRouter(include_in_schema=False)

# What each field means, for a refusal shown beside the form that submits a draft.
_FIELD_NAMES = {"title": "The title", "description": "The subtitle", "body": "The story"}


def _readable(problems: dict[str, list[str]]) -> list[str]:
    """A refusal's problems as sentences that name what they are about."""
    sentences = []
    for field, messages in problems.items():
        name = _FIELD_NAMES.get(field.split(".")[0])
        for message in messages:
            sentences.append(
                f"{name} {message}." if name else f"{message[:1].upper()}{message[1:]}."
            )
    return sentences


@router.post("/@{username}/{slug}/submission", dependencies=[WRITES])
async def submit_draft(
    request: Request,
    username: PathText,
    slug: PathText,
    form: CheckedForm,
    session: DbSession,
    writer: SiteUser,
) -> Response:
    """Submit the writer's draft to a publication's editors."""
    view = await story_of(session, username, slug, writer)
    try:
        await submissions.submit(session, slug, form.get("publication", ""), by=writer)
    except AppError as error:
        problems = {"submission": _readable(error.errors())}
        response = await story_page(request, session, view, writer, errors=problems)
        response.status_code = error.status_code
        return response
    return redirect(story_path(view.article))


@router.post("/@{username}/{slug}/submission/withdraw", dependencies=[WRITES])
async def withdraw_draft(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, writer: SiteUser
) -> Response:
    """Take the draft back from the editors it waits for."""
    view = await story_of(session, username, slug, writer)
    await submissions.withdraw(session, slug, by=writer)
    return redirect(story_path(view.article))


@router.post("/@{username}/{slug}/submission/publish", dependencies=[WRITES])
async def publish_submission(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, editor: SiteUser
) -> Response:
    """Publish the submitted draft in the publication, now."""
    await story_of(session, username, slug, editor)
    article = await articles.edit(session, slug, DraftUpdate(status=Status.PUBLISHED), by=editor)
    return redirect(story_path(article))


@router.post("/@{username}/{slug}/submission/return", dependencies=[WRITES])
async def send_draft_back(
    request: Request,
    username: PathText,
    slug: PathText,
    form: CheckedForm,
    session: DbSession,
    editor: SiteUser,
) -> Response:
    """Send the submitted draft back to its writer with a note."""
    view = await story_of(session, username, slug, editor)
    try:
        returned = SubmissionReturn.model_validate({"note": form.get("note", "")})
    except ValidationError as error:
        problems = validation_problems(error.errors())
        return await story_page(
            request, session, view, editor, errors=problems, draft_note=form.get("note", "")
        )
    await submissions.send_back(session, slug, returned.note, by=editor)
    waiting_in = view.article.submitted_to
    return redirect(f"/p/{waiting_in.slug}/submissions" if waiting_in else story_path(view.article))


@router.get("/p/{slug}/submissions", name="publication_submissions")
async def publication_submissions(
    request: Request, slug: PathText, session: DbSession, user: SiteUser
) -> Response:
    """The drafts waiting for the publication's editors, oldest first."""
    view = await queries.publication_view(session, slug, viewer=user)
    if not publications.can_publish(view.place):
        raise publications.NotAllowed("only the publication's owners and editors see this page")
    return page(
        request,
        "publications/submissions.html",
        title=f"{view.publication.name}: submissions",
        noindex=True,
        publication=view.publication,
        waiting=await submissions.waiting_for(session, view.publication),
    )
