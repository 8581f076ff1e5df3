"""The search page, which the box in every page's header opens."""

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from broadsheet.accounts.deps import SiteViewer
from broadsheet.deps import DbSession
from broadsheet.lib.search_terms import parse
from broadsheet.search.queries import RANKED_MATCHES, Narrowing, Results, search
from broadsheet.search.schemas import parse_day
from broadsheet.web import PAGE_SIZE, PageNumber, page, page_offset, pagination

router = APIRouter(include_in_schema=False)

MAX_TEXT_LENGTH = 200
# What the page reads from its address, with no limit of its own: what was typed comes back
# in the form, with a message where it is wrong, rather than as an error page.
Typed = Annotated[str, Query()]


def _day(text: str, field: str, problems: dict[str, list[str]]) -> date | None:
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError as error:
        problems[field] = [str(error)]
        return None


def _problems_with(typed: dict[str, str]) -> dict[str, list[str]]:
    return {
        field: [f"is too long (maximum is {MAX_TEXT_LENGTH})"]
        for field, text in typed.items()
        if len(text) > MAX_TEXT_LENGTH
    }


def _summary(results: Results, q: str) -> str:
    if not results.ranked_all:
        return f"The {RANKED_MATCHES} newest of many stories matching “{q}”, best first"
    if results.total == 1:
        return f"1 story matches “{q}”"
    return f"{results.total or 'No'} stories match “{q}”"


@router.get("/search", name="search")
async def search_page(
    request: Request,
    session: DbSession,
    viewer: SiteViewer,
    q: Typed = "",
    tag: Typed = "",
    author: Typed = "",
    since: Typed = "",
    until: Typed = "",
    page_number: PageNumber = 1,
) -> Response:
    """Stories, writers, topics and publications matching the words typed."""
    typed = {"q": q.strip(), "tag": tag.strip(), "author": author.strip()}
    problems = _problems_with(typed)
    narrowing = Narrowing(
        tag=typed["tag"] or None,
        author=typed["author"] or None,
        published_from=_day(since, "since", problems),
        published_until=_day(until, "until", problems),
    )
    results = None
    if typed["q"] and not problems:
        results = await search(
            session,
            parse(typed["q"]),
            narrowing,
            viewer=viewer,
            limit=PAGE_SIZE,
            offset=page_offset(page_number),
        )
    query = {**typed, "since": since, "until": until}
    base_url = "/search?" + urlencode({name: value for name, value in query.items() if value})
    return page(
        request,
        "search/results.html",
        status_code=422 if problems else 200,
        title=f"Search: {typed['q']}" if typed["q"] else "Search",
        noindex=True,
        typed=query,
        narrowed=bool(tag or author or since or until),
        errors=problems,
        results=results,
        summary=_summary(results, typed["q"]) if results is not None else "",
        **pagination(page_number, results.total if results else 0, base_url=base_url + "&"),
    )
