"""Feeds and indexes of stories for other programs: Atom feeds, the sitemap, robots.txt."""

import html
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from broadsheet.accounts.service import find_user
from broadsheet.articles import queries
from broadsheet.articles.models import Article
from broadsheet.articles.queries import ArticlePage
from broadsheet.deps import DbSession, PathText
from broadsheet.lib.clock import utcnow
from broadsheet.lib.paths import raw_path
from broadsheet.publications.queries import publication_locations
from broadsheet.web import human_date, page_xml, site_url

router = APIRouter(include_in_schema=False)

FEED_SIZE = 20
SITEMAP_LIMIT = 50_000


def atom(request: Request, result: ArticlePage, *, title: str, path: str) -> Response:
    base = site_url(request)
    updated = max((view.article.updated_at for view in result.views), default=utcnow())
    xml = page_xml(
        "articles/feed.atom",
        feed_title=title,
        feed_url=base + raw_path(request.scope),
        page_url=f"{base}{path}",
        base_url=base,
        hub=request.app.state.settings.websub_hub,
        updated=updated,
        views=result.views,
        content_of=_content_of,
    )
    return Response(xml, media_type="application/atom+xml")


def _content_of(article: Article) -> str:
    """An entry's HTML: the writer's update note, if any, above the story, as on its page."""
    if not article.update_note or article.update_noted_at is None:
        return article.body_html
    noted = human_date(article.update_noted_at)
    note = f"<p><strong>Update ({noted}):</strong> {html.escape(article.update_note)}</p>"
    return note + article.body_html


@router.get("/feed.atom", name="site_feed")
async def site_feed(request: Request, session: DbSession) -> Response:
    """Atom feed of the latest stories."""
    result = await queries.list_articles(session, viewer=None, limit=FEED_SIZE, with_body=True)
    return atom(request, result, title="Broadsheet: latest stories", path="/")


@router.get("/sitemap.xml", name="sitemap")
async def sitemap(request: Request, session: DbSession) -> Response:
    """Every published story and every publication, with when each last changed."""
    stories = await queries.story_locations(session, limit=SITEMAP_LIMIT)
    places = await publication_locations(session, limit=SITEMAP_LIMIT - len(stories))
    xml = page_xml(
        "articles/sitemap.xml", base_url=site_url(request), stories=stories, publications=places
    )
    return Response(xml, media_type="application/xml")


@router.get("/robots.txt", name="robots")
async def robots(request: Request) -> Response:
    """Let crawlers read stories, not forms; point them at the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /settings",
        "Disallow: /new",
        "Disallow: /signin",
        "Disallow: /signup",
        "Disallow: /api/",
        f"Sitemap: {site_url(request)}/sitemap.xml",
    ]
    return Response("\n".join(lines) + "\n", media_type="text/plain")


@router.get("/@{username}/feed.atom", name="author_feed")
async def author_feed(request: Request, username: PathText, session: DbSession) -> Response:
    """Atom feed of one writer's latest stories."""
    author = await find_user(session, username)
    result = await queries.list_articles(
        session, viewer=None, author=author.username, limit=FEED_SIZE, with_body=True
    )
    return atom(
        request,
        result,
        title=f"Broadsheet: stories by {author.username}",
        path=f"/@{quote(author.username)}",
    )
