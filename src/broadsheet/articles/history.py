"""A story's history for its writer: every saved revision since it went public, what each
changed, and restoring one."""

import difflib
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from broadsheet.accounts.deps import SiteUser
from broadsheet.articles import queries
from broadsheet.articles import service as articles
from broadsheet.articles.models import Revision
from broadsheet.articles.pages import own_story_of, story_of, story_path
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.web import CheckedForm, page, redirect

router = APIRouter(include_in_schema=False)

REVISIONS_SHOWN = 50
CONTEXT_LINES = 2


@dataclass(frozen=True)
class Change:
    """One line of a diff: "added", "removed", "same" or "gap" (lines left out)."""

    kind: str
    text: str


@dataclass(frozen=True)
class RevisionView:
    revision: Revision
    fields: list[tuple[str, str, str]]  # (what, before, after) for the one-line fields
    body: list[Change]
    first: bool


def _body_changes(before: str, after: str) -> list[Change]:
    changes: list[Change] = []
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), lineterm="", n=CONTEXT_LINES
    )
    for line in list(lines)[2:]:  # past the two file headers
        if line.startswith("@@"):
            changes.append(Change("gap", "…"))
        elif line.startswith("+"):
            changes.append(Change("added", line[1:]))
        elif line.startswith("-"):
            changes.append(Change("removed", line[1:]))
        else:
            changes.append(Change("same", line[1:]))
    return changes


def _compared(newer: Revision, older: Revision | None) -> RevisionView:
    if older is None:
        return RevisionView(newer, fields=[], body=[], first=True)
    fields = [
        (what, before, after)
        for what, before, after in (
            ("Title", older.title, newer.title),
            ("Subtitle", older.description, newer.description),
            ("Tags", ", ".join(older.tag_names), ", ".join(newer.tag_names)),
        )
        if before != after
    ]
    return RevisionView(newer, fields, _body_changes(older.body, newer.body), first=False)


def _views(revisions: list[Revision]) -> list[RevisionView]:
    """Each revision beside the one before it (newest first); the oldest shown stands alone
    only when it is the story's first."""
    views = [_compared(newer, older) for newer, older in pairwise(revisions)]
    if revisions and len(revisions) < REVISIONS_SHOWN + 1:
        views.append(_compared(revisions[-1], None))
    return views


@router.get("/@{username}/{slug}/history", name="story_history")
async def history(
    request: Request, username: PathText, slug: PathText, session: DbSession, writer: SiteUser
) -> Response:
    """The story's saved revisions, newest first, each with what it changed."""
    view = await own_story_of(session, username, slug, writer)
    # One more than is shown, so that the oldest shown has one to be compared with.
    revisions = await queries.revisions_of(session, view.article, limit=REVISIONS_SHOWN + 1)
    return page(
        request,
        "articles/history.html",
        title=f"History of {view.article.title}",
        article=view.article,
        story_path=story_path(view.article),
        revisions=_views(revisions),
        current_id=revisions[0].id if revisions else None,
    )


@router.post("/@{username}/{slug}/history/{revision_id}/restore", dependencies=[WRITES])
async def restore(
    username: PathText,
    slug: PathText,
    revision_id: Annotated[int, Path(ge=1)],
    _form: CheckedForm,
    session: DbSession,
    writer: SiteUser,
) -> Response:
    """Save the story as the revision left it, then show it."""
    await story_of(session, username, slug, writer)
    article = await articles.restore(session, slug, revision_id, by=writer)
    return redirect(f"/@{quote(writer.username)}/{article.slug}")
