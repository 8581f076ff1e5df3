"""Responses to stories: writing, listing and deleting them. No HTTP in here."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, false, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from broadsheet import effects
from broadsheet.accounts.models import Follow, User
from broadsheet.articles.service import find_article
from broadsheet.comments.models import Comment
from broadsheet.comments.schemas import CommentCreate
from broadsheet.errors import Forbidden, NotFound
from broadsheet.lib.clock import utcnow


class CommentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("comment not found", field="comment")


class NotTheCommenter(Forbidden):
    def __init__(self) -> None:
        super().__init__("only the author may delete this comment", field="comment")


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    following: bool


def can_delete(user: User | None, comment: Comment) -> bool:
    """Whether `user` may delete `comment`: the one rule the service and the pages share."""
    return user is not None and comment.author_id == user.id


async def respond(session: AsyncSession, slug: str, reply: CommentCreate, *, by: User) -> Comment:
    """Add a comment by `by` under the story `slug`."""
    article = await find_article(session, slug, viewer=by)
    now = utcnow()
    comment = Comment(
        article_id=article.id, author_id=by.id, body=reply.body, created_at=now, updated_at=now
    )
    comment.author = by
    session.add(comment)
    await session.flush()
    effects.changed(session, effects.responses_to(article.id))
    return comment


async def comments_on(
    session: AsyncSession, slug: str, *, viewer: User | None, limit: int, offset: int = 0
) -> list[CommentView]:
    """A story's comments, oldest first, with whether `viewer` follows each commenter."""
    article = await find_article(session, slug, viewer=viewer)
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
        .where(Comment.article_id == article.id)
        .order_by(Comment.created_at, Comment.id)
        .limit(limit)
        .offset(offset)
    )
    rows = await session.execute(query)
    views = [CommentView(comment, following=bool(follows)) for comment, follows in rows]
    commenters = (effects.author(view.comment.author_id) for view in views)
    effects.shown(session, effects.story(article.id), effects.responses_to(article.id), *commenters)
    return views


async def delete_comment(session: AsyncSession, slug: str, comment_id: int, *, by: User) -> None:
    """Delete a comment from the story `slug`; only the comment's author may."""
    article = await find_article(session, slug, viewer=by)
    comment = await session.scalar(
        select(Comment).where(Comment.id == comment_id, Comment.article_id == article.id)
    )
    if comment is None:
        raise CommentNotFound()
    if not can_delete(by, comment):
        raise NotTheCommenter()
    await session.execute(delete(Comment).where(Comment.id == comment.id))
    effects.changed(session, effects.responses_to(article.id))
