"""Claps and the week's most applauded stories: extensions to the RealWorld API."""

from dataclasses import replace

from fastapi import APIRouter

from broadsheet.accounts.deps import TOKEN_OPTIONAL, CurrentUser, OptionalUser
from broadsheet.articles import queries
from broadsheet.articles.api import Limit, Offset, article_response, list_response
from broadsheet.articles.schemas import ArticleListResponse, ArticleResponse
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import errors_documented
from broadsheet.reactions import service as reactions
from broadsheet.reactions.queries import popular_this_week
from broadsheet.reactions.schemas import ClapsCreateRequest
from broadsheet.reactions.service import Applause

router = APIRouter(tags=["Claps"])


async def _applauded_story(
    session: DbSession, slug: str, reader: CurrentUser, applause: Applause
) -> ArticleResponse:
    view = await queries.article_view(session, slug, viewer=reader)
    # Stated rather than read back, as for favorites: the locked read counted them.
    return article_response(replace(view, claps=applause.yours))


@router.get(
    "/articles/popular", responses=errors_documented(401, 422), openapi_extra=TOKEN_OPTIONAL
)
async def popular_stories(
    session: DbSession, viewer: OptionalUser, limit: Limit = 20, offset: Offset = 0
) -> ArticleListResponse:
    """The week's most applauded stories, first the most: each reader's claps weighed by how
    many they usually give. Ranked again every few minutes."""
    return list_response(
        await popular_this_week(session, viewer=viewer, limit=limit, offset=offset)
    )


@router.post(
    "/articles/{slug}/claps",
    dependencies=[WRITES],
    responses=errors_documented(401, 403, 404, 409, 413, 422),
)
async def clap(
    slug: PathText,
    session: DbSession,
    reader: CurrentUser,
    body: ClapsCreateRequest | None = None,
) -> ArticleResponse:
    """Clap for a story, once or `count` times; a reader's claps for one story stop at 50,
    and a writer cannot clap for their own."""
    times = body.claps.count if body is not None else 1
    applause = await reactions.clap(session, slug, by=reader, times=times)
    return await _applauded_story(session, slug, reader, applause)


@router.delete(
    "/articles/{slug}/claps",
    dependencies=[WRITES],
    responses=errors_documented(401, 403, 404, 409, 422),
)
async def unclap(slug: PathText, session: DbSession, reader: CurrentUser) -> ArticleResponse:
    """Take back every clap the caller gave the story."""
    applause = await reactions.unclap(session, slug, by=reader)
    return await _applauded_story(session, slug, reader, applause)
