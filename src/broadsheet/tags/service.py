"""Tags: finding or making them by name, and the ones readers see most."""

from collections.abc import Sequence

from sqlalchemy import Insert, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet import effects
from broadsheet.articles.models import Article
from broadsheet.articles.queries import LISTED
from broadsheet.tags.models import Tag, article_tags, tag_key


def _insert_skipping_taken_names(dialect: str, names: Sequence[str]) -> Insert:
    """INSERT of tags that quietly skips names another transaction has already claimed."""
    rows = [{"name": name, "name_key": tag_key(name)} for name in names]
    if dialect == "postgresql":
        return postgresql.insert(Tag).values(rows).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(Tag).values(rows).on_conflict_do_nothing()
    return insert(Tag).values(rows).prefix_with("IGNORE", dialect="mysql")


async def tags_named(session: AsyncSession, names: Sequence[str]) -> list[Tag]:
    """The tags with these names, whatever their case, creating the ones that do not exist yet
    as they are written here."""
    if not names:
        return []
    spelled: dict[str, str] = {}
    for name in names:
        spelled.setdefault(tag_key(name), name)  # the first spelling wins
    wanted = sorted(spelled)
    found = list(await session.scalars(select(Tag).where(Tag.name_key.in_(wanted))))
    missing = sorted(set(wanted) - {tag.name_key for tag in found})
    if not missing:
        return sorted(found, key=lambda tag: tag.name_key)
    # One statement in name order: writers of the same new tags queue behind each other instead
    # of deadlocking, and a name claimed meanwhile is skipped rather than failing the request.
    dialect = session.get_bind().dialect.name
    await session.execute(_insert_skipping_taken_names(dialect, [spelled[key] for key in missing]))
    # A locking read sees tags committed since this transaction began, which MariaDB's
    # repeatable-read snapshot would hide.
    query = (
        select(Tag)
        .where(Tag.name_key.in_(wanted))
        .order_by(Tag.name_key)
        .with_for_update(read=True)
    )
    return list(await session.scalars(query))


async def popular_tags(session: AsyncSession, *, limit: int) -> list[str]:
    """Names of tags on listed stories, the most used first."""
    uses = func.count(article_tags.c.article_id)
    query = (
        select(Tag.name)
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .join(Article, Article.id == article_tags.c.article_id)
        .where(LISTED)
        .group_by(Tag.id, Tag.name, Tag.name_key)
        .order_by(uses.desc(), Tag.name_key)
        .limit(limit)
    )
    effects.shown(session, effects.TAGS)
    return list(await session.scalars(query))
