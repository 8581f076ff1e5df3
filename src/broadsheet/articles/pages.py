"""The reading and writing site for stories: front page, story pages, editor, feeds, sitemap."""

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser, SiteViewer
from broadsheet.accounts.models import User
from broadsheet.accounts.service import find_user
from broadsheet.articles import queries
from broadsheet.articles import service as articles
from broadsheet.articles.models import Article
from broadsheet.articles.queries import ArticleNotFound, ArticlePage, ArticleView
from broadsheet.articles.schemas import ArticleCreate, ArticleUpdate
from broadsheet.comments import service as comments
from broadsheet.comments.schemas import CommentCreate
from broadsheet.deps import DbSession, ListTotals, PathText
from broadsheet.errors import validation_problems
from broadsheet.lib.clock import utcnow
from broadsheet.lib.markdown import render
from broadsheet.tags.service import popular_tags
from broadsheet.web import CheckedForm, page, page_xml, redirect, redirect_permanently, site_url

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 10
FEED_SIZE = 20
SITEMAP_LIMIT = 50_000
MAX_RESPONSES_SHOWN = 500
PageNumber = Annotated[int, Query(ge=1, le=10_000)]


def story_path(article: Article) -> str:
    return f"/@{quote(article.author.username)}/{article.slug}"


def _offset(page_number: int) -> int:
    return (page_number - 1) * PAGE_SIZE


def _listing(result: ArticlePage, page_number: int) -> dict[str, Any]:
    return {
        "views": result.views,
        "page_number": page_number,
        "has_next": result.total > page_number * PAGE_SIZE,
    }


@router.get("/", name="home")
async def home(
    request: Request,
    session: DbSession,
    viewer: SiteViewer,
    totals: ListTotals,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
    feed: Annotated[str | None, Query(pattern="^following$")] = None,
) -> Response:
    """The front page: the latest stories, or the ones by writers the reader follows."""
    following = feed == "following" and viewer is not None
    if following:
        assert viewer is not None  # noqa: S101 (checked just above)
        result = await queries.feed_for(
            session, viewer, limit=PAGE_SIZE, offset=_offset(page_number)
        )
    else:
        result = await queries.list_articles(
            session, viewer=viewer, limit=PAGE_SIZE, offset=_offset(page_number), totals=totals
        )
    tabs = [("Latest", "/", not following)]
    if viewer is not None:
        tabs.append(("Following", "/?feed=following", following))
    return page(
        request,
        "articles/home.html",
        title=None,
        description="Stories worth reading, from writers worth following.",
        heading="Following" if following else "Latest stories",
        tabs=tabs,
        popular_tags=await popular_tags(session, limit=20),
        empty_message="Follow writers to see their stories here."
        if following
        else "No stories yet. Be the first to write one.",
        page_base_url="/?feed=following&" if following else "/?",
        **_listing(result, page_number),
    )


# Declared before the tag page, whose {tag:path} would otherwise swallow it.
@router.get("/tag/{tag:path}/feed.atom", name="tag_feed")
async def tag_feed(request: Request, tag: PathText, session: DbSession) -> Response:
    """Atom feed of the latest stories with one tag."""
    result = await queries.list_articles(
        session, viewer=None, tag=tag, limit=FEED_SIZE, with_body=True
    )
    return _atom(
        request, result, title=f"Broadsheet: stories about {tag}", path=f"/tag/{quote(tag)}"
    )


@router.get("/tag/{tag:path}", name="tag")
async def tag_page(
    request: Request,
    tag: PathText,
    session: DbSession,
    viewer: SiteViewer,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    """Stories carrying one tag."""
    result = await queries.list_articles(
        session, viewer=viewer, tag=tag, limit=PAGE_SIZE, offset=_offset(page_number)
    )
    feed_url = f"/tag/{quote(tag)}/feed.atom"
    return page(
        request,
        "articles/home.html",
        title=f"Stories about {tag}",
        description=f"The latest stories tagged {tag} on Broadsheet.",
        heading=f"Stories about {tag}",
        tabs=[(f"#{tag}", f"/tag/{quote(tag)}", True)],
        popular_tags=await popular_tags(session, limit=20),
        empty_message="No stories carry this tag yet.",
        page_base_url=f"/tag/{quote(tag)}?",
        feeds=[(f"Broadsheet: stories about {tag}", feed_url)],
        **_listing(result, page_number),
    )


# -- Writing ---------------------------------------------------------------------------------


def _tags_from(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _draft_fields(form: dict[str, str]) -> dict[str, Any]:
    return {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "body": form.get("body", ""),
        "tag_list": _tags_from(form.get("tags", "")),
    }


def _form_problems(error: ValidationError) -> dict[str, list[str]]:
    problems = validation_problems(error.errors())
    for field in [name for name in problems if name.startswith(("tagList", "tag_list"))]:
        problems.setdefault("tags", []).extend(problems.pop(field))
    return problems


@dataclass(frozen=True)
class Editor:
    """Where an editor form posts to, and what it is called."""

    heading: str
    action: str
    submit_label: str


NEW_STORY = Editor(heading="Write a story", action="/new", submit_label="Publish")


def _editing(article: Article) -> Editor:
    return Editor(heading="Edit story", action=f"{story_path(article)}/edit", submit_label="Save")


def _editor(
    request: Request,
    editor: Editor,
    *,
    form: dict[str, str],
    errors: dict[str, list[str]] | None = None,
    preview: bool = False,
) -> Response:
    # render() sanitises what it returns.
    preview_html = Markup(render(form.get("body", ""))) if preview else None  # noqa: S704 # nosec B704
    return page(
        request,
        "articles/editor.html",
        status_code=422 if errors else 200,
        title=editor.heading,
        heading=editor.heading,
        action=editor.action,
        submit_label=editor.submit_label,
        form={name: form.get(name, "") for name in ("title", "description", "body", "tags")},
        errors=errors or {},
        preview_html=preview_html,
    )


@router.get("/new", name="new_story")
async def new_story(request: Request, _writer: SiteUser) -> Response:
    """The editor, empty."""
    return _editor(request, NEW_STORY, form={})


@router.post("/new")
async def publish_story(
    request: Request, form: CheckedForm, session: DbSession, writer: SiteUser
) -> Response:
    """Publish the story from the editor, or show its preview."""
    editor = NEW_STORY
    try:
        draft = ArticleCreate.model_validate(_draft_fields(form))
    except ValidationError as error:
        return _editor(request, editor, form=form, errors=_form_problems(error))
    if form.get("intent") == "preview":
        return _editor(request, editor, form=form, preview=True)
    article = await articles.write(session, draft, by=writer)
    return redirect(f"/@{quote(writer.username)}/{article.slug}")


async def _story_of(
    session: DbSession, username: str, slug: str, viewer: User | None
) -> ArticleView:
    view = await queries.article_view(session, slug, viewer=viewer)
    if view.article.author.username_key != username.casefold():
        raise ArticleNotFound()
    return view


@router.get("/@{username}/{slug}/edit", name="edit_story")
async def edit_story(
    request: Request, username: PathText, slug: PathText, session: DbSession, writer: SiteUser
) -> Response:
    """The editor, filled with a story its author wants to change."""
    view = await _story_of(session, username, slug, writer)
    article = view.article
    articles.ensure_can_edit(article, writer)
    form = {
        "title": article.title,
        "description": article.description,
        "body": article.body,
        "tags": ", ".join(tag.name for tag in article.tags),
    }
    return _editor(request, _editing(article), form=form)


@router.post("/@{username}/{slug}/edit")
async def save_story(
    request: Request,
    username: PathText,
    slug: PathText,
    form: CheckedForm,
    session: DbSession,
    writer: SiteUser,
) -> Response:
    """Save the author's changes, or show their preview."""
    view = await _story_of(session, username, slug, writer)
    articles.ensure_can_edit(view.article, writer)
    editor = _editing(view.article)
    try:
        changes = ArticleUpdate.model_validate(_draft_fields(form))
    except ValidationError as error:
        return _editor(request, editor, form=form, errors=_form_problems(error))
    if form.get("intent") == "preview":
        return _editor(request, editor, form=form, preview=True)
    article = await articles.edit(session, slug, changes, by=writer)
    return redirect(f"/@{quote(writer.username)}/{article.slug}")


@router.get("/@{username}/{slug}/delete", name="delete_story")
async def confirm_delete(
    request: Request, username: PathText, slug: PathText, session: DbSession, writer: SiteUser
) -> Response:
    """Ask the author to confirm before a story is deleted."""
    view = await _story_of(session, username, slug, writer)
    articles.ensure_can_edit(view.article, writer)
    return page(
        request,
        "articles/delete.html",
        title="Delete story",
        article=view.article,
        story_path=story_path(view.article),
    )


@router.post("/@{username}/{slug}/delete")
async def delete_story(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, writer: SiteUser
) -> Response:
    """Delete the story, then show the author's profile."""
    await _story_of(session, username, slug, writer)
    await articles.remove(session, slug, by=writer)
    return redirect(f"/@{quote(writer.username)}")


# -- Reading ---------------------------------------------------------------------------------


def _json_ld(request: Request, article: Article, url: str) -> Markup:
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title[:110],
        "description": article.description,
        "datePublished": article.created_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": {
            "@type": "Person",
            "name": article.author.username,
            "url": f"{site_url(request)}/@{quote(article.author.username)}",
        },
        "mainEntityOfPage": url,
        "keywords": [tag.name for tag in article.tags],
        "publisher": {"@type": "Organization", "name": "Broadsheet"},
    }
    # Escaped for a <script> element: no "<", ">" or "&" can close it or open another.
    text = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # nosemgrep: markup-on-unsanitised-text
    return Markup(text)  # noqa: S704 # nosec B704


async def _story_page(
    request: Request,
    session: DbSession,
    view: ArticleView,
    viewer: User | None,
    *,
    errors: dict[str, list[str]] | None = None,
    draft_response: str = "",
) -> Response:
    article = view.article
    path = story_path(article)
    url = f"{site_url(request)}{path}"
    responses = await comments.comments_on(
        session, article.slug, viewer=viewer, limit=MAX_RESPONSES_SHOWN
    )
    edited = (article.updated_at - article.created_at).total_seconds() > 60
    return page(
        request,
        "articles/story.html",
        status_code=422 if errors else 200,
        title=article.title,
        description=article.description,
        canonical_url=url,
        article=article,
        # Sanitised when the story was saved.
        body_html=Markup(article.body_html),  # noqa: S704 # nosec B704
        json_ld=_json_ld(request, article, url),
        favorited=view.favorited,
        following=view.following,
        can_edit=articles.can_edit(viewer, article),
        can_delete_response=comments.can_delete,
        edited=edited,
        responses=responses,
        story_path=path,
        errors=errors or {},
        draft_response=draft_response,
        feeds=[
            (
                f"Broadsheet: stories by {article.author.username}",
                f"/@{quote(article.author.username)}/feed.atom",
            )
        ],
    )


@router.get("/@{username}/feed.atom", name="author_feed")
async def author_feed(request: Request, username: PathText, session: DbSession) -> Response:
    """Atom feed of one writer's latest stories."""
    author = await find_user(session, username)
    result = await queries.list_articles(
        session, viewer=None, author=author.username, limit=FEED_SIZE, with_body=True
    )
    return _atom(
        request,
        result,
        title=f"Broadsheet: stories by {author.username}",
        path=f"/@{quote(author.username)}",
    )


@router.get("/@{username}/{slug}", name="story")
async def story(
    request: Request, username: PathText, slug: PathText, session: DbSession, viewer: SiteViewer
) -> Response:
    """A story, with its responses; old and misspelled addresses redirect to the current one."""
    try:
        view = await queries.article_view(session, slug, viewer=viewer)
    except ArticleNotFound:
        current = await queries.current_slug(session, slug)
        if current is None:
            raise
        view = await queries.article_view(session, current, viewer=viewer)
    path = story_path(view.article)
    if request.url.path != path:
        return redirect_permanently(path)
    return await _story_page(request, session, view, viewer)


@router.post("/@{username}/{slug}/favorite")
async def toggle_favorite(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Favorite the story, or take the favorite back."""
    view = await _story_of(session, username, slug, reader)
    if view.favorited:
        await articles.unfavorite(session, slug, by=reader)
    else:
        await articles.favorite(session, slug, by=reader)
    return redirect(story_path(view.article))


@router.post("/@{username}/{slug}/responses")
async def respond(
    request: Request,
    username: PathText,
    slug: PathText,
    form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Add the reader's response under the story."""
    view = await _story_of(session, username, slug, reader)
    try:
        reply = CommentCreate.model_validate({"body": form.get("body", "")})
    except ValidationError as error:
        return await _story_page(
            request,
            session,
            view,
            reader,
            errors=validation_problems(error.errors()),
            draft_response=form.get("body", ""),
        )
    comment = await comments.respond(session, slug, reply, by=reader)
    return redirect(f"{story_path(view.article)}#response-{comment.id}")


@router.post("/@{username}/{slug}/responses/{comment_id}/delete")
async def delete_response(
    username: PathText,
    slug: PathText,
    comment_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    _form: CheckedForm,
    session: DbSession,
    reader: SiteUser,
) -> Response:
    """Delete one of the reader's own responses."""
    view = await _story_of(session, username, slug, reader)
    await comments.delete_comment(session, slug, comment_id, by=reader)
    return redirect(f"{story_path(view.article)}#responses")


# -- Feeds and indexes -----------------------------------------------------------------------


def _atom(request: Request, result: ArticlePage, *, title: str, path: str) -> Response:
    base = site_url(request)
    updated = max((view.article.updated_at for view in result.views), default=utcnow())
    xml = page_xml(
        "articles/feed.atom",
        feed_title=title,
        feed_url=f"{base}{request.url.path}",
        page_url=f"{base}{path}",
        base_url=base,
        updated=updated,
        views=result.views,
    )
    return Response(xml, media_type="application/atom+xml")


@router.get("/feed.atom", name="site_feed")
async def site_feed(request: Request, session: DbSession) -> Response:
    """Atom feed of the latest stories."""
    result = await queries.list_articles(session, viewer=None, limit=FEED_SIZE, with_body=True)
    return _atom(request, result, title="Broadsheet: latest stories", path="/")


@router.get("/sitemap.xml", name="sitemap")
async def sitemap(request: Request, session: DbSession) -> Response:
    """Every published story, with when it last changed."""
    stories = await queries.story_locations(session, limit=SITEMAP_LIMIT)
    xml = page_xml("articles/sitemap.xml", base_url=site_url(request), stories=stories)
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
