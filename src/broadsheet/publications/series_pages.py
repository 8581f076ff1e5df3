"""Series on the site: a series and its parts in order, its feed, starting one, and arranging
its parts."""

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser, SiteViewer
from broadsheet.accounts.models import User
from broadsheet.articles import queries as stories
from broadsheet.articles.feeds import FEED_SIZE, atom
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import Invalid, validation_problems
from broadsheet.publications import queries
from broadsheet.publications import series as series_service
from broadsheet.publications.models import (
    SERIES_DESCRIPTION_MAX_LENGTH,
    SERIES_TITLE_MAX_LENGTH,
    Series,
)
from broadsheet.publications.schemas import SeriesCreate, SeriesUpdate
from broadsheet.web import CheckedForm, page, redirect

router = APIRouter(include_in_schema=False)

LIMITS = {"title": SERIES_TITLE_MAX_LENGTH, "description": SERIES_DESCRIPTION_MAX_LENGTH}


def series_path(series: Series) -> str:
    return f"/s/{series.slug}"


@router.get("/s/{slug}", name="series")
async def series_page(
    request: Request, slug: PathText, session: DbSession, viewer: SiteViewer
) -> Response:
    """A series: its parts in order."""
    series = await series_service.find_series(session, slug)
    keeper = await series_service.may_keep(session, series, viewer)
    return page(
        request,
        "publications/series.html",
        title=series.title,
        description=(series.description or f"A series on Broadsheet: {series.title}")[:300],
        series=series,
        parts=await series_service.parts_of(session, series, everything=keeper),
        keeper=keeper,
        feeds=[(f"{series.title} on Broadsheet", f"{series_path(series)}/feed.atom")],
    )


@router.get("/s/{slug}/feed.atom", name="series_feed")
async def series_feed(request: Request, slug: PathText, session: DbSession) -> Response:
    """Atom feed of a series' latest parts."""
    series = await series_service.find_series(session, slug)
    result = await stories.parts_of_series(session, series.id, limit=FEED_SIZE)
    return atom(request, result, title=f"{series.title} on Broadsheet", path=series_path(series))


# -- Starting and arranging -------------------------------------------------------------------


async def _homes(session: DbSession, user: User) -> list[tuple[str, str]]:
    """(slug, name) of the publications `user` may start a series for."""
    return [(place.slug, place.name) for place in await queries.publishing_places(session, user)]


def _series_form(
    request: Request,
    *,
    form: dict[str, str],
    homes: list[tuple[str, str]],
    errors: dict[str, list[str]] | None = None,
    status_code: int | None = None,
) -> Response:
    return page(
        request,
        "publications/series_form.html",
        status_code=status_code or (422 if errors else 200),
        title="Start a series",
        noindex=True,
        form=form,
        homes=homes,
        errors=errors or {},
        limits=LIMITS,
    )


@router.get("/series/new", name="new_series")
async def new_series(
    request: Request,
    session: DbSession,
    user: SiteUser,
    publication: str = Query("", max_length=60),
) -> Response:
    """The form that starts a series."""
    form = {"title": "", "description": "", "publication": publication}
    return _series_form(request, form=form, homes=await _homes(session, user))


@router.post("/series/new", dependencies=[WRITES])
async def start_series(
    request: Request, form: CheckedForm, session: DbSession, user: SiteUser
) -> Response:
    """Start the series, then arrange its parts."""
    typed = {name: form.get(name, "") for name in ("title", "description", "publication")}
    try:
        series = await series_service.start(session, SeriesCreate.model_validate(typed), by=user)
    except ValidationError as error:
        problems = validation_problems(error.errors())
        return _series_form(request, form=typed, homes=await _homes(session, user), errors=problems)
    except Invalid as error:
        homes = await _homes(session, user)
        return _series_form(request, form=typed, homes=homes, errors=error.errors())
    return redirect(f"{series_path(series)}/edit")


async def _arrange_page(
    request: Request,
    session: DbSession,
    series: Series,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    return page(
        request,
        "publications/series_edit.html",
        status_code=422 if errors else 200,
        title=f"{series.title}: parts",
        noindex=True,
        series=series,
        parts=await series_service.parts_of(session, series, everything=True),
        candidates=await series_service.candidates_for(session, series),
        form=form or {"title": series.title, "description": series.description},
        errors=errors or {},
        limits=LIMITS,
    )


@router.get("/s/{slug}/edit", name="arrange_series")
async def arrange_series(
    request: Request, slug: PathText, session: DbSession, user: SiteUser
) -> Response:
    """Its keepers retitle the series, and add, move and remove its parts."""
    return await _arrange_page(request, session, await series_service.kept(session, slug, user))


def _rearranged(order: list[str], form: dict[str, str]) -> list[str] | None:
    """The parts in the order the button pressed asks for; None for a button that saves the
    title and description instead."""
    intent, _, target = form.get("intent", "save").partition(":")
    if intent == "add" and form.get("story"):
        return [*order, form["story"]]
    if target not in order:
        return None
    place = order.index(target)
    if intent == "remove":
        return [slug for slug in order if slug != target]
    step = {"up": -1, "down": +1}.get(intent)
    if step is None or not 0 <= place + step < len(order):
        return order if step is not None else None
    order[place], order[place + step] = order[place + step], order[place]
    return order


@router.post("/s/{slug}/edit", dependencies=[WRITES])
async def save_series(
    request: Request, slug: PathText, form: CheckedForm, session: DbSession, user: SiteUser
) -> Response:
    """Save the title and description, or add, move or remove a part."""
    series = await series_service.kept(session, slug, user)
    if form.get("intent") == "end":
        await series_service.end(session, slug, by=user)
        return redirect("/me/stories")
    order = [part.slug for part in await series_service.parts_of(session, series, everything=True)]
    arranged = _rearranged(order, form)
    typed = {"title": form.get("title", series.title), "description": form.get("description", "")}
    try:
        if arranged is None:
            changes = SeriesUpdate.model_validate(typed)
        else:
            changes = SeriesUpdate(stories=arranged)
        await series_service.change(session, slug, changes, by=user)
    except ValidationError as error:
        problems = validation_problems(error.errors())
        return await _arrange_page(request, session, series, form=typed, errors=problems)
    except Invalid as error:
        return await _arrange_page(request, session, series, form=typed, errors=error.errors())
    return redirect(f"{series_path(series)}/edit")
