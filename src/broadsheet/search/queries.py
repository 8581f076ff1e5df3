"""Finding stories by their words, and writers, tags and publications by their names.

Each engine matches and ranks in its own way, behind one function per need: SQLite's FTS5
with bm25, PostgreSQL's `tsvector` with ts_rank, MariaDB's FULLTEXT in boolean mode. What
they are given is the same: the reader's terms (lib/search_terms.py) and the conditions of
which stories may be found, the listed ones alone."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Select,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet import effects
from broadsheet.accounts.models import Follow, User
from broadsheet.articles.models import Article
from broadsheet.articles.queries import LISTED, NEWEST_FIRST, ArticleView, selection, views_of
from broadsheet.lib.markdown import QUOTE_MARKS
from broadsheet.lib.search_terms import SearchTerms, marked, passage_around, quoted
from broadsheet.publications.models import Publication
from broadsheet.search.models import SearchDocument
from broadsheet.tags.models import Tag, article_tags

# A search ranks the newest stories that match, up to this many: a word found in thousands of
# stories costs what one found in a few hundred does. More precise words narrow the matches.
RANKED_MATCHES = 100
# How many writers, tags and publications a search suggests beside the stories.
SUGGESTIONS = 5
# The text search configuration the migration built PostgreSQL's index with.
_POSTGRESQL_CONFIGURATION: ColumnClause[Any] = literal_column("'english'::regconfig")
_QUOTED_WORDS = 30
# ts_headline reads every word it is given, at about 0.15 ms a thousand characters: a passage
# is looked for in a story's opening only (about 330 words), which holds most matches; a story
# matching only further on shows its opening.
_HEADLINE_CHARACTERS = 2_000
_HEADLINE_OPTIONS = (
    f'StartSel="{QUOTE_MARKS[0]}", StopSel="{QUOTE_MARKS[1]}", MaxWords={_QUOTED_WORDS}, '
    'MinWords=15, MaxFragments=1, FragmentDelimiter=" … "'
)
_FTS5 = table("search_documents_fts", column("rowid"))
_FTS5_TABLE: ColumnClause[Any] = literal_column("search_documents_fts")
_TSVECTOR = literal_column("search_documents.fts", TSVECTOR)
# InnoDB's FULLTEXT leaves out words shorter than three letters and these, and a required word
# it left out would match nothing: they are not asked for.
_MARIADB_STOPWORDS = frozenset((
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how",
    "i", "in", "is", "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what",
    "when", "where", "who", "will", "with", "und", "www",
))  # fmt: skip


@dataclass(frozen=True)
class Narrowing:
    """What else a found story must be: tagged, by a writer, published in a time span."""

    tag: str | None = None
    author: str | None = None
    published_from: date | None = None
    published_until: date | None = None


@dataclass(frozen=True)
class FoundStory:
    view: ArticleView
    # A passage of the story with the searched words in <mark>.
    passage: Markup


@dataclass(frozen=True)
class FoundWriter:
    user: User
    following: bool


@dataclass(frozen=True)
class Results:
    stories: list[FoundStory]
    # How many stories were ranked: every match, or RANKED_MATCHES when there are more.
    total: int
    writers: list[FoundWriter]
    tags: list[str]
    publications: list[Publication]

    @property
    def ranked_all(self) -> bool:
        return self.total < RANKED_MATCHES


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _conditions(narrowing: Narrowing) -> tuple[list[ColumnElement[bool]], list[str]]:
    chosen = selection(
        tag=narrowing.tag, author=narrowing.author, favorited_by=None, publication=None
    )
    conditions = list(chosen.conditions)
    if narrowing.published_from is not None:
        conditions.append(Article.published_at >= _start_of(narrowing.published_from))
    if narrowing.published_until is not None:
        day_after = narrowing.published_until + timedelta(days=1)
        conditions.append(Article.published_at < _start_of(day_after))
    return conditions, chosen.keys


def _ranked_page(
    candidates: Select[int, float], *, best_first: bool, limit: int, offset: int
) -> Select[int, int]:
    """The page of `candidates` (story ids and scores) in the order of their scores, with how
    many candidates there are."""
    ranked = candidates.subquery()
    score = ranked.c.score.desc() if best_first else ranked.c.score.asc()
    return (
        select(ranked.c.id, func.count().over().label("total"))
        .order_by(score, ranked.c.id.desc())
        .limit(limit)
        .offset(offset)
    )


def _newest_matches(query: Select[int, float]) -> Select[int, float]:
    return query.order_by(*NEWEST_FIRST).limit(RANKED_MATCHES)


def _fts5_query(terms: SearchTerms) -> str:
    wanted = " ".join(quoted(phrase) for phrase in terms.wanted)
    return wanted + "".join(f" NOT {quoted(phrase)}" for phrase in terms.unwanted)


def _websearch_query(terms: SearchTerms) -> str:
    wanted = " ".join(quoted(phrase) for phrase in terms.wanted)
    return wanted + "".join(f" -{quoted(phrase)}" for phrase in terms.unwanted)


def _innodb_phrase(phrase: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(word for word in phrase if len(word) > 2 and word not in _MARIADB_STOPWORDS)


def _boolean_query(terms: SearchTerms) -> str:
    wanted = [_innodb_phrase(phrase) for phrase in terms.wanted]
    unwanted = [_innodb_phrase(phrase) for phrase in terms.unwanted]
    return " ".join(
        [f"+{quoted(phrase)}" for phrase in wanted if phrase]
        + [f"-{quoted(phrase)}" for phrase in unwanted if phrase]
    )


def _ranked(
    dialect: str,
    terms: SearchTerms,
    conditions: Sequence[ColumnElement[bool]],
    *,
    limit: int,
    offset: int,
) -> Select[int, int] | None:
    """Story ids of a page of matches, best first, each with the number of ranked matches;
    None when the engine would find nothing in these terms."""
    if dialect == "sqlite":
        match = _FTS5_TABLE.op("MATCH")(_fts5_query(terms))
        # bm25 is lower for a better match; a title weighs ten body words, a subtitle four.
        score = func.bm25(_FTS5_TABLE, 10.0, 4.0, 1.0)
        candidates = (
            select(Article.id.label("id"), score.label("score"))
            .select_from(_FTS5)
            .join(Article, Article.id == _FTS5.c.rowid)
            .where(match, *conditions)
        )
        return _ranked_page(
            _newest_matches(candidates), best_first=False, limit=limit, offset=offset
        )
    if dialect == "postgresql":
        query = func.websearch_to_tsquery(_POSTGRESQL_CONFIGURATION, _websearch_query(terms))
        matches = (
            select(Article.id.label("id"), _TSVECTOR.label("fts"))
            .join(SearchDocument, SearchDocument.article_id == Article.id)
            .where(_TSVECTOR.op("@@")(query), *conditions)
            .order_by(*NEWEST_FIRST)
            .limit(RANKED_MATCHES)
            .subquery()
        )
        # Ranked outside the newest matches, so only they are weighed, whatever the plan.
        candidates = select(matches.c.id, func.ts_rank(matches.c.fts, query).label("score"))
        return _ranked_page(candidates, best_first=True, limit=limit, offset=offset)
    against = _boolean_query(terms)
    if not against:
        return None
    words = SearchDocument.__table__.c
    everywhere = mysql.match(words.title, words.subtitle, words.body, against=against)
    in_title = mysql.match(words.title, against=against)
    candidates = (
        select(
            Article.id.label("id"),
            (3 * in_title.in_boolean_mode() + everywhere.in_boolean_mode()).label("score"),
        )
        .join(SearchDocument, SearchDocument.article_id == Article.id)
        .where(everywhere.in_boolean_mode(), *conditions)
    )
    return _ranked_page(_newest_matches(candidates), best_first=True, limit=limit, offset=offset)


async def _passages(
    session: AsyncSession, dialect: str, terms: SearchTerms, ids: Sequence[int]
) -> dict[int, Markup]:
    """A passage of each story in `ids` around the searched words, which are marked."""
    if dialect == "sqlite":
        match = _FTS5_TABLE.op("MATCH")(_fts5_query(terms))
        start, end = QUOTE_MARKS
        passage = func.snippet(_FTS5_TABLE, 2, start, end, " … ", _QUOTED_WORDS)
        query = select(_FTS5.c.rowid, passage).where(match, _FTS5.c.rowid.in_(ids))
    elif dialect == "postgresql":
        tsquery = func.websearch_to_tsquery(_POSTGRESQL_CONFIGURATION, _websearch_query(terms))
        opening = func.left(SearchDocument.body, _HEADLINE_CHARACTERS)
        headline = func.ts_headline(_POSTGRESQL_CONFIGURATION, opening, tsquery, _HEADLINE_OPTIONS)
        query = select(SearchDocument.article_id, headline).where(
            SearchDocument.article_id.in_(ids)
        )
    else:
        bodies = select(SearchDocument.article_id, SearchDocument.body).where(
            SearchDocument.article_id.in_(ids)
        )
        rows = await session.execute(bodies)
        return {id_: marked(passage_around(body, terms.words)) for id_, body in rows}
    return {id_: marked(text) for id_, text in await session.execute(query)}


async def _stories(
    session: AsyncSession,
    terms: SearchTerms,
    narrowing: Narrowing,
    *,
    viewer: User | None,
    limit: int,
    offset: int,
) -> tuple[list[FoundStory], int]:
    conditions, keys = _conditions(narrowing)
    effects.shown(session, effects.SEARCH, *keys)
    dialect = session.get_bind().dialect.name
    ranked = _ranked(dialect, terms, conditions, limit=limit, offset=offset) if terms else None
    if ranked is None:
        return [], 0
    page = (await session.execute(ranked)).all()
    if not page:
        if offset == 0:
            return [], 0
        # Past the last match: the count alone, for the pages before it.
        ranked = _ranked(dialect, terms, conditions, limit=1, offset=0)
        first = (await session.execute(ranked)).first() if ranked is not None else None
        return [], first.total if first is not None else 0
    ids = [id_ for id_, _total in page]
    passages = await _passages(session, dialect, terms, ids)
    views = await views_of(session, ids, viewer=viewer)
    found = [FoundStory(view, passages.get(view.article.id, Markup())) for view in views]
    return found, page[0].total


async def _writers(
    session: AsyncSession, terms: SearchTerms, *, viewer: User | None
) -> list[FoundWriter]:
    words = terms.words[:3]
    if viewer is None:
        following: ColumnElement[bool] = false()
    else:
        following = (
            select(Follow.followed_id)
            .where(Follow.followed_id == User.id, Follow.follower_id == viewer.id)
            .exists()
        )
    query = (
        select(User, following)
        .where(
            or_(*(User.username_key.startswith(word, autoescape=True) for word in words)),
            User.suspended_at.is_(None),
        )
        .order_by(User.username_key)
        .limit(SUGGESTIONS)
    )
    writers = [FoundWriter(user, bool(follows)) for user, follows in await session.execute(query)]
    effects.shown(session, *(effects.author(writer.user.id) for writer in writers))
    return writers


async def _tags(session: AsyncSession, terms: SearchTerms) -> list[str]:
    uses = func.count(article_tags.c.article_id)
    query = (
        select(Tag.name)
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .join(Article, Article.id == article_tags.c.article_id)
        .where(
            or_(*(Tag.name_key.startswith(word, autoescape=True) for word in terms.words[:3])),
            LISTED,
        )
        .group_by(Tag.id, Tag.name, Tag.name_key)
        .order_by(uses.desc(), Tag.name_key)
        .limit(SUGGESTIONS)
    )
    effects.shown(session, effects.TAGS)
    return list(await session.scalars(query))


async def _publications(session: AsyncSession, terms: SearchTerms) -> list[Publication]:
    name = func.lower(Publication.name)
    query = (
        select(Publication)
        .where(or_(*(name.contains(word, autoescape=True) for word in terms.words[:3])))
        .order_by(Publication.followers_count.desc(), Publication.id)
        .limit(SUGGESTIONS)
    )
    places = list(await session.scalars(query))
    effects.shown(session, *(effects.publication(place.id) for place in places))
    return places


async def search(
    session: AsyncSession,
    terms: SearchTerms,
    narrowing: Narrowing,
    *,
    viewer: User | None,
    limit: int,
    offset: int,
) -> Results:
    """Listed stories that hold `terms`, best match first, with a passage of each; and the
    writers, tags and publications whose names begin with (or, for publications, hold) one of
    the words."""
    stories, total = await _stories(
        session, terms, narrowing, viewer=viewer, limit=limit, offset=offset
    )
    if not terms:
        return Results(stories, total, writers=[], tags=[], publications=[])
    return Results(
        stories,
        total,
        writers=await _writers(session, terms, viewer=viewer),
        tags=await _tags(session, terms),
        publications=await _publications(session, terms),
    )
