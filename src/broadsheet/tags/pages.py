"""Tag pages: the stories carrying one tag, and their feed."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from broadsheet.accounts.deps import SiteUser, SiteViewer
from broadsheet.articles import queries
from broadsheet.articles.feeds import FEED_SIZE, atom
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.tags import service as tags
from broadsheet.tags.service import popular_tags
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


# Declared before the tag page, whose {tag:path} would otherwise swallow it.
@router.get("/tag/{tag:path}/feed.atom", name="tag_feed")
async def tag_feed(request: Request, tag: PathText, session: DbSession) -> Response:
    """Atom feed of the latest stories with one tag."""
    result = await queries.list_articles(
        session, viewer=None, tag=tag, limit=FEED_SIZE, with_body=True
    )
    return atom(
        request, result, title=f"Broadsheet: stories about {tag}", path=f"/tag/{quote(tag)}"
    )


@router.post("/tag/{tag:path}/follow", dependencies=[WRITES])
async def toggle_tag_follow(
    tag: PathText, _form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Follow the tag, or stop following it."""
    found = await tags.find_tag(session, tag)
    if await tags.follows_tag(session, reader, found):
        await tags.unfollow_tag(session, reader, tag)
    else:
        await tags.follow_tag(session, reader, tag)
    return redirect(f"/tag/{quote(tag)}")


@router.get("/tag/{tag:path}", name="tag")
async def tag_page(
    request: Request,
    tag: PathText,
    session: DbSession,
    viewer: SiteViewer,
    page_number: PageNumber = 1,
) -> Response:
    """Stories carrying one tag."""
    result = await queries.list_articles(
        session, viewer=viewer, tag=tag, limit=PAGE_SIZE, offset=page_offset(page_number)
    )
    feed_url = f"/tag/{quote(tag)}/feed.atom"
    following = None
    if viewer is not None and result.views:
        following = await tags.follows_tag(session, viewer, await tags.find_tag(session, tag))
    return page(
        request,
        "articles/home.html",
        title=f"Stories about {tag}",
        description=f"The latest stories tagged {tag} on Broadsheet.",
        heading=f"Stories about {tag}",
        tabs=[(f"#{tag}", f"/tag/{quote(tag)}", True)],
        popular_tags=await popular_tags(session, limit=20),
        empty_message="No stories carry this tag yet.",
        feeds=[(f"Broadsheet: stories about {tag}", feed_url)],
        views=result.views,
        followed_tag=(tag, following) if result.views else None,
        **pagination(page_number, result.total, base_url=f"/tag/{quote(tag)}?"),
    )
