"""Tags: finding or making them by name, and the ones readers see most."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet.db import add_unless_present
from broadsheet.tags.models import Tag, article_tags


async def tags_named(session: AsyncSession, names: Sequence[str]) -> list[Tag]:
    """The tags with these names, creating the ones that do not exist yet."""
    if not names:
        return []
    existing = set(await session.scalars(select(Tag.name).where(Tag.name.in_(names))))
    for name in names:
        if name not in existing:
            await add_unless_present(session, Tag(name=name))
    found = await session.scalars(select(Tag).where(Tag.name.in_(names)))
    return sorted(found, key=lambda tag: tag.name)


async def popular_tags(session: AsyncSession, *, limit: int) -> list[str]:
    """Names of tags in use, the most used first."""
    uses = func.count(article_tags.c.article_id)
    query = (
        select(Tag.name)
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .group_by(Tag.id, Tag.name)
        .order_by(uses.desc(), Tag.name)
        .limit(limit)
    )
    return list(await session.scalars(query))
