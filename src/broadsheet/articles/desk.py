"""The writer's desk: their own stories by status, preview links, deleting."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from broadsheet.accounts.deps import SiteUser
from broadsheet.articles import queries
from broadsheet.articles import service as articles
from broadsheet.articles.models import Status
from broadsheet.articles.pages import own_story_of, story_of, story_path, writers_path
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.publications import series, submissions
from broadsheet.web import CheckedForm, PageNumber, page, page_offset, pagination, redirect

router = APIRouter(include_in_schema=False)

# -- The writer's stories by status, and preview links -------------------------------------

# The latest decisions of editors on the writer's submissions, shown above their stories.
DECISIONS_SHOWN = 5

TABS = (
    (Status.DRAFT, "Drafts"),
    (Status.SCHEDULED, "Scheduled"),
    (Status.PUBLISHED, "Published"),
    (Status.UNLISTED, "Unlisted"),
)


@router.get("/me/stories", name="my_stories")
async def my_stories(
    request: Request,
    session: DbSession,
    writer: SiteUser,
    page_number: PageNumber = 1,
    status: Status = Status.DRAFT,
) -> Response:
    """The writer's own stories in one status, drafts first, below what editors lately
    decided on their submissions."""
    result = await queries.stories_of(
        session, writer, status=status, limit=10, offset=page_offset(page_number)
    )
    return page(
        request,
        "articles/my_stories.html",
        title="Your stories",
        tabs=[(label, f"/me/stories?status={tab}", tab == status) for tab, label in TABS],
        status=status,
        decisions=await submissions.decisions_for(session, writer, limit=DECISIONS_SHOWN),
        own_series=await series.series_kept_by(session, writer),
        views=result.views,
        **pagination(page_number, result.total, base_url=f"/me/stories?status={status}&"),
    )


@router.post("/@{username}/{slug}/preview-link", dependencies=[WRITES])
async def share_preview(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, writer: SiteUser
) -> Response:
    """Make a preview link for the draft, then show it in the editor."""
    await story_of(session, username, slug, writer)
    article = await articles.share_preview(session, slug, by=writer)
    return redirect(f"{writers_path(article, writer)}/edit#preview-link")


@router.post("/@{username}/{slug}/preview-link/revoke", dependencies=[WRITES])
async def revoke_preview(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, writer: SiteUser
) -> Response:
    """End the draft's preview link."""
    await story_of(session, username, slug, writer)
    article = await articles.revoke_preview(session, slug, by=writer)
    return redirect(f"{writers_path(article, writer)}/edit#preview-link")


# -- Deleting -------------------------------------------------------------------------------


@router.get("/@{username}/{slug}/delete", name="delete_story")
async def confirm_delete(
    request: Request, username: PathText, slug: PathText, session: DbSession, writer: SiteUser
) -> Response:
    """Ask the author to confirm before a story is deleted."""
    view = await own_story_of(session, username, slug, writer)
    articles.ensure_is_author(view.article, writer)
    return page(
        request,
        "articles/delete.html",
        title="Delete story",
        article=view.article,
        story_path=story_path(view.article),
    )


@router.post("/@{username}/{slug}/delete", dependencies=[WRITES])
async def delete_story(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, writer: SiteUser
) -> Response:
    """Delete the story, then show the author's profile."""
    await story_of(session, username, slug, writer)
    await articles.remove(session, slug, by=writer)
    return redirect(f"/@{quote(writer.username)}")
