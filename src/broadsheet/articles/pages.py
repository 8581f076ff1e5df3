"""The reading and writing site for stories: the front page, story pages and the editor."""

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser, SiteViewer
from broadsheet.accounts.models import User
from broadsheet.articles import queries
from broadsheet.articles import service as articles
from broadsheet.articles.models import Article
from broadsheet.articles.queries import ArticleNotFound, ArticleView
from broadsheet.articles.schemas import ArticleCreate, ArticleUpdate
from broadsheet.comments import service as comments
from broadsheet.deps import WRITES, DbSession, ListTotals, PathText
from broadsheet.errors import validation_problems
from broadsheet.lib.markdown import render
from broadsheet.tags.service import popular_tags
from broadsheet.web import (
    PAGE_SIZE,
    CheckedForm,
    PageNumber,
    page,
    page_offset,
    pagination,
    redirect,
    redirect_permanently,
    site_url,
)

router = APIRouter(include_in_schema=False)

MAX_RESPONSES_SHOWN = 500


def story_path(article: Article) -> str:
    return f"/@{quote(article.author.username)}/{article.slug}"


@router.get("/", name="home")
async def home(
    request: Request,
    session: DbSession,
    viewer: SiteViewer,
    totals: ListTotals,
    page_number: PageNumber = 1,
    feed: Annotated[str | None, Query(pattern="^following$")] = None,
) -> Response:
    """The front page: the latest stories, or the ones by writers the reader follows."""
    following = feed == "following" and viewer is not None
    if following:
        assert viewer is not None  # noqa: S101 (checked just above)
        result = await queries.feed_for(
            session, viewer, limit=PAGE_SIZE, offset=page_offset(page_number)
        )
    else:
        result = await queries.list_articles(
            session, viewer=viewer, limit=PAGE_SIZE, offset=page_offset(page_number), totals=totals
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
        views=result.views,
        **pagination(
            page_number, result.total, base_url="/?feed=following&" if following else "/?"
        ),
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


@router.post("/new", dependencies=[WRITES])
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


async def story_of(
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
    view = await story_of(session, username, slug, writer)
    article = view.article
    articles.ensure_can_edit(article, writer)
    form = {
        "title": article.title,
        "description": article.description,
        "body": article.body,
        "tags": ", ".join(tag.name for tag in article.tags),
    }
    return _editor(request, _editing(article), form=form)


@router.post("/@{username}/{slug}/edit", dependencies=[WRITES])
async def save_story(
    request: Request,
    username: PathText,
    slug: PathText,
    form: CheckedForm,
    session: DbSession,
    writer: SiteUser,
) -> Response:
    """Save the author's changes, or show their preview."""
    view = await story_of(session, username, slug, writer)
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
    view = await story_of(session, username, slug, writer)
    articles.ensure_can_edit(view.article, writer)
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


async def story_page(
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
    return await story_page(request, session, view, viewer)


@router.post("/@{username}/{slug}/favorite", dependencies=[WRITES])
async def toggle_favorite(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Favorite the story, or take the favorite back."""
    view = await story_of(session, username, slug, reader)
    if view.favorited:
        await articles.unfavorite(session, slug, by=reader)
    else:
        await articles.favorite(session, slug, by=reader)
    return redirect(story_path(view.article))
