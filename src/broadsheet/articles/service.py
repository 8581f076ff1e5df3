"""Stories: writing, editing, publishing, deleting and favoriting. No HTTP in here."""

import secrets
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import quote

from pydantic import ValidationError
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from broadsheet import effects, jobs
from broadsheet.accounts.models import User
from broadsheet.articles.jobs import ANNOUNCE_DELAY_SECONDS, ANNOUNCE_FEEDS
from broadsheet.articles.models import Article, Favorite, RetiredSlug, Revision, Status
from broadsheet.articles.queries import ArticleNotFound, visible_to
from broadsheet.articles.schemas import ArticleCreate, DraftCreate, DraftUpdate
from broadsheet.db import add_unless_present
from broadsheet.errors import Forbidden, Invalid, NotFound, validation_problems
from broadsheet.lib import markdown
from broadsheet.lib.clock import as_utc, utcnow
from broadsheet.lib.slugs import retitled_slug, unique_slug
from broadsheet.lists.models import ListEntry, StoryList
from broadsheet.media.service import own_upload
from broadsheet.publications import service as publications
from broadsheet.publications.models import Outcome
from broadsheet.search import service as search
from broadsheet.tags.service import tags_named

SLUG_ATTEMPTS = 5


class NotTheAuthor(Forbidden):
    def __init__(self, *, or_editors: bool = True) -> None:
        who = "the author, or an editor of its publication," if or_editors else "the author"
        super().__init__(f"only {who} may change this story", field="article")


class RevisionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("revision not found", field="revision")


class NotInTheFuture(Invalid):
    def __init__(self) -> None:
        super().__init__({"publishAt": ["must be in the future"]})


# Readable by anyone with the link; of these, only published stories are listed.
PUBLIC = frozenset({Status.PUBLISHED, Status.UNLISTED})


def can_edit(user: User | None, article: Article, *, edits_for: Collection[int] = ()) -> bool:
    """Whether `user` may change `article`: its author, or an owner or editor of the
    publication it is in or waits for (`edits_for` holds the publications `user` edits for).
    The one rule the services and the pages share."""
    if user is None:
        return False
    if article.author_id == user.id:
        return True
    places = (article.publication_id, article.submitted_to_id)
    return any(place is not None and place in edits_for for place in places)


async def may_edit(session: AsyncSession, user: User | None, article: Article) -> bool:
    """can_edit(), finding out which publications `user` edits for only when it matters."""
    if user is None or article.author_id == user.id:
        return can_edit(user, article)
    if article.publication_id is None and article.submitted_to_id is None:
        return False
    edits_for = await publications.editing_places(session, user)
    return can_edit(user, article, edits_for=edits_for)


async def ensure_can_edit(session: AsyncSession, article: Article, user: User) -> None:
    if not await may_edit(session, user, article):
        raise NotTheAuthor()


def ensure_is_author(article: Article, user: User) -> None:
    """Deleting a story is its author's alone, whoever else may edit it."""
    if article.author_id != user.id:
        raise NotTheAuthor(or_editors=False)


async def _retire(session: AsyncSession, old_slug: str, article: Article) -> None:
    """Keep `old_slug` pointing at `article`, so links to its earlier address still work."""
    await session.execute(delete(RetiredSlug).where(RetiredSlug.slug == article.slug))
    await session.execute(delete(RetiredSlug).where(RetiredSlug.slug == old_slug))
    session.add(RetiredSlug(slug=old_slug, article_id=article.id))
    await session.flush()


async def find_article(
    session: AsyncSession,
    slug: str,
    *,
    viewer: User | None,
    with_tags: bool = False,
    with_author: bool = False,
    locked: bool = False,
) -> Article:
    """The story `slug` if `viewer` may see it; `locked` holds its row until the transaction
    ends."""
    query = select(Article).where(Article.slug == slug, visible_to(viewer))
    if with_tags:
        query = query.options(selectinload(Article.tags))
    if with_author:
        query = query.options(selectinload(Article.author))
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


def ensure_complete(article: Article) -> None:
    """Refuse to make public, or to schedule, a story that lacks what a published one needs:
    the rule is the one new stories are checked by."""
    fields = {"title": article.title, "description": article.description, "body": article.body}
    try:
        ArticleCreate.model_validate(fields)
    except ValidationError as error:
        raise Invalid(validation_problems(error.errors())) from error


def _set_status(
    article: Article, status: Status, *, publish_at: datetime | None, now: datetime
) -> None:
    """Put `article` in `status`. A story keeps the time it first went public, so taking it
    down and putting it back does not move it to the top of every list."""
    if status == Status.SCHEDULED:
        if publish_at is None or publish_at <= now:
            raise NotInTheFuture()
        # In UTC: SQLite keeps a time as written, and compares times as text.
        article.published_at = as_utc(publish_at)
    elif article.status == Status.SCHEDULED:
        # Taken off the schedule before its time, it never went public.
        article.published_at = now if status in PUBLIC else None
    elif status in PUBLIC and article.published_at is None:
        article.published_at = now
    if status != Status.DRAFT:
        ensure_complete(article)
    article.status = status


def _set_text(article: Article, *, title: str, description: str, body: str) -> None:
    article.title = title
    article.description = description
    # Rendering 100 KB of Markdown is the dearest part of a save: only for a changed body.
    if body != article.body:
        article.body = body
        article.body_html = markdown.render(body)
        article.reading_minutes = markdown.reading_minutes(body)


async def _set_cover(session: AsyncSession, article: Article, url: str, *, by: User) -> None:
    """Show the writer's upload at `url` as the story's cover; an empty `url` takes it away."""
    if url == (article.cover_image or ""):
        return
    if not url:
        article.cover_image = article.cover_alt = None
        return
    upload = await own_upload(session, url, by=by, field="coverImage")
    article.cover_image, article.cover_alt = upload.url, upload.alt


async def _set_publication(session: AsyncSession, article: Article, slug: str, *, by: User) -> None:
    """Publish `article` in the publication at `slug`, if `by` may publish there; an empty
    `slug` takes it out of the one it is in."""
    before = article.publication_id
    if not slug:
        article.publication_id = None
    else:
        publication = await publications.named_publication(session, slug)
        if publication.id == before:
            return
        if not publications.can_publish(await publications.place_of(session, publication, by)):
            raise publications.NotAllowed(
                "is one only its editors and owners may publish stories in"
            )
        article.publication_id = publication.id
    if article.publication_id != before:
        gone_or_come = (before, article.publication_id)
        effects.changed(session, *(effects.stories_in(id_) for id_ in gone_or_come if id_))


async def write(session: AsyncSession, story: DraftCreate, *, by: User) -> Article:
    """Save a new story by `by`: published at once unless `story` asks for another status."""
    now = utcnow()
    article = Article(
        slug=unique_slug(story.title),
        author_id=by.id,
        created_at=now,
        updated_at=now,
        favorites_count=0,
        claps_count=0,
        status=Status.DRAFT,
        published_at=None,
        tags=await tags_named(session, story.tag_list),
    )
    _set_text(article, title=story.title, description=story.description, body=story.body)
    await _set_cover(session, article, story.cover_image, by=by)
    await _set_publication(session, article, story.publication, by=by)
    _set_status(article, story.status or Status.PUBLISHED, publish_at=story.publish_at, now=now)
    await _insert_with_free_slug(session, article, story.title)
    await search.index_story(session, article)
    _keep_revision(session, article, by=by)
    if article.status == Status.PUBLISHED:
        _arrives_or_leaves(session, article, author_key=by.username_key, tag_names=story.tag_list)
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
    if article.publication_id is not None:
        keys.append(effects.stories_in(article.publication_id))
    if article.series_id is not None:
        keys.append(effects.series(article.series_id))
    effects.changed(session, effects.story(article.id), *keys, *_tag_keys(tag_names))


async def edit(session: AsyncSession, slug: str, changes: DraftUpdate, *, by: User) -> Article:
    """Change a story, or where it stands; only its author may. A new title gives it a new
    slug, and a story that has been public keeps its old address as a redirect."""
    article = await find_article(session, slug, viewer=by, with_tags=True, with_author=True)
    await ensure_can_edit(session, article, by)
    was_listed = article.status == Status.PUBLISHED
    tags_before = [tag.name for tag in article.tags]
    words_before = (article.title, article.description, article.body)
    retitled = changes.title is not None and changes.title != article.title
    _set_text(
        article,
        title=article.title if changes.title is None else changes.title,
        description=article.description if changes.description is None else changes.description,
        body=article.body if changes.body is None else changes.body,
    )
    if changes.tag_list is not None:
        article.tags = await tags_named(session, changes.tag_list)
    if changes.cover_image is not None:
        await _set_cover(session, article, changes.cover_image, by=by)
    if changes.publication is not None:
        await _set_publication(session, article, changes.publication, by=by)
    now = utcnow()
    if changes.status is not None:
        _set_status(article, changes.status, publish_at=changes.publish_at, now=now)
    elif article.status != Status.DRAFT:
        ensure_complete(article)
    if article.submitted_to_id is not None and article.status != Status.DRAFT:
        # A submitted draft goes out only as its publication's editors decide, and in it.
        await publications.decide(session, article, Outcome.PUBLISHED, by=by)
    if changes.update_note is not None:
        _note_update(article, changes.update_note, now=now)
    article.updated_at = now
    _keep_revision(session, article, by=by)
    _record_edit(
        session, article, author=article.author, was_listed=was_listed, tags_before=tags_before
    )
    if retitled:
        old_slug = article.slug
        await _move_to_free_slug(session, article, article.title)
        if article.published_at is not None:
            await _retire(session, old_slug, article)
    else:
        await session.flush()
    if (article.title, article.description, article.body) != words_before:
        await search.index_story(session, article)
    return article


def _note_update(article: Article, note: str, *, now: datetime) -> None:
    """Set the note readers see above the story; it is dated when its words change."""
    if (note or None) != article.update_note:
        article.update_note = note or None
        article.update_noted_at = now if note else None


def _keep_revision(session: AsyncSession, article: Article, *, by: User) -> None:
    """Keep the story as this save leaves it, once it has been made public: its history."""
    if article.status not in PUBLIC:
        return
    session.add(
        Revision(
            article_id=article.id,
            title=article.title,
            description=article.description,
            body=article.body,
            tag_names=[tag.name for tag in article.tags],
            saved_by_id=by.id,
            saved_at=article.updated_at,
        )
    )


async def restore(session: AsyncSession, slug: str, revision_id: int, *, by: User) -> Article:
    """Save the story as revision `revision_id` left it: a new save, so a new revision."""
    article = await find_article(session, slug, viewer=by)
    await ensure_can_edit(session, article, by)
    revision = await session.scalar(
        select(Revision).where(Revision.id == revision_id, Revision.article_id == article.id)
    )
    if revision is None:
        raise RevisionNotFound()
    changes = DraftUpdate(
        title=revision.title,
        description=revision.description,
        body=revision.body,
        tag_list=revision.tag_names,
    )
    return await edit(session, slug, changes, by=by)


def _record_edit(
    session: AsyncSession,
    article: Article,
    *,
    author: User,
    was_listed: bool,
    tags_before: list[str],
) -> None:
    """Record what an edit of `article` changes: the story itself, and the lists it was or is
    on; and have the feeds that list it announced."""
    listed = article.status == Status.PUBLISHED
    tags_after = [tag.name for tag in article.tags]
    effects.changed(session, effects.story(article.id))
    if article.series_id is not None:
        # Its neighbours in the series show its title, and the series counts its parts.
        effects.changed(session, effects.series(article.series_id))
    if not (was_listed or listed):
        return
    if was_listed != listed:
        tags = [*tags_before, *tags_after]
        _arrives_or_leaves(session, article, author_key=author.username_key, tag_names=tags)
    else:
        effects.changed(session, effects.SITEMAP)
        if tags_before != tags_after:
            effects.changed(session, *_tag_keys(tags_before), *_tag_keys(tags_after))
    _announce_feeds(session, author_username=author.username)


async def publish_due(session: AsyncSession, *, now: datetime) -> int:
    """Publish every scheduled story whose time has come; how many. Publishing one twice
    changes nothing, so however many workers sweep at once, each story arrives once."""
    query = (
        select(Article)
        .where(Article.status == Status.SCHEDULED, Article.published_at <= now)
        .options(selectinload(Article.author), selectinload(Article.tags))
        .order_by(Article.published_at, Article.id)
        .with_for_update()
    )
    due = (await session.scalars(query)).all()
    for article in due:
        article.status = Status.PUBLISHED
        article.updated_at = now
        _keep_revision(session, article, by=article.author)
        _record_edit(
            session,
            article,
            author=article.author,
            was_listed=False,
            tags_before=[tag.name for tag in article.tags],
        )
    await session.flush()
    return len(due)


async def share_preview(session: AsyncSession, slug: str, *, by: User) -> Article:
    """Give the story a preview link its writer can send before it is public; sharing again
    keeps the link that is out."""
    article = await find_article(session, slug, viewer=by)
    await ensure_can_edit(session, article, by)
    if article.preview_token is None:
        article.preview_token = secrets.token_urlsafe(32)
        await session.flush()
    return article


async def revoke_preview(session: AsyncSession, slug: str, *, by: User) -> Article:
    """End the story's preview link: whoever holds it can no longer read the draft."""
    article = await find_article(session, slug, viewer=by)
    await ensure_can_edit(session, article, by)
    article.preview_token = None
    effects.changed(session, effects.story(article.id))
    await session.flush()
    return article


async def remove(session: AsyncSession, slug: str, *, by: User) -> None:
    """Delete a story with its comments and favorites; only its author may."""
    article = await find_article(session, slug, viewer=by, with_tags=True)
    ensure_is_author(article, by)
    tag_names = [tag.name for tag in article.tags]
    _arrives_or_leaves(session, article, author_key=by.username_key, tag_names=tag_names)
    if article.status == Status.PUBLISHED:
        _announce_feeds(session, author_username=by.username)
    favorited_by = select(User.username_key).join(Favorite, Favorite.user_id == User.id)
    favorited_by = favorited_by.where(Favorite.article_id == article.id)
    favorites = await session.scalars(favorited_by)
    effects.changed(session, *(effects.favorites_of(key) for key in favorites))
    await _leave_lists(session, article)
    # The database's ON DELETE CASCADE removes its comments, favorites, tag links and places
    # in lists.
    await session.execute(delete(Article).where(Article.id == article.id))


async def _leave_lists(session: AsyncSession, article: Article) -> None:
    """Count `article` out of every list that holds it, before the cascade removes it."""
    holding = select(ListEntry.list_id).where(ListEntry.article_id == article.id)
    lists = list(await session.scalars(holding))
    if not lists:
        return
    await session.execute(
        update(StoryList)
        .where(StoryList.id.in_(lists))
        .values(stories_count=StoryList.stories_count - 1)
        .execution_options(synchronize_session=False)
    )
    effects.changed(session, *(effects.story_list(list_id) for list_id in lists))


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
    article = await find_article(session, slug, viewer=by, locked=True)
    if await add_unless_present(session, Favorite(user_id=by.id, article_id=article.id)):
        await _shift_favorites_count(session, article, +1, by=by)
    return article


async def unfavorite(session: AsyncSession, slug: str, *, by: User) -> Article:
    """Take back a favorite; taking back one that is not there changes nothing."""
    article = await find_article(session, slug, viewer=by, locked=True)
    removed = await session.execute(
        delete(Favorite).where(Favorite.user_id == by.id, Favorite.article_id == article.id)
    )
    if cast(CursorResult[Any], removed).rowcount:
        await _shift_favorites_count(session, article, -1, by=by)
    return article
