"""Search through the API: a Broadsheet extension."""

from typing import Annotated

from fastapi import APIRouter, Query

from broadsheet.accounts.api import profile_out
from broadsheet.accounts.deps import TOKEN_OPTIONAL, OptionalUser
from broadsheet.articles.api import FilterText, Limit, Offset, summary_fields
from broadsheet.deps import DbSession
from broadsheet.errors import errors_documented
from broadsheet.lib.search_terms import parse
from broadsheet.publications.api import publication_summary
from broadsheet.schemas import FREE_OF_FORBIDDEN
from broadsheet.search.queries import Narrowing, search
from broadsheet.search.schemas import Day, FoundArticle, SearchResponse

router = APIRouter(tags=["Search"])

SearchText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        json_schema_extra=FREE_OF_FORBIDDEN,
        description='The words to find. Every word must appear; "words in quotes" together; '
        "a -word must not.",
    ),
]
DayFilter = Annotated[Day | None, Query(description="A day (YYYY-MM-DD), in UTC.")]


@router.get("/search", responses=errors_documented(401, 422), openapi_extra=TOKEN_OPTIONAL)
async def search_everything(
    session: DbSession,
    viewer: OptionalUser,
    q: SearchText,
    tag: FilterText = None,
    author: FilterText = None,
    since: DayFilter = None,
    until: DayFilter = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> SearchResponse:
    """Published stories that hold the words, best match first, each with a passage around
    them; narrowed by tag, writer or the days they were published between (`since` and
    `until` included); and the writers, tags and publications the words name."""
    narrowing = Narrowing(tag=tag, author=author, published_from=since, published_until=until)
    results = await search(session, parse(q), narrowing, viewer=viewer, limit=limit, offset=offset)
    return SearchResponse(
        articles=[
            FoundArticle(**summary_fields(found.view), snippet_html=found.passage)
            for found in results.stories
        ],
        articles_count=results.total,
        more_articles=not results.ranked_all,
        profiles=[profile_out(found.user, following=found.following) for found in results.writers],
        tags=results.tags,
        publications=[publication_summary(place) for place in results.publications],
    )
