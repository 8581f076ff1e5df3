"""RealWorld routes for stories and favorites."""

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet.accounts.api import profile_out
from broadsheet.accounts.deps import TOKEN_OPTIONAL, CurrentUser, OptionalUser
from broadsheet.accounts.models import User
from broadsheet.articles import queries
from broadsheet.articles import service as articles
from broadsheet.articles.models import Article, Status
from broadsheet.articles.queries import ArticlePage, ArticleView
from broadsheet.articles.schemas import (
    MAX_PAGE_SIZE,
    ArticleCreateRequest,
    ArticleListResponse,
    ArticleOut,
    ArticleResponse,
    ArticleSummary,
    ArticleUpdateRequest,
    NextReadsResponse,
)
from broadsheet.deps import WRITES, DbSession, ListTotals, PathText
from broadsheet.errors import Unauthorized, errors_documented
from broadsheet.media.schemas import PictureOut
from broadsheet.publications import service as publications
from broadsheet.publications.api import publication_summary
from broadsheet.publications.schemas import SeriesSummary
from broadsheet.schemas import FREE_OF_FORBIDDEN

router = APIRouter(tags=["Articles"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="How many stories to return")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="How many stories to skip")]
FilterText = Annotated[str | None, Query(max_length=200, json_schema_extra=FREE_OF_FORBIDDEN)]
StatusFilter = Annotated[
    Status | None,
    Query(
        description="A status other than published lists the caller's own stories in it, "
        "newest first (drafts by their last change, scheduled ones by their time), and needs "
        "a token; the other filters then do not apply. A Broadsheet extension."
    ),
]


def cover_of(article: Article) -> PictureOut | None:
    if article.cover_image is None:
        return None
    return PictureOut.at(article.cover_image, alt=article.cover_alt or "")


def summary_fields(view: ArticleView) -> dict[str, object]:
    article = view.article
    return {
        "slug": article.slug,
        "title": article.title,
        "description": article.description,
        "tag_list": [tag.name for tag in article.tags],
        "created_at": article.created_at,
        "updated_at": article.updated_at,
        "favorited": view.favorited,
        "favorites_count": article.favorites_count,
        "claps_count": article.claps_count,
        "your_claps": view.claps,
        "author": profile_out(article.author, following=view.following),
        "status": article.status,
        "published_at": article.published_at,
        "update_note": article.update_note,
        "update_noted_at": article.update_noted_at,
        "cover_image": cover_of(article),
        "publication": publication_summary(article.publication) if article.publication else None,
        "series": SeriesSummary(slug=article.series.slug, title=article.series.title)
        if article.series
        else None,
        "submitted_to": publication_summary(article.submitted_to) if article.submitted_to else None,
    }


def article_response(view: ArticleView) -> ArticleResponse:
    return ArticleResponse(article=ArticleOut(**summary_fields(view), body=view.article.body))


def list_response(page: ArticlePage) -> ArticleListResponse:
    return ArticleListResponse(
        articles=[ArticleSummary(**summary_fields(view)) for view in page.views],
        articles_count=page.total,
    )


@router.get("/articles", responses=errors_documented(401, 422), openapi_extra=TOKEN_OPTIONAL)
async def list_articles(
    session: DbSession,
    viewer: OptionalUser,
    totals: ListTotals,
    tag: FilterText = None,
    author: FilterText = None,
    favorited: FilterText = None,
    publication: Annotated[
        str | None,
        Query(
            max_length=200,
            json_schema_extra=FREE_OF_FORBIDDEN,
            description="The slug of the publication the stories are in. A Broadsheet extension.",
        ),
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    status: StatusFilter = None,
) -> ArticleListResponse:
    """Stories, most recent first, filtered by tag, author, who favorited them or the
    publication they are in; or the caller's own drafts, scheduled or unlisted stories."""
    if status not in (None, Status.PUBLISHED):
        if viewer is None:
            raise Unauthorized("is missing")
        own = await queries.stories_of(session, viewer, status=status, limit=limit, offset=offset)
        return list_response(own)
    place = None
    if publication is not None:
        try:
            place = await publications.find_publication(session, publication)
        except publications.PublicationNotFound:
            # As for an unknown author: no stories, rather than an error.
            return ArticleListResponse(articles=[], articles_count=0)
    page = await queries.list_articles(
        session,
        viewer=viewer,
        tag=tag,
        author=author,
        favorited_by=favorited,
        publication=place,
        limit=limit,
        offset=offset,
        totals=totals,
    )
    return list_response(page)


@router.get("/articles/feed", responses=errors_documented(401, 422))
async def feed(
    session: DbSession, reader: CurrentUser, limit: Limit = 20, offset: Offset = 0
) -> ArticleListResponse:
    """Stories by the writers the caller follows, most recent first."""
    return list_response(await queries.feed_for(session, reader, limit=limit, offset=offset))


@router.post(
    "/articles",
    dependencies=[WRITES],
    status_code=status.HTTP_201_CREATED,
    responses=errors_documented(401, 413, 422),
)
async def create_article(
    body: ArticleCreateRequest, session: DbSession, author: CurrentUser
) -> ArticleResponse:
    """Publish a story, or with `status` save it as a draft, schedule it or publish it
    unlisted."""
    article = await articles.write(session, body.article, by=author)
    return article_response(await queries.article_view(session, article.slug, viewer=author))


@router.get(
    "/articles/{slug}", responses=errors_documented(401, 404, 422), openapi_extra=TOKEN_OPTIONAL
)
async def get_article(slug: PathText, session: DbSession, viewer: OptionalUser) -> ArticleResponse:
    """One story, with its body; a draft or scheduled story only for its author."""
    return article_response(await queries.article_view(session, slug, viewer=viewer))


@router.put(
    "/articles/{slug}", responses=errors_documented(401, 403, 404, 413, 422), dependencies=[WRITES]
)
async def update_article(
    slug: PathText, body: ArticleUpdateRequest, session: DbSession, user: CurrentUser
) -> ArticleResponse:
    """Edit a story, or change its `status`; only its author may. A changed title changes the
    slug."""
    article = await articles.edit(session, slug, body.article, by=user)
    return article_response(await queries.article_view(session, article.slug, viewer=user))


@router.delete(
    "/articles/{slug}",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 422),
)
async def delete_article(slug: PathText, session: DbSession, user: CurrentUser) -> None:
    """Delete a story with its comments; only its author may."""
    await articles.remove(session, slug, by=user)


async def _favorite_response(
    session: AsyncSession, slug: str, reader: User, *, favorited: bool
) -> ArticleResponse:
    view = await queries.article_view(session, slug, viewer=reader)
    # Stated rather than read back: under MariaDB's repeatable read, this transaction may not see
    # the favorite that a concurrent request by the same reader has just added or removed.
    return article_response(replace(view, favorited=favorited))


@router.post(
    "/articles/{slug}/favorite",
    dependencies=[WRITES],
    tags=["Favorites"],
    responses=errors_documented(401, 404, 422),
)
async def favorite_article(
    slug: PathText, session: DbSession, user: CurrentUser
) -> ArticleResponse:
    """Favorite a story."""
    await articles.favorite(session, slug, by=user)
    return await _favorite_response(session, slug, user, favorited=True)


@router.delete(
    "/articles/{slug}/favorite",
    dependencies=[WRITES],
    tags=["Favorites"],
    responses=errors_documented(401, 404, 422),
)
async def unfavorite_article(
    slug: PathText, session: DbSession, user: CurrentUser
) -> ArticleResponse:
    """Take back a favorite."""
    await articles.unfavorite(session, slug, by=user)
    return await _favorite_response(session, slug, user, favorited=False)


@router.get(
    "/articles/{slug}/related",
    responses=errors_documented(401, 404, 422),
    openapi_extra=TOKEN_OPTIONAL,
)
async def related_stories(
    slug: PathText, session: DbSession, viewer: OptionalUser
) -> NextReadsResponse:
    """What to read next: the writer's latest other stories, and a few by others that share
    the story's tags (those sharing most, then the most applauded). A Broadsheet extension."""
    view = await queries.article_view(session, slug, viewer=viewer)
    after = await queries.next_reads(session, view.article, viewer=viewer)
    return NextReadsResponse(
        more_from_author=[ArticleSummary(**summary_fields(v)) for v in after.more_from_writer],
        related=[ArticleSummary(**summary_fields(v)) for v in after.related],
    )
