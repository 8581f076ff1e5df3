"""Claps: a reader applauds a story up to MAX_CLAPS times, or takes their applause back; and
the periodic ranking of the week's most applauded stories. No HTTP in here."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Float, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet import effects
from broadsheet.accounts.models import User
from broadsheet.articles.models import Article
from broadsheet.articles.queries import LISTED
from broadsheet.articles.service import PUBLIC, find_article
from broadsheet.errors import Conflict, Forbidden
from broadsheet.lib.clock import utcnow
from broadsheet.reactions.models import MAX_CLAPS, Clap, PopularStory

# How far back "popular this week" looks, and how many stories it keeps.
POPULAR_WINDOW = timedelta(days=7)
POPULAR_LIMIT = 100


class OwnStory(Forbidden):
    def __init__(self) -> None:
        super().__init__("cannot be given by a story's writer to their own story", field="claps")


class NotPublished(Conflict):
    def __init__(self) -> None:
        super().__init__("can be given only once the story is published", field="claps")


@dataclass(frozen=True)
class Applause:
    """A story's claps: everyone's together, and the reader's own."""

    total: int
    yours: int


async def _claps_of(session: AsyncSession, article: Article, reader: User) -> Clap | None:
    # A locking read: it sees the latest committed claps even under MariaDB's repeatable read.
    query = (
        select(Clap)
        .where(Clap.article_id == article.id, Clap.user_id == reader.id)
        .with_for_update()
    )
    return await session.scalar(query)


async def _shift_claps_count(session: AsyncSession, article: Article, step: int) -> None:
    effects.changed(session, effects.story(article.id))
    # Counted in the database, not in Python, as favorites are.
    await session.execute(
        update(Article)
        .where(Article.id == article.id)
        .values(claps_count=Article.claps_count + step)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(article, attribute_names=["claps_count"])


async def _applauded(session: AsyncSession, slug: str, reader: User) -> Article:
    """The story `slug`, locked, if `reader` may clap for it."""
    # The lock queues the claps of one story, as it queues its favorites.
    article = await find_article(session, slug, viewer=reader, locked=True)
    if article.status not in PUBLIC:
        raise NotPublished()
    if article.author_id == reader.id:
        raise OwnStory()
    return article


async def clap(session: AsyncSession, slug: str, *, by: User, times: int = 1) -> Applause:
    """Add `times` claps by `by` to the story; a reader's claps stop at MAX_CLAPS."""
    article = await _applauded(session, slug, by)
    claps = await _claps_of(session, article, by)
    before = claps.count if claps is not None else 0
    after = min(before + times, MAX_CLAPS)
    if after == before:
        return Applause(total=article.claps_count, yours=before)
    if claps is None:
        session.add(Clap(user_id=by.id, article_id=article.id, count=after))
    else:
        claps.count = after
        claps.clapped_at = utcnow()
    await session.flush()
    await _shift_claps_count(session, article, after - before)
    return Applause(total=article.claps_count, yours=after)


async def unclap(session: AsyncSession, slug: str, *, by: User) -> Applause:
    """Take back every clap `by` gave the story; with none to take back, nothing changes."""
    article = await _applauded(session, slug, by)
    claps = await _claps_of(session, article, by)
    if claps is not None:
        await session.execute(
            delete(Clap).where(Clap.article_id == article.id, Clap.user_id == by.id)
        )
        await _shift_claps_count(session, article, -claps.count)
    return Applause(total=article.claps_count, yours=0)


async def rank_popular(session: AsyncSession, *, now: datetime, limit: int = POPULAR_LIMIT) -> int:
    """Rank the listed stories by the claps readers gave them in the past week; how many made
    the list.

    Each reader's claps for a story are divided by the number they usually give (their mean
    over the week's stories): 50 claps from a reader who gives 50 to everything weigh what one
    clap weighs from a reader who gives one, and a reader's favourite of the week stands out
    however they clap.
    """
    recent = Clap.clapped_at >= now - POPULAR_WINDOW
    habits = (
        select(
            Clap.user_id,
            (cast(func.sum(Clap.count), Float) / func.count()).label("usual"),
        )
        .where(recent)
        .group_by(Clap.user_id)
        .subquery()
    )
    score = func.sum(cast(Clap.count, Float) / habits.c.usual)
    ranking = (
        select(Clap.article_id, score.label("score"))
        .join(habits, habits.c.user_id == Clap.user_id)
        .join(Article, Article.id == Clap.article_id)
        .where(recent, LISTED)
        .group_by(Clap.article_id)
        .order_by(score.desc(), Clap.article_id.desc())
        .limit(limit)
    )
    ranked = (await session.execute(ranking)).all()
    await session.execute(delete(PopularStory))
    session.add_all(
        PopularStory(article_id=article_id, score=score, ranked_at=now)
        for article_id, score in ranked
    )
    await session.flush()
    effects.changed(session, effects.POPULAR)
    return len(ranked)
