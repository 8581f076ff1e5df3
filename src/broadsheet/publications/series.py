"""Series: stories read in order, kept by a writer (of their own stories) or by a
publication's editors (of stories published in it). No HTTP in here."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from broadsheet import effects
from broadsheet.accounts.models import User
from broadsheet.articles.models import Article, Status
from broadsheet.articles.queries import LISTED
from broadsheet.errors import Forbidden, Invalid, NotFound
from broadsheet.lib.clock import utcnow
from broadsheet.lib.slugs import unique_slug
from broadsheet.publications import service as publications
from broadsheet.publications.models import SERIES_SLUG_MAX_LENGTH, Series
from broadsheet.publications.schemas import MAX_PARTS, SeriesCreate, SeriesUpdate


class SeriesNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("series not found", field="series")


class NotTheirSeries(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "only its writer, or the editors of its publication, may change this series",
            field="series",
        )


async def find_series(session: AsyncSession, slug: str) -> Series:
    """The series at `slug`, with whose it is."""
    series = await session.scalar(
        select(Series)
        .where(Series.slug == slug)
        .options(selectinload(Series.owner), selectinload(Series.publication))
    )
    if series is None:
        raise SeriesNotFound()
    effects.shown(session, effects.series(series.id))
    return series


async def may_keep(session: AsyncSession, series: Series, user: User | None) -> bool:
    """Whether `user` may change `series`: its writer, or an editor of its publication."""
    if user is None:
        return False
    if series.owner_id is not None:
        return series.owner_id == user.id
    assert series.publication is not None  # noqa: S101 (a series is a writer's or a publication's)
    return publications.can_publish(await publications.place_of(session, series.publication, user))


async def kept(session: AsyncSession, slug: str, user: User) -> Series:
    """The series at `slug`, which `user` may keep (NotTheirSeries otherwise)."""
    series = await find_series(session, slug)
    if not await may_keep(session, series, user):
        raise NotTheirSeries()
    return series


async def start(session: AsyncSession, new: SeriesCreate, *, by: User) -> Series:
    """Start a series of `by`'s own stories, or of a publication's that `by` edits for."""
    now = utcnow()
    series = Series(
        slug=unique_slug(new.title)[-SERIES_SLUG_MAX_LENGTH:],
        title=new.title,
        description=new.description,
        created_at=now,
        updated_at=now,
    )
    if new.publication:
        publication = await publications.named_publication(session, new.publication)
        if not publications.can_publish(await publications.place_of(session, publication, by)):
            raise publications.NotAllowed("only the publication's editors may start its series")
        series.publication_id = publication.id
    else:
        series.owner_id = by.id
    session.add(series)
    await session.flush()
    return series


def _belongs(series: Series, article: Article) -> bool:
    """Whether `article` may be a part of `series`: the writer's own, or one published in the
    publication."""
    if series.owner_id is not None:
        return article.author_id == series.owner_id
    return article.publication_id == series.publication_id


async def _arrange(session: AsyncSession, series: Series, slugs: list[str]) -> None:
    """Make the stories at `slugs` the parts of `series`, in that order."""
    wanted = list(dict.fromkeys(slugs))[:MAX_PARTS]
    found = {
        article.slug: article
        for article in await session.scalars(
            select(Article).where(Article.slug.in_(wanted)).with_for_update()
        )
    }
    problems = []
    for slug in wanted:
        article = found.get(slug)
        if article is None or not _belongs(series, article):
            what = (
                "one of your stories"
                if series.owner_id is not None
                else "a story published in its publication"
            )
            problems.append(f"{slug} is not {what}")
        elif article.series_id not in (None, series.id):
            problems.append(f"{slug} is a part of another series: take it out of that one first")
    if problems:
        raise Invalid({"stories": problems})
    leaving = select(Article.id).where(Article.series_id == series.id, Article.slug.not_in(wanted))
    for story_id in await session.scalars(leaving):
        effects.changed(session, effects.story(story_id))
    await session.execute(
        update(Article)
        .where(Article.series_id == series.id, Article.slug.not_in(wanted))
        .values(series_id=None, series_position=None)
        .execution_options(synchronize_session=False)
    )
    for position, slug in enumerate(wanted, start=1):
        found[slug].series_id = series.id
        found[slug].series_position = position
        effects.changed(session, effects.story(found[slug].id))


async def change(session: AsyncSession, slug: str, changes: SeriesUpdate, *, by: User) -> Series:
    """Retitle, redescribe or rearrange a series; only its keepers may."""
    series = await kept(session, slug, by)
    if changes.title is not None:
        series.title = changes.title
    if changes.description is not None:
        series.description = changes.description
    if changes.stories is not None:
        await _arrange(session, series, changes.stories)
    series.updated_at = utcnow()
    effects.changed(session, effects.series(series.id))
    await session.flush()
    return series


async def end(session: AsyncSession, slug: str, *, by: User) -> None:
    """Delete a series; its stories stay, in no series."""
    series = await kept(session, slug, by)
    await _arrange(session, series, [])
    effects.changed(session, effects.series(series.id))
    await session.delete(series)
    await session.flush()


# -- Reading ----------------------------------------------------------------------------------

# A series page lists at most this many parts.
PARTS_SHOWN = MAX_PARTS


@dataclass(frozen=True)
class Part:
    """A story as a series lists it."""

    slug: str
    title: str
    description: str
    author: str
    status: str
    number: int


async def parts_of(session: AsyncSession, series: Series, *, everything: bool) -> list[Part]:
    """The parts of `series` in order: the published ones, or `everything` for its keepers."""
    query = (
        select(Article.slug, Article.title, Article.description, User.username, Article.status)
        .join(User, User.id == Article.author_id)
        .where(Article.series_id == series.id)
        .order_by(Article.series_position, Article.id)
        .limit(PARTS_SHOWN)
    )
    if not everything:
        query = query.where(LISTED)
    rows = await session.execute(query)
    return [
        Part(slug, title, description, author, status, number)
        for number, (slug, title, description, author, status) in enumerate(rows, start=1)
    ]


@dataclass(frozen=True)
class Place:
    """Where a story stands in its series: its number among the published parts, how many
    there are, and the parts before and after it."""

    series: Series
    number: int
    parts: int
    previous: Part | None
    next: Part | None


async def place_in_series(session: AsyncSession, article: Article) -> Place | None:
    """Where the published story `article` stands in its series, if it is in one."""
    if article.series_id is None or article.status != Status.PUBLISHED:
        return None
    series = await session.get(Series, article.series_id)
    assert series is not None  # noqa: S101 (the foreign key holds it)
    effects.shown(session, effects.series(series.id))
    parts = await parts_of(session, series, everything=False)
    numbers = {part.slug: part.number for part in parts}
    number = numbers.get(article.slug)
    if number is None:
        return None
    previous = parts[number - 2] if number > 1 else None
    following = parts[number] if number < len(parts) else None
    return Place(series, number, len(parts), previous, following)


async def series_kept_by(session: AsyncSession, user: User) -> list[Series]:
    """The writer's own series, by title."""
    query = select(Series).where(Series.owner_id == user.id).order_by(Series.title, Series.id)
    return list(await session.scalars(query.limit(PARTS_SHOWN)))


async def series_of(session: AsyncSession, publication_id: int) -> list[Series]:
    """A publication's series, by title."""
    query = select(Series).where(Series.publication_id == publication_id)
    return list(await session.scalars(query.order_by(Series.title, Series.id).limit(PARTS_SHOWN)))


async def candidates_for(session: AsyncSession, series: Series) -> list[tuple[str, str]]:
    """(slug, title) of the stories that may join `series`: those that belong in it and are
    in no series yet, newest first."""
    query = select(Article.slug, Article.title).where(Article.series_id.is_(None))
    if series.owner_id is not None:
        query = query.where(Article.author_id == series.owner_id)
    else:
        query = query.where(Article.publication_id == series.publication_id)
    query = query.order_by(Article.updated_at.desc(), Article.id.desc()).limit(PARTS_SHOWN)
    return [(slug, title or "Untitled draft") for slug, title in await session.execute(query)]
