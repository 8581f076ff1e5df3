"""Keeping search's copy of every story's words current: in the transaction that changes
them, and all at once by `broadsheet reindex`."""

from collections.abc import Sequence

from sqlalchemy import Insert, func, select, text
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet import effects
from broadsheet.articles.models import Article
from broadsheet.lib import markdown
from broadsheet.search.models import SearchDocument

_WORDS = ("title", "subtitle", "body")


def _document(article: Article) -> dict[str, object]:
    return {
        "article_id": article.id,
        "title": article.title,
        "subtitle": article.description,
        "body": markdown.plain_text(article.body),
    }


def _upsert(dialect: str, rows: Sequence[dict[str, object]]) -> Insert:
    """INSERT of documents that replaces the words of the stories already there."""
    if dialect == "mysql":
        statement = mysql.insert(SearchDocument).values(rows)
        inserted = statement.inserted
        return statement.on_duplicate_key_update({name: inserted[name] for name in _WORDS})
    if dialect == "postgresql":
        upsert = postgresql.insert(SearchDocument).values(rows)
        replaced = {name: upsert.excluded[name] for name in _WORDS}
        return upsert.on_conflict_do_update(index_elements=["article_id"], set_=replaced)
    insert = sqlite.insert(SearchDocument).values(rows)
    replaced = {name: insert.excluded[name] for name in _WORDS}
    return insert.on_conflict_do_update(index_elements=["article_id"], set_=replaced)


async def index_story(session: AsyncSession, article: Article) -> None:
    """Have search find `article` by its words as they stand now."""
    dialect = session.get_bind().dialect.name
    await session.execute(_upsert(dialect, [_document(article)]))
    effects.changed(session, effects.SEARCH)


async def reindex_batch(session: AsyncSession, *, after_id: int, size: int) -> list[int]:
    """Write again the words of up to `size` stories numbered after `after_id`, in order; their
    numbers (none when none are left)."""
    query = select(Article).where(Article.id > after_id).order_by(Article.id).limit(size)
    stories = list(await session.scalars(query))
    if stories:
        dialect = session.get_bind().dialect.name
        await session.execute(_upsert(dialect, [_document(story) for story in stories]))
        effects.changed(session, effects.SEARCH)
    return [story.id for story in stories]


async def stories_to_index(session: AsyncSession) -> int:
    """How many stories a reindex goes through."""
    return await session.scalar(select(func.count(Article.id))) or 0


async def rebuild_index(session: AsyncSession) -> None:
    """Build the engine's index again from the documents, where it keeps one of its own:
    SQLite's FTS5 table, which its triggers would otherwise have to have kept perfectly."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(
            text("INSERT INTO search_documents_fts (search_documents_fts) VALUES ('rebuild')")
        )
