"""Reads of stories as a given reader sees them, shared by the API and the pages."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, defer, selectinload

from broadsheet import effects
from broadsheet.accounts.models import Follow, User
from broadsheet.accounts.service import not_suspended, username_key
from broadsheet.articles.models import Article, Favorite, RetiredSlug, Revision, Status
from broadsheet.cache import Totals
from broadsheet.errors import NotFound
from broadsheet.publications.models import Publication, PublicationFollow
from broadsheet.publications.service import edited_by
from broadsheet.reactions.models import Clap
from broadsheet.tags.models import Tag, TagFollow, article_tags, tag_key


class ArticleNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("article not found", field="article")


@dataclass(frozen=True)
class ArticleView:
    """A story with its author, tags and the reader's relation to both: whether they favorited
    it, how many times they clapped for it, whether they follow its author."""

    article: Article
    favorited: bool
    following: bool
    claps: int = 0


@dataclass(frozen=True)
class ArticlePage:
    views: list[ArticleView]
    total: int


# Nobody sees what a suspended account wrote.
_BY_ACTIVE_WRITERS = not_suspended(Article.author_id)


def visible_to(viewer: User | None) -> ColumnElement[bool]:
    """The stories `viewer` may open: published and unlisted ones, any of their own, and those
    in or submitted to a publication they edit for, unless their writer is suspended. The one
    rule every read of a single story goes through."""
    public = Article.status.in_((Status.PUBLISHED, Status.UNLISTED))
    if viewer is None:
        return and_(public, _BY_ACTIVE_WRITERS)
    edits_for = edited_by(viewer.id)
    return and_(
        or_(
            public,
            Article.author_id == viewer.id,
            Article.submitted_to_id.in_(edits_for),
            Article.publication_id.in_(edits_for),
        ),
        _BY_ACTIVE_WRITERS,
    )


# The stories lists, feeds, the sitemap and tag counts hold; the others are read by link.
LISTED = and_(Article.status == Status.PUBLISHED, _BY_ACTIVE_WRITERS)
NEWEST_FIRST = (Article.published_at.desc(), Article.id.desc())


Viewed = Select[Article, bool, bool, int]
# Bodies run to 100 KB each and lists do not show them.
_WITHOUT_BODIES = (defer(Article.body, raiseload=True), defer(Article.body_html, raiseload=True))


def _viewed_by(viewer: User | None) -> Viewed:
    """Stories with author, publication and tags loaded, plus whether `viewer` favorited them
    and follows their authors and how many times they clapped: one query for the rows and one
    for every tag, whatever the page size."""
    if viewer is None:
        favorited: ColumnElement[bool] = false()
        following: ColumnElement[bool] = false()
        claps: ColumnElement[int] = literal(0)
    else:
        favorited = (
            select(Favorite.article_id)
            .where(Favorite.article_id == Article.id, Favorite.user_id == viewer.id)
            .exists()
        )
        following = (
            select(Follow.followed_id)
            .where(Follow.followed_id == Article.author_id, Follow.follower_id == viewer.id)
            .exists()
        )
        claps = func.coalesce(
            select(Clap.count)
            .where(Clap.article_id == Article.id, Clap.user_id == viewer.id)
            .scalar_subquery(),
            0,
        )
    return (
        select(
            Article,
            favorited.label("favorited"),
            following.label("following"),
            claps.label("claps"),
        )
        .join(Article.author)
        .outerjoin(Article.publication)
        .options(
            contains_eager(Article.author),
            contains_eager(Article.publication),
            # A query only when a story on the page waits for editors.
            selectinload(Article.submitted_to),
            selectinload(Article.series),
            selectinload(Article.tags),
        )
    )


async def _views(session: AsyncSession, query: Viewed) -> list[ArticleView]:
    rows = await session.execute(query)
    views = [
        ArticleView(article, favorited=bool(favorited), following=bool(following), claps=claps)
        for article, favorited, following, claps in rows
    ]
    shown = ((view.article.id, view.article.author_id) for view in views)
    effects.shown(session, *effects.keys_of_stories(shown))
    places = {view.article.publication_id for view in views} - {None}
    effects.shown(session, *(effects.publication(id_) for id_ in places if id_ is not None))
    return views


async def article_view(session: AsyncSession, slug: str, *, viewer: User | None) -> ArticleView:
    """The story `slug`, if `viewer` may see it."""
    return await _one(session, _viewed_by(viewer).where(Article.slug == slug, visible_to(viewer)))


async def previewed_view(session: AsyncSession, token: str) -> ArticleView:
    """The story a writer shared the preview link `token` of."""
    return await _one(session, _viewed_by(None).where(Article.preview_token == token))


async def views_of(
    session: AsyncSession, ids: Sequence[int], *, viewer: User | None, with_body: bool = False
) -> list[ArticleView]:
    """The stories numbered `ids`, in the order of `ids` (without their bodies, unless
    `with_body`)."""
    if not ids:
        return []
    query = _viewed_by(viewer).where(Article.id.in_(ids))
    if not with_body:
        query = query.options(*_WITHOUT_BODIES)
    by_id = {view.article.id: view for view in await _views(session, query)}
    return [by_id[id_] for id_ in ids if id_ in by_id]


async def _one(session: AsyncSession, query: Viewed) -> ArticleView:
    views = await _views(session, query)
    if not views:
        raise ArticleNotFound()
    return views[0]


@dataclass(frozen=True)
class Selection:
    """Which stories a list holds: the conditions that pick them, the surrogate keys of that
    choice (what changes it), and a name for its count. Built together, filter by filter, so no
    two lists can share a count, and no filter can go without its key."""

    conditions: list[ColumnElement[bool]]
    keys: list[str]
    name: str


def selection(
    *,
    tag: str | None,
    author: str | None,
    favorited_by: str | None,
    publication: Publication | None,
) -> Selection:
    conditions: list[ColumnElement[bool]] = [LISTED]
    keys: list[str] = []
    if tag is not None:
        tagged = (
            select(article_tags.c.article_id)
            .join(Tag, Tag.id == article_tags.c.tag_id)
            .where(Tag.name_key == tag_key(tag))
        )
        conditions.append(Article.id.in_(tagged))
        keys.append(effects.tagged(tag))
    if author is not None:
        # correlate(None): the outer query joins users too, and this must not refer to that row.
        authors = select(User.id).where(User.username_key == username_key(author)).correlate(None)
        conditions.append(Article.author_id.in_(authors))
        keys.append(effects.stories_by(username_key(author)))
    if favorited_by is not None:
        favorites = (
            select(Favorite.article_id)
            .join(User, User.id == Favorite.user_id)
            .where(User.username_key == username_key(favorited_by))
            .correlate(None)
        )
        conditions.append(Article.id.in_(favorites))
        keys.append(effects.favorites_of(username_key(favorited_by)))
    if publication is not None:
        conditions.append(Article.publication_id == publication.id)
        keys.append(effects.stories_in(publication.id))
    if not keys:
        keys.append(effects.STORIES)
    return Selection(conditions, keys, name=" ".join(keys))


async def _count(session: AsyncSession, filters: Sequence[ColumnElement[bool]]) -> int:
    return await session.scalar(select(func.count(Article.id)).where(*filters)) or 0


async def _page(
    session: AsyncSession,
    filters: Sequence[ColumnElement[bool]],
    *,
    viewer: User | None,
    limit: int,
    offset: int,
    with_body: bool,
    total: int,
    order: Sequence[ColumnElement[Any]] = NEWEST_FIRST,
) -> ArticlePage:
    if total <= offset:
        return ArticlePage(views=[], total=total)
    query = _viewed_by(viewer).where(*filters).order_by(*order).limit(limit).offset(offset)
    if not with_body:
        query = query.options(*_WITHOUT_BODIES)
    return ArticlePage(views=await _views(session, query), total=total)


async def stories_where(
    session: AsyncSession,
    filters: Sequence[ColumnElement[bool]],
    *,
    viewer: User | None,
    limit: int,
    offset: int,
    order: Sequence[ColumnElement[Any]] = NEWEST_FIRST,
    with_body: bool = False,
) -> ArticlePage:
    """A page of the stories that meet `filters`, in `order`, with how many there are."""
    return await _page(
        session,
        filters,
        viewer=viewer,
        limit=limit,
        offset=offset,
        with_body=with_body,
        total=await _count(session, filters),
        order=order,
    )


async def list_articles(
    session: AsyncSession,
    *,
    viewer: User | None,
    tag: str | None = None,
    author: str | None = None,
    favorited_by: str | None = None,
    publication: Publication | None = None,
    limit: int = 20,
    offset: int = 0,
    with_body: bool = False,
    totals: Totals | None = None,
) -> ArticlePage:
    """Stories, most recent first, optionally by tag, author, who favorited them, or the
    publication they are in; `totals` keeps the count of each list between writes."""
    chosen = selection(tag=tag, author=author, favorited_by=favorited_by, publication=publication)
    effects.shown(session, *chosen.keys)

    async def count() -> int:
        return await _count(session, chosen.conditions)

    # Who reads does not change how many stories a list holds.
    total = await (totals.get(chosen.name, chosen.keys, count) if totals is not None else count())
    return await _page(
        session,
        chosen.conditions,
        viewer=viewer,
        limit=limit,
        offset=offset,
        with_body=with_body,
        total=total,
    )


async def feed_for(session: AsyncSession, reader: User, *, limit: int, offset: int) -> ArticlePage:
    """Stories by the authors, in the publications and with the tags `reader` follows, most
    recent first."""
    followed = select(Follow.followed_id).where(Follow.follower_id == reader.id)
    followed_places = select(PublicationFollow.publication_id).where(
        PublicationFollow.user_id == reader.id
    )
    followed_tags = select(TagFollow.tag_id).where(TagFollow.user_id == reader.id)
    tagged = select(article_tags.c.article_id).where(article_tags.c.tag_id.in_(followed_tags))
    filters = [
        LISTED,
        or_(
            Article.author_id.in_(followed),
            Article.publication_id.in_(followed_places),
            Article.id.in_(tagged),
        ),
    ]
    return await stories_where(session, filters, viewer=reader, limit=limit, offset=offset)


async def stories_of(
    session: AsyncSession, writer: User, *, status: Status, limit: int, offset: int
) -> ArticlePage:
    """The writer's own stories in `status`: drafts by their last change, scheduled ones by
    when they go public, the others newest first."""
    filters = [Article.author_id == writer.id, Article.status == status]
    if status == Status.DRAFT:
        order: Sequence[ColumnElement[Any]] = (Article.updated_at.desc(), Article.id.desc())
    elif status == Status.SCHEDULED:
        order = (Article.published_at.asc(), Article.id.asc())
    else:
        order = NEWEST_FIRST
    return await stories_where(
        session, filters, viewer=writer, limit=limit, offset=offset, order=order
    )


async def current_slug(session: AsyncSession, retired_slug: str) -> str | None:
    """The slug of the story that once had `retired_slug`, if any."""
    query = (
        select(Article.slug)
        .join(RetiredSlug, RetiredSlug.article_id == Article.id)
        .where(RetiredSlug.slug == retired_slug)
    )
    return await session.scalar(query)


async def story_locations(session: AsyncSession, *, limit: int) -> list[tuple[str, str, datetime]]:
    """(author's username, slug, last change) of the most recent stories, for the sitemap."""
    query = (
        select(User.username, Article.slug, Article.updated_at)
        .join(User, User.id == Article.author_id)
        .where(LISTED)
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    )
    effects.shown(session, effects.SITEMAP)
    return [(username, slug, updated) for username, slug, updated in await session.execute(query)]


async def revisions_of(session: AsyncSession, article: Article, *, limit: int) -> list[Revision]:
    """The story's latest revisions, newest first, with who saved each."""
    query = (
        select(Revision)
        .where(Revision.article_id == article.id)
        .options(selectinload(Revision.saved_by))
        .order_by(Revision.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(query))


async def parts_of_series(session: AsyncSession, series_id: int, *, limit: int) -> ArticlePage:
    """The latest published parts of a series, with their bodies, for its feed."""
    filters = [LISTED, Article.series_id == series_id]
    effects.shown(session, effects.series(series_id))
    return await stories_where(session, filters, viewer=None, limit=limit, offset=0, with_body=True)


# How many stories "More from …" and "Related stories" each offer under a story.
NEXT_READS = 3
# Related stories are chosen among the newest that share a tag with the story, this many.
_RELATED_CANDIDATES = 50


@dataclass(frozen=True)
class NextReads:
    more_from_writer: list[ArticleView]
    related: list[ArticleView]


def _shared_tags(story_id: ColumnElement[int], tag_ids: Sequence[int]) -> ColumnElement[int]:
    return (
        select(func.count())
        .select_from(article_tags)
        .where(article_tags.c.article_id == story_id, article_tags.c.tag_id.in_(tag_ids))
        .scalar_subquery()
    )


async def next_reads(session: AsyncSession, article: Article, *, viewer: User | None) -> NextReads:
    """What to read after `article`: its writer's latest other stories, and stories by others
    that share its tags, those sharing most first, then the most applauded, among the newest."""
    by_writer = (
        select(Article.id)
        .where(LISTED, Article.author_id == article.author_id, Article.id != article.id)
        .order_by(*NEWEST_FIRST)
        .limit(NEXT_READS)
    )
    more_ids = list(await session.scalars(by_writer))
    related_ids: list[int] = []
    tag_ids = [tag.id for tag in article.tags]
    if tag_ids:
        tagged = select(article_tags.c.article_id).where(article_tags.c.tag_id.in_(tag_ids))
        candidates = (
            select(Article.id.label("id"), Article.claps_count.label("claps"))
            .where(LISTED, Article.author_id != article.author_id, Article.id.in_(tagged))
            .order_by(*NEWEST_FIRST)
            .limit(_RELATED_CANDIDATES)
            .subquery()
        )
        ranked = (
            select(candidates.c.id)
            .order_by(
                _shared_tags(candidates.c.id, tag_ids).desc(),
                candidates.c.claps.desc(),
                candidates.c.id.desc(),
            )
            .limit(NEXT_READS)
        )
        related_ids = list(await session.scalars(ranked))
    views = {
        view.article.id: view
        for view in await views_of(session, more_ids + related_ids, viewer=viewer)
    }
    effects.shown(
        session,
        effects.stories_by(article.author.username_key),
        *(effects.tagged(tag.name) for tag in article.tags),
    )
    return NextReads(
        more_from_writer=[views[id_] for id_ in more_ids if id_ in views],
        related=[views[id_] for id_ in related_ids if id_ in views],
    )
