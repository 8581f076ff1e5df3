"""Lists on the site: saving a story, a reader's lists, a list's page and feed, and the forms
that change them."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser, SiteViewer
from broadsheet.accounts.models import User
from broadsheet.accounts.service import find_user
from broadsheet.articles.feeds import FEED_SIZE, atom
from broadsheet.articles.queries import ArticlePage
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import validation_problems
from broadsheet.lists import queries
from broadsheet.lists import service as lists
from broadsheet.lists.models import LIST_DESCRIPTION_MAX_LENGTH, LIST_NAME_MAX_LENGTH, StoryList
from broadsheet.lists.schemas import EntryUpdate, ListCreate
from broadsheet.web import (
    PAGE_SIZE,
    CheckedForm,
    PageNumber,
    page,
    page_offset,
    pagination,
    redirect,
)

router = APIRouter(include_in_schema=False)

LIMITS = {"name": LIST_NAME_MAX_LENGTH, "description": LIST_DESCRIPTION_MAX_LENGTH}
_LIST_FIELDS = ("name", "description")


def list_path(story_list: StoryList) -> str:
    return f"/lists/{story_list.slug}"


def _story_path(username: str, slug: str) -> str:
    return f"/@{quote(username)}/{slug}"


def _typed_list(form: dict[str, str]) -> dict[str, object]:
    typed: dict[str, object] = {name: form.get(name, "") for name in _LIST_FIELDS}
    typed["public"] = form.get("public") == "on"
    return typed


@router.post("/@{username}/{slug}/save", dependencies=[WRITES])
async def toggle_saved(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Save the story to the reader's reading list, or take it out again."""
    await lists.toggle_saved(session, reader, slug)
    return redirect(f"{_story_path(username, slug)}#save")


@router.post("/@{username}/{slug}/lists", dependencies=[WRITES])
async def add_to_list(
    username: PathText, slug: PathText, form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Add the story to one of the reader's lists; its note is written on the list's page."""
    chosen = form.get("list", lists.READING_LIST)
    story_list, _, _ = await lists.save(session, reader, chosen, slug)
    return redirect(f"{list_path(story_list)}#entry-{slug}")


async def _lists_page(
    request: Request,
    session: DbSession,
    owner: User,
    viewer: User | None,
    *,
    form: dict[str, object] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    own = viewer is not None and viewer.id == owner.id
    return page(
        request,
        "lists/lists.html",
        status_code=422 if errors else 200,
        title="Your lists" if own else f"Lists by {owner.username}",
        description=f"Reading lists kept by {owner.username} on Broadsheet.",
        owner=owner,
        own=own,
        lists=await queries.lists_of(session, owner, viewer=viewer),
        form=form or {"name": "", "description": "", "public": False},
        errors=errors or {},
        limits=LIMITS,
    )


@router.get("/me/lists", name="your_lists")
async def your_lists(request: Request, session: DbSession, reader: SiteUser) -> Response:
    """The reader's lists, and the form that makes one."""
    return await _lists_page(request, session, reader, reader)


@router.post("/me/lists", dependencies=[WRITES])
async def make_list(
    request: Request, form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Make a list; back to the form, with everything typed, when something is wrong."""
    typed = _typed_list(form)
    try:
        checked = ListCreate.model_validate(typed)
    except ValidationError as error:
        problems = validation_problems(error.errors())
        return await _lists_page(request, session, reader, reader, form=typed, errors=problems)
    made = await lists.make_list(
        session,
        reader,
        name=checked.name,
        description=checked.description,
        public=checked.public,
    )
    return redirect(list_path(made))


@router.get("/@{username}/lists", name="lists_of")
async def lists_of(
    request: Request, username: PathText, session: DbSession, viewer: SiteViewer
) -> Response:
    """A reader's public lists (all of them, to the reader)."""
    owner = await find_user(session, username)
    return await _lists_page(request, session, owner, viewer)


async def _list_page(
    request: Request,
    session: DbSession,
    story_list: StoryList,
    viewer: User | None,
    page_number: int,
    *,
    form: dict[str, object] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    listed = await queries.stories_in(
        session, story_list, viewer=viewer, limit=PAGE_SIZE, offset=page_offset(page_number)
    )
    own = viewer is not None and viewer.id == story_list.owner_id
    path = list_path(story_list)
    response = page(
        request,
        "lists/list.html",
        status_code=422 if errors else 200,
        title=story_list.name,
        description=story_list.description or f"A list by {story_list.owner.username}",
        noindex=not story_list.public,
        story_list=story_list,
        listed=listed,
        own=own,
        first_position=page_offset(page_number),
        form={
            "name": story_list.name,
            "description": story_list.description,
            "public": story_list.public,
        }
        | (form or {}),
        errors=errors or {},
        limits=LIMITS,
        feeds=[(f"{story_list.name} on Broadsheet", f"{path}/feed.atom")]
        if story_list.public
        else [],
        **pagination(page_number, listed.total, base_url=f"{path}?"),
    )
    if not story_list.public:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@router.get("/lists/{slug}", name="list")
async def list_page(
    request: Request,
    slug: PathText,
    session: DbSession,
    viewer: SiteViewer,
    page_number: PageNumber = 1,
) -> Response:
    """A list: its stories in its owner's order, with their notes; and to its owner, the
    buttons that change it."""
    story_list = await queries.find_list(session, slug, viewer=viewer)
    if story_list.slug != slug:
        return redirect(list_path(story_list))
    return await _list_page(request, session, story_list, viewer, page_number)


@router.get("/lists/{slug}/feed.atom", name="list_feed")
async def list_feed(request: Request, slug: PathText, session: DbSession) -> Response:
    """Atom feed of a public list, its stories in its owner's order."""
    story_list = await queries.find_list(session, slug, viewer=None)
    listed = await queries.stories_in(
        session, story_list, viewer=None, limit=FEED_SIZE, offset=0, with_body=True
    )
    result = ArticlePage(views=[entry.view for entry in listed.stories], total=listed.total)
    return atom(
        request, result, title=f"{story_list.name} on Broadsheet", path=list_path(story_list)
    )


@router.post("/lists/{slug}/settings", dependencies=[WRITES])
async def change_list(
    request: Request, slug: PathText, form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Rename, describe, publish or hide the list."""
    typed = _typed_list(form)
    try:
        checked = ListCreate.model_validate(typed)
    except ValidationError as error:
        story_list = await queries.find_list(session, slug, viewer=reader)
        problems = validation_problems(error.errors())
        return await _list_page(
            request, session, story_list, reader, 1, form=typed, errors=problems
        )
    changes = lists.ListChanges(
        name=checked.name, description=checked.description, public=checked.public
    )
    changed = await lists.change_list(session, reader, slug, changes)
    return redirect(list_path(changed))


@router.post("/lists/{slug}/delete", dependencies=[WRITES])
async def delete_list(
    slug: PathText, _form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Delete the list; its stories stay where they are."""
    await lists.delete_list(session, reader, slug)
    return redirect("/me/lists")


@router.post("/lists/{slug}/entries/{story}", dependencies=[WRITES])
async def change_entry(
    request: Request,
    slug: PathText,
    story: PathText,
    form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Move a story in the list, take it out, or change its note: as the button pressed says."""
    action = form.get("action", "")
    if action == "remove":
        story_list = await lists.unsave(session, reader, slug, story)
        return redirect(list_path(story_list))
    if action == "move":
        position = int(form["position"]) if form.get("position", "").isdigit() else 0
        story_list, _ = await lists.change_entry(session, reader, slug, story, position=position)
        return redirect(f"{list_path(story_list)}#entry-{story}")
    try:
        note = EntryUpdate.model_validate({"note": form.get("note", "")}).note
    except ValidationError as error:
        story_list = await queries.find_list(session, slug, viewer=reader)
        problems = {f"note-{story}": validation_problems(error.errors())["note"]}
        typed: dict[str, object] = {f"note-{story}": form.get("note", "")}
        return await _list_page(
            request, session, story_list, reader, 1, form=typed, errors=problems
        )
    story_list, _ = await lists.change_entry(session, reader, slug, story, note=note)
    return redirect(f"{list_path(story_list)}#entry-{story}")
