"""Tags: finding or making them by name, and the ones readers see most."""

from collections.abc import Sequence

from sqlalchemy import Insert, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet import effects
from broadsheet.accounts.models import User
from broadsheet.articles.models import Article
from broadsheet.articles.queries import LISTED
from broadsheet.db import add_unless_present
from broadsheet.errors import NotFound
from broadsheet.tags.models import Tag, TagFollow, article_tags, tag_key

# How many of the tags a reader follows are listed.
FOLLOWED_TAGS_LISTED = 200


class TagNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("tag not found", field="tag")


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


async def find_tag(session: AsyncSession, name: str) -> Tag:
    """The tag named `name`, whatever its case."""
    tag = await session.scalar(select(Tag).where(Tag.name_key == tag_key(name)))
    if tag is None:
        raise TagNotFound()
    return tag


async def follow_tag(session: AsyncSession, reader: User, name: str) -> Tag:
    """Have the tag's stories join `reader`'s Following feed; following twice changes nothing."""
    tag = await find_tag(session, name)
    await add_unless_present(session, TagFollow(user_id=reader.id, tag_id=tag.id))
    return tag


async def unfollow_tag(session: AsyncSession, reader: User, name: str) -> Tag:
    """Stop following the tag."""
    tag = await find_tag(session, name)
    await session.execute(
        delete(TagFollow).where(TagFollow.user_id == reader.id, TagFollow.tag_id == tag.id)
    )
    return tag


async def follows_tag(session: AsyncSession, reader: User, tag: Tag) -> bool:
    query = select(TagFollow.tag_id).where(
        TagFollow.user_id == reader.id, TagFollow.tag_id == tag.id
    )
    return await session.scalar(query) is not None


async def followed_tags(session: AsyncSession, reader: User) -> list[str]:
    """The names of the tags `reader` follows, in order."""
    query = (
        select(Tag.name)
        .join(TagFollow, TagFollow.tag_id == Tag.id)
        .where(TagFollow.user_id == reader.id)
        .order_by(Tag.name_key)
        .limit(FOLLOWED_TAGS_LISTED)
    )
    return list(await session.scalars(query))
