"""The week's most applauded stories, as a given reader sees them."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet import effects
from broadsheet.accounts.models import User
from broadsheet.articles.models import Article
from broadsheet.articles.queries import LISTED, ArticlePage, stories_where
from broadsheet.reactions.models import PopularStory


async def popular_this_week(
    session: AsyncSession, *, viewer: User | None, limit: int, offset: int
) -> ArticlePage:
    """The stories the last ranking put first, most applauded first; a story taken out of the
    lists since then is left out."""
    score = select(PopularStory.score).where(PopularStory.article_id == Article.id)
    effects.shown(session, effects.POPULAR)
    return await stories_where(
        session,
        [LISTED, Article.id.in_(select(PopularStory.article_id))],
        viewer=viewer,
        limit=limit,
        offset=offset,
        order=(score.scalar_subquery().desc(), Article.id.desc()),
    )
