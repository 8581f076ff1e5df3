"""Responses to stories: writing, replying, editing, listing, hiding and deleting them. No HTTP
in here."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, delete, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, contains_eager, selectinload

from broadsheet import effects
from broadsheet.accounts.models import Follow, User
from broadsheet.accounts.service import is_blocked, not_suspended
from broadsheet.articles.models import Article
from broadsheet.articles.service import find_article, may_edit
from broadsheet.comments.models import MAX_DEPTH, Comment
from broadsheet.comments.schemas import CommentCreate, CommentUpdate
from broadsheet.errors import Forbidden, Invalid, NotFound
from broadsheet.lib.clock import utcnow
from broadsheet.lib.markdown import render_response


class CommentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("comment not found", field="comment")


class NotTheCommenter(Forbidden):
    def __init__(self, *, or_moderators: bool = True) -> None:
        who = "the author, or whoever looks after the story," if or_moderators else "the author"
        super().__init__(f"only {who} may change this comment", field="comment")


class NotAModerator(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "only the story's writer, its publication's editors or a site admin may hide a "
            "response",
            field="comment",
        )


class BlockedByTheWriter(Forbidden):
    def __init__(self) -> None:
        super().__init__("cannot be sent: the story's writer has blocked you", field="comment")


class NoSuchParent(Invalid):
    def __init__(self) -> None:
        super().__init__({"parentId": ["is not a response to this story"]})


@dataclass(frozen=True)
class CommentView:
    """A response with the reader's relation to its writer, and whether the story is theirs."""

    comment: Comment
    following: bool
    by_story_author: bool = False


@dataclass
class Thread:
    """A response as the story page shows it: with the replies under it, and, for a reply
    nested too deep to sit under the response it answers, whose response that was."""

    view: CommentView
    replies: list["Thread"] = field(default_factory=list)
    replying_to: str | None = None


def can_delete(user: User | None, comment: Comment, *, moderates: bool) -> bool:
    """Whether `user` may delete `comment`: its writer, or someone who `moderates` the story's
    responses. The one rule the service and the pages share."""
    return user is not None and (comment.author_id == user.id or moderates)


def can_edit(user: User | None, comment: Comment) -> bool:
    """Whether `user` may change the text of `comment`: its writer alone."""
    return user is not None and comment.author_id == user.id


def moderates(user: User | None, *, may_edit_story: bool) -> bool:
    """Whether `user` looks after a story's responses: whoever may edit the story (its writer,
    and the editors of its publication), and the site's admins."""
    return may_edit_story or (user is not None and user.is_admin)


async def looks_after(session: AsyncSession, user: User | None, article: Article) -> bool:
    """moderates(), finding out whether `user` may edit the story only when it matters."""
    if user is not None and user.is_admin:
        return True
    return await may_edit(session, user, article)


async def respond(
    session: AsyncSession, slug: str, reply: CommentCreate, *, by: User
) -> CommentView:
    """Add a response by `by` under the story `slug`, or under the response it answers."""
    article = await find_article(session, slug, viewer=by)
    if await is_blocked(session, blocker_id=article.author_id, blocked_id=by.id):
        raise BlockedByTheWriter()
    now = utcnow()
    comment = Comment(
        article_id=article.id,
        author_id=by.id,
        body=reply.body,
        body_html=render_response(reply.body),
        created_at=now,
        updated_at=now,
    )
    if reply.parent_id is not None:
        try:
            answered = await _find_comment(session, article, reply.parent_id)
        except CommentNotFound:
            raise NoSuchParent() from None
        if not await _shown(session, answered, viewer=by, article=article):
            raise NoSuchParent()
        comment.reply_to_id = answered.id
        if answered.depth + 1 < MAX_DEPTH:
            comment.parent_id, comment.depth = answered.id, answered.depth + 1
        else:
            # Too deep to nest further: it sits beside the response it answers.
            comment.parent_id, comment.depth = answered.parent_id, answered.depth
    comment.author = by
    session.add(comment)
    await session.flush()
    effects.changed(session, effects.responses_to(article.id))
    return CommentView(comment, following=False, by_story_author=article.author_id == by.id)


def _shown_to(viewer: User | None, article: Article) -> Select[int]:
    """The ids of the responses to `article` that `viewer` sees: all but those hidden, and
    those under a hidden one, unless `viewer` wrote them."""
    query = select(Comment.id).where(Comment.article_id == article.id)
    chain: list[type[Comment]] = [Comment]
    for _ in range(MAX_DEPTH - 1):
        ancestor = aliased(Comment)
        query = query.outerjoin(ancestor, ancestor.id == chain[-1].parent_id)
        chain.append(ancestor)
    conditions: list[ColumnElement[bool]] = []
    for each in chain:
        unhidden = each.hidden_at.is_(None)
        conditions.append(
            unhidden if viewer is None else or_(unhidden, each.author_id == viewer.id)
        )
    return query.where(*conditions)


async def _shown(
    session: AsyncSession, comment: Comment, *, viewer: User, article: Article
) -> bool:
    if await looks_after(session, viewer, article):
        return True
    shown = _shown_to(viewer, article).where(Comment.id == comment.id)
    return await session.scalar(shown) is not None


async def comments_on(
    session: AsyncSession,
    slug: str,
    *,
    viewer: User | None,
    limit: int,
    offset: int = 0,
    viewer_moderates: bool | None = None,
) -> list[CommentView]:
    """A story's responses and replies that `viewer` may see, oldest first, with whether
    `viewer` follows each writer; `viewer_moderates` when the caller knows it already."""
    article = await find_article(session, slug, viewer=viewer)
    if viewer_moderates is None:
        viewer_moderates = await looks_after(session, viewer, article)
    if viewer is None:
        following: ColumnElement[bool] = false()
    else:
        following = (
            select(Follow.followed_id)
            .where(Follow.followed_id == Comment.author_id, Follow.follower_id == viewer.id)
            .exists()
        )
    query = (
        select(Comment, following.label("following"))
        .join(Comment.author)
        .options(contains_eager(Comment.author))
        .where(Comment.article_id == article.id, not_suspended(Comment.author_id))
        .order_by(Comment.created_at, Comment.id)
        .limit(limit)
        .offset(offset)
    )
    if not viewer_moderates:
        query = query.where(Comment.id.in_(_shown_to(viewer, article)))
    rows = await session.execute(query)
    views = [
        CommentView(
            comment,
            following=bool(follows),
            by_story_author=comment.author_id == article.author_id,
        )
        for comment, follows in rows
    ]
    commenters = (effects.author(view.comment.author_id) for view in views)
    effects.shown(session, effects.story(article.id), effects.responses_to(article.id), *commenters)
    return views


def threads(views: Sequence[CommentView]) -> list[Thread]:
    """Responses in threads, each reply under the response it sits under, oldest first."""
    placed: dict[int, Thread] = {}
    top: list[Thread] = []
    for view in views:
        comment = view.comment
        thread = Thread(view)
        placed[comment.id] = thread
        if comment.parent_id is None:
            top.append(thread)
        elif comment.parent_id in placed:
            placed[comment.parent_id].replies.append(thread)
        else:
            # Under a response beyond the page's limit: shown, not lost.
            top.append(thread)
        answered = placed.get(comment.reply_to_id) if comment.reply_to_id else None
        if answered is not None and comment.reply_to_id != comment.parent_id:
            thread.replying_to = answered.view.comment.author.username
    return top


async def find_shown_comment(
    session: AsyncSession, slug: str, comment_id: int, *, viewer: User
) -> Comment:
    """A response to the story `slug`, if `viewer` may see it."""
    article = await find_article(session, slug, viewer=viewer)
    comment = await _find_comment(session, article, comment_id)
    if not await _shown(session, comment, viewer=viewer, article=article):
        raise CommentNotFound()
    return comment


async def _find_comment(session: AsyncSession, article: Article, comment_id: int) -> Comment:
    comment = await session.scalar(
        select(Comment)
        .where(Comment.id == comment_id, Comment.article_id == article.id)
        .options(selectinload(Comment.author))
    )
    if comment is None:
        raise CommentNotFound()
    return comment


async def edit_comment(
    session: AsyncSession, slug: str, comment_id: int, change: CommentUpdate, *, by: User
) -> CommentView:
    """Change the text of a response; only its writer may."""
    article = await find_article(session, slug, viewer=by)
    comment = await _find_comment(session, article, comment_id)
    if not can_edit(by, comment):
        raise NotTheCommenter(or_moderators=False)
    if change.body != comment.body:
        comment.body = change.body
        comment.body_html = render_response(change.body)
        comment.edited_at = comment.updated_at = utcnow()
        effects.changed(session, effects.responses_to(article.id))
    await session.flush()
    return CommentView(comment, following=False, by_story_author=article.author_id == by.id)


async def hide_comment(
    session: AsyncSession, slug: str, comment_id: int, *, by: User, hidden: bool
) -> None:
    """Hide a response (and the replies under it) from everyone but its writer and those who
    look after the story, or show it again."""
    article = await find_article(session, slug, viewer=by)
    comment = await _find_comment(session, article, comment_id)
    if not await looks_after(session, by, article):
        raise NotAModerator()
    if (comment.hidden_at is not None) != hidden:
        comment.hidden_at = utcnow() if hidden else None
        effects.changed(session, effects.responses_to(article.id))
    await session.flush()


async def delete_comment(session: AsyncSession, slug: str, comment_id: int, *, by: User) -> None:
    """Delete a response, with the replies under it; its writer may, and so may whoever looks
    after the story."""
    article = await find_article(session, slug, viewer=by)
    comment = await _find_comment(session, article, comment_id)
    if not can_delete(by, comment, moderates=await looks_after(session, by, article)):
        raise NotTheCommenter()
    # The database's ON DELETE CASCADE removes the replies under it.
    await session.execute(delete(Comment).where(Comment.id == comment.id))
    effects.changed(session, effects.responses_to(article.id))
