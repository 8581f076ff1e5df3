"""Stories: writing, editing, deleting and favoriting. No HTTP in here."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, cast
from urllib.parse import quote

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from broadsheet import effects, jobs
from broadsheet.accounts.models import User
from broadsheet.articles.jobs import ANNOUNCE_DELAY_SECONDS, ANNOUNCE_FEEDS
from broadsheet.articles.models import Article, Favorite, RetiredSlug
from broadsheet.articles.queries import ArticleNotFound
from broadsheet.articles.schemas import ArticleCreate, ArticleUpdate
from broadsheet.db import add_unless_present
from broadsheet.errors import Forbidden
from broadsheet.lib import markdown
from broadsheet.lib.clock import utcnow
from broadsheet.lib.slugs import retitled_slug, unique_slug
from broadsheet.tags.service import tags_named

SLUG_ATTEMPTS = 5


class NotTheAuthor(Forbidden):
    def __init__(self) -> None:
        super().__init__("only the author may change this story", field="article")


def can_edit(user: User | None, article: Article) -> bool:
    """Whether `user` may change or delete `article`: the one rule the services and the pages
    share."""
    return user is not None and article.author_id == user.id


def ensure_can_edit(article: Article, user: User) -> None:
    if not can_edit(user, article):
        raise NotTheAuthor()


async def _retire(session: AsyncSession, old_slug: str, article: Article) -> None:
    """Keep `old_slug` pointing at `article`, so links to its earlier address still work."""
    await session.execute(delete(RetiredSlug).where(RetiredSlug.slug == article.slug))
    await session.execute(delete(RetiredSlug).where(RetiredSlug.slug == old_slug))
    session.add(RetiredSlug(slug=old_slug, article_id=article.id))
    await session.flush()


async def find_article(
    session: AsyncSession, slug: str, *, with_tags: bool = False, locked: bool = False
) -> Article:
    """The story `slug`; `locked` holds its row until the transaction ends."""
    query = select(Article).where(Article.slug == slug)
    if with_tags:
        query = query.options(selectinload(Article.tags))
    if locked:
        # FOR NO KEY UPDATE on PostgreSQL, so comments (which only reference the row) still pass.
        query = query.with_for_update(key_share=True)
    article = await session.scalar(query)
    if article is None:
        raise ArticleNotFound()
    return article


async def _insert_with_free_slug(session: AsyncSession, article: Article, title: str) -> None:
    """Insert `article`; on the rare clash of random slug suffixes, draw another."""
    for _ in range(SLUG_ATTEMPTS):
        try:
            # Added inside the savepoint: begin_nested() flushes what is pending before it starts,
            # and a clash outside the savepoint would spoil the whole transaction.
            async with session.begin_nested():
                session.add(article)
                await session.flush()
            return
        except IntegrityError:
            article.slug = unique_slug(title)
    raise RuntimeError("could not find a free slug")


async def _move_to_free_slug(session: AsyncSession, article: Article, title: str) -> None:
    """Give `article` a slug for its new `title`, keeping its suffix unless another story
    already holds the result."""
    await session.flush()  # every other change first, so the savepoint holds only the slug
    slug = retitled_slug(article.slug, title)
    for _ in range(SLUG_ATTEMPTS):
        try:
            async with session.begin_nested():
                article.slug = slug
                await session.flush()
            return
        except IntegrityError:
            slug = unique_slug(title)
    raise RuntimeError("could not find a free slug")


async def write(session: AsyncSession, draft: ArticleCreate, *, by: User) -> Article:
    """Publish a new story by `by`."""
    now = utcnow()
    article = Article(
        slug=unique_slug(draft.title),
        title=draft.title,
        description=draft.description,
        body=draft.body,
        body_html=markdown.render(draft.body),
        reading_minutes=markdown.reading_minutes(draft.body),
        author_id=by.id,
        created_at=now,
        updated_at=now,
        favorites_count=0,
        tags=await tags_named(session, draft.tag_list),
    )
    await _insert_with_free_slug(session, article, draft.title)
    _arrives_or_leaves(session, article, author_key=by.username_key, tag_names=draft.tag_list)
    _announce_feeds(session, author_username=by.username)
    return article


def _announce_feeds(session: AsyncSession, *, author_username: str) -> None:
    """Have the feeds that list the author's stories announced to a WebSub hub, once for a
    burst of changes."""
    paths = ["/feed.atom", f"/@{quote(author_username)}/feed.atom"]
    jobs.later(
        session,
        ANNOUNCE_FEEDS,
        at=utcnow() + timedelta(seconds=ANNOUNCE_DELAY_SECONDS),
        key=f"announce-feeds:{author_username}",
        paths=paths,
    )


def _tag_keys(names: Iterable[str]) -> list[str]:
    """What a change to stories carrying the tags `names` changes beyond the stories."""
    return [effects.TAGS, *(effects.tagged(name) for name in names)]


def _arrives_or_leaves(
    session: AsyncSession, article: Article, *, author_key: str, tag_names: Iterable[str]
) -> None:
    """Record that `article` joins or leaves every list it belongs on."""
    keys = [effects.STORIES, effects.stories_by(author_key), effects.SITEMAP]
    effects.changed(session, effects.story(article.id), *keys, *_tag_keys(tag_names))


async def edit(session: AsyncSession, slug: str, changes: ArticleUpdate, *, by: User) -> Article:
    """Change a story; only its author may. A new title gives it a new slug."""
    article = await find_article(session, slug, with_tags=changes.tag_list is not None)
    ensure_can_edit(article, by)
    retitled = changes.title is not None and changes.title != article.title
    if changes.title is not None:
        article.title = changes.title
    if changes.description is not None:
        article.description = changes.description
    if changes.body is not None:
        article.body = changes.body
        article.body_html = markdown.render(changes.body)
        article.reading_minutes = markdown.reading_minutes(changes.body)
    effects.changed(session, effects.story(article.id), effects.SITEMAP)
    if changes.tag_list is not None:
        effects.changed(session, *_tag_keys([tag.name for tag in article.tags]))
        effects.changed(session, *_tag_keys(changes.tag_list))
        article.tags = await tags_named(session, changes.tag_list)
    article.updated_at = utcnow()
    _announce_feeds(session, author_username=await _author_username(session, article))
    if retitled:
        old_slug = article.slug
        await _move_to_free_slug(session, article, article.title)
        await _retire(session, old_slug, article)
    else:
        await session.flush()
    return article


async def _author_username(session: AsyncSession, article: Article) -> str:
    author = select(User.username).where(User.id == article.author_id)
    return (await session.scalars(author)).one()


async def remove(session: AsyncSession, slug: str, *, by: User) -> None:
    """Delete a story with its comments and favorites; only its author may."""
    article = await find_article(session, slug, with_tags=True)
    ensure_can_edit(article, by)
    author = select(User.username, User.username_key).where(User.id == article.author_id)
    author_username, author_key = (await session.execute(author)).one()
    tag_names = [tag.name for tag in article.tags]
    _arrives_or_leaves(session, article, author_key=author_key, tag_names=tag_names)
    _announce_feeds(session, author_username=author_username)
    favorited_by = select(User.username_key).join(Favorite, Favorite.user_id == User.id)
    favorited_by = favorited_by.where(Favorite.article_id == article.id)
    favorites = await session.scalars(favorited_by)
    effects.changed(session, *(effects.favorites_of(key) for key in favorites))
    # The database's ON DELETE CASCADE removes its comments, favorites and tag links.
    await session.execute(delete(Article).where(Article.id == article.id))


async def _shift_favorites_count(
    session: AsyncSession, article: Article, step: int, *, by: User
) -> None:
    effects.changed(session, effects.story(article.id), effects.favorites_of(by.username_key))
    # Counted in the database, not in Python, so concurrent favorites are never lost.
    await session.execute(
        update(Article)
        .where(Article.id == article.id)
        .values(favorites_count=Article.favorites_count + step)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(article, attribute_names=["favorites_count"])


async def favorite(session: AsyncSession, slug: str, *, by: User) -> Article:
    """Favorite a story; favoriting it again changes nothing."""
    # The lock queues favorites of one story: InnoDB would otherwise deadlock the concurrent
    # transactions that share a lock on the row (taken by the favorite's foreign key) and then
    # each want to update its count.
    article = await find_article(session, slug, locked=True)
    if await add_unless_present(session, Favorite(user_id=by.id, article_id=article.id)):
        await _shift_favorites_count(session, article, +1, by=by)
    return article


async def unfavorite(session: AsyncSession, slug: str, *, by: User) -> Article:
    """Take back a favorite; taking back one that is not there changes nothing."""
    article = await find_article(session, slug, locked=True)
    removed = await session.execute(
        delete(Favorite).where(Favorite.user_id == by.id, Favorite.article_id == article.id)
    )
    if cast(CursorResult[Any], removed).rowcount:
        await _shift_favorites_count(session, article, -1, by=by)
    return article
