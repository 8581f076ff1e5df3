"""The reading site for stories: the front page, story pages and preview links."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from broadsheet.accounts.deps import SiteUser, SiteViewer
from broadsheet.accounts.models import User
from broadsheet.articles import queries
from broadsheet.articles import service as articles
from broadsheet.articles.models import PREVIEW_TOKEN_LENGTH, Article, Status
from broadsheet.articles.queries import ArticleNotFound, ArticleView
from broadsheet.comments import service as comments
from broadsheet.deps import WRITES, DbSession, ListTotals, PathText
from broadsheet.lists.queries import lists_for_story
from broadsheet.publications import series, submissions
from broadsheet.publications.pages import organization
from broadsheet.reactions.models import MAX_CLAPS
from broadsheet.reactions.queries import popular_this_week
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
    script_json,
    site_url,
)

router = APIRouter(include_in_schema=False)

MAX_RESPONSES_SHOWN = 500


def story_path(article: Article) -> str:
    return f"/@{quote(article.author.username)}/{article.slug}"


# The front page's lists: (tab label, heading, what an empty one says), by ?feed=.
_FRONT_PAGE_LISTS = {
    None: ("Latest", "Latest stories", "No stories yet. Be the first to write one."),
    "popular": (
        "Popular this week",
        "Popular this week",
        "No story has been applauded this week yet.",
    ),
    "following": ("Following", "Following", "Follow writers to see their stories here."),
}


@router.get("/", name="home")
async def home(
    request: Request,
    session: DbSession,
    viewer: SiteViewer,
    totals: ListTotals,
    page_number: PageNumber = 1,
    feed: Annotated[str | None, Query(pattern="^(following|popular)$")] = None,
) -> Response:
    """The front page: the latest stories, the week's most applauded, or the ones by writers
    and publications the reader follows."""
    if feed == "following" and viewer is None:
        feed = None
    offset = page_offset(page_number)
    if feed == "following":
        assert viewer is not None  # noqa: S101 (checked just above)
        result = await queries.feed_for(session, viewer, limit=PAGE_SIZE, offset=offset)
    elif feed == "popular":
        result = await popular_this_week(session, viewer=viewer, limit=PAGE_SIZE, offset=offset)
    else:
        result = await queries.list_articles(
            session, viewer=viewer, limit=PAGE_SIZE, offset=offset, totals=totals
        )
    tabs = [
        (label, f"/?feed={name}" if name else "/", name == feed)
        for name, (label, _, _) in _FRONT_PAGE_LISTS.items()
        if name != "following" or viewer is not None
    ]
    _, heading, empty_message = _FRONT_PAGE_LISTS[feed]
    return page(
        request,
        "articles/home.html",
        title=None,
        description="Stories worth reading, from writers worth following.",
        heading=heading,
        tabs=tabs,
        popular_tags=await popular_tags(session, limit=20),
        empty_message=empty_message,
        views=result.views,
        **pagination(page_number, result.total, base_url=f"/?feed={feed}&" if feed else "/?"),
    )


async def story_of(
    session: DbSession, username: str, slug: str, viewer: User | None
) -> ArticleView:
    view = await queries.article_view(session, slug, viewer=viewer)
    if view.article.author.username_key != username.casefold():
        raise ArticleNotFound()
    return view


def writers_path(article: Article, writer: User) -> str:
    """Where a story `writer` just saved lives, without loading its author when they are it
    (an editor saving a writer's story has it loaded)."""
    author = writer if article.author_id == writer.id else article.author
    return f"/@{quote(author.username)}/{article.slug}"


async def own_story_of(session: DbSession, username: str, slug: str, writer: User) -> ArticleView:
    """The story, if `writer` may change it."""
    view = await story_of(session, username, slug, writer)
    await articles.ensure_can_edit(session, view.article, writer)
    return view


# -- Reading ---------------------------------------------------------------------------------


def _publisher(request: Request, article: Article) -> dict[str, object]:
    """Who publishes the story: its publication, or the site."""
    if article.publication is None:
        return {"@type": "Organization", "name": "Broadsheet", "url": f"{site_url(request)}/"}
    return organization(request, article.publication)


def _json_ld(request: Request, article: Article, url: str) -> Markup:
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title[:110],
        "description": article.description,
        "datePublished": (article.published_at or article.created_at).isoformat(),
        # An update note marks the change readers were told of; other edits are corrections.
        "dateModified": (article.update_noted_at or article.updated_at).isoformat(),
        "author": {
            "@type": "Person",
            "name": article.author.username,
            "url": f"{site_url(request)}/@{quote(article.author.username)}",
        },
        "mainEntityOfPage": url,
        "keywords": [tag.name for tag in article.tags],
        "publisher": _publisher(request, article),
    }
    if article.cover_image:
        data["image"] = [article.cover_image]
    return script_json(data)


async def story_page(
    request: Request,
    session: DbSession,
    view: ArticleView,
    viewer: User | None,
    *,
    errors: dict[str, list[str]] | None = None,
    draft_response: str = "",
    draft_for: str = "new",
    draft_note: str = "",
    previewed: bool = False,
) -> Response:
    """A story as `viewer` sees it; `previewed` through its preview link, without the parts
    that act on it."""
    article = view.article
    path = story_path(article)
    url = f"{site_url(request)}{path}"
    public = article.status in articles.PUBLIC
    can_edit = await articles.may_edit(session, viewer, article)
    moderates = comments.moderates(viewer, may_edit_story=can_edit)
    responses = (
        await comments.comments_on(
            session,
            article.slug,
            viewer=viewer,
            limit=MAX_RESPONSES_SHOWN,
            viewer_moderates=moderates,
        )
        if public
        else []
    )
    published = article.published_at or article.created_at
    edited = public and (article.updated_at - published).total_seconds() > 60
    series_place = await series.place_in_series(session, article) if not previewed else None
    after = (
        await queries.next_reads(session, article, viewer=viewer)
        if public and not previewed
        else None
    )
    your_lists = (
        await lists_for_story(session, viewer, article)
        if viewer is not None and public and not previewed
        else []
    )
    drafts_place = (
        await submissions.drafts_place(session, article, viewer)
        if can_edit and viewer is not None and article.status == Status.DRAFT and not previewed
        else None
    )
    response = page(
        request,
        "articles/story.html",
        status_code=422 if errors else 200,
        title=article.title,
        description=article.description,
        canonical_url=url,
        noindex=article.status != Status.PUBLISHED,
        previewed=previewed,
        public=public,
        published=published,
        article=article,
        # Sanitised when the story was saved.
        body_html=Markup(article.body_html),  # noqa: S704 # nosec B704
        json_ld=_json_ld(request, article, url),
        # A cover the story's text shows already is not shown twice.
        cover_shown=article.cover_image is not None and article.cover_image not in article.body,
        favorited=view.favorited,
        following=view.following,
        your_claps=view.claps,
        max_claps=MAX_CLAPS,
        your_lists=your_lists,
        next_reads=after,
        saved=any(choice.holds_the_story for choice in your_lists[:1]),
        can_edit=can_edit,
        moderates=public and moderates,
        drafts_place=drafts_place,
        series_place=series_place,
        is_author=viewer is not None and viewer.id == article.author_id,
        can_delete_response=comments.can_delete,
        can_edit_response=comments.can_edit,
        edited=edited,
        responses_count=len(responses),
        threads=comments.threads(responses),
        story_path=path,
        errors=errors or {},
        draft_response=draft_response,
        # Which form the draft and its errors belong to: "new", "reply-{id}" or "edit-{id}".
        draft_for=draft_for,
        draft_note=draft_note,
        feeds=[
            (
                f"Broadsheet: stories by {article.author.username}",
                f"/@{quote(article.author.username)}/feed.atom",
            )
        ],
    )
    if not public:
        # Neither a shared cache nor a search engine may keep a story that is not out yet.
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


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


PreviewToken = Annotated[
    str, Path(min_length=PREVIEW_TOKEN_LENGTH, max_length=PREVIEW_TOKEN_LENGTH)
]


@router.get("/preview/{token}", name="preview")
async def preview(
    request: Request, token: PreviewToken, session: DbSession, viewer: SiteViewer
) -> Response:
    """A story its writer shared before it is public; once it is, the link leads to it."""
    view = await queries.previewed_view(session, token)
    if view.article.status in articles.PUBLIC:
        return redirect(story_path(view.article))
    return await story_page(request, session, view, viewer, previewed=True)
