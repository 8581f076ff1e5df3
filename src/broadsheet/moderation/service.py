"""Moderation: readers report responses and block accounts; admins work through the reports,
hide responses and suspend accounts. No HTTP in here."""

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from broadsheet import effects
from broadsheet.accounts.models import Block, Follow, User
from broadsheet.accounts.service import end_every_session, find_user, username_key
from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from broadsheet.comments.service import find_shown_comment
from broadsheet.db import add_unless_present
from broadsheet.errors import Forbidden, NotFound
from broadsheet.lib.clock import utcnow
from broadsheet.moderation.models import Outcome, Reason, Report


class NotAnAdmin(Forbidden):
    def __init__(self) -> None:
        super().__init__("only a site admin may do this", field="user")


class OwnResponse(Forbidden):
    def __init__(self) -> None:
        super().__init__("cannot be made about your own response", field="report")


class CannotBlockSelf(Forbidden):
    def __init__(self) -> None:
        super().__init__("cannot be blocked by itself", field="profile")


class OwnAccount(Forbidden):
    def __init__(self) -> None:
        super().__init__("cannot be suspended by its own admin", field="profile")


class NoOpenReports(NotFound):
    def __init__(self) -> None:
        super().__init__("no open reports about this response", field="report")


def ensure_admin(user: User) -> None:
    if not user.is_admin:
        raise NotAnAdmin()


async def report(
    session: AsyncSession,
    slug: str,
    comment_id: int,
    *,
    reason: Reason,
    note: str,
    by: User,
) -> Comment:
    """Report a response for the admins to look at; reporting it again changes nothing."""
    comment = await find_shown_comment(session, slug, comment_id, viewer=by)
    if comment.author_id == by.id:
        raise OwnResponse()
    await add_unless_present(
        session, Report(comment_id=comment.id, reporter_id=by.id, reason=reason, note=note)
    )
    return comment


@dataclass(frozen=True)
class ReportedResponse:
    """A response with its open reports, as the moderation queue shows it."""

    comment: Comment
    story: Article
    reports: list[Report]


async def open_reports(session: AsyncSession, *, limit: int) -> list[ReportedResponse]:
    """The reported responses no admin has decided on, longest waiting first."""
    still_open = Report.resolved_at.is_(None)
    first = func.min(Report.created_at)
    waiting = list(
        await session.scalars(
            select(Report.comment_id)
            .where(still_open)
            .group_by(Report.comment_id)
            .order_by(first, Report.comment_id)
            .limit(limit)
        )
    )
    reports = await session.scalars(
        select(Report)
        .where(still_open, Report.comment_id.in_(waiting))
        .options(
            selectinload(Report.reporter),
            selectinload(Report.comment).selectinload(Comment.author),
        )
        .order_by(Report.created_at, Report.id)
    )
    by_comment: dict[int, list[Report]] = {id_: [] for id_ in waiting}
    for each in reports:
        by_comment[each.comment_id].append(each)
    story_ids = {found[0].comment.article_id for found in by_comment.values()}
    stories = {
        story.id: story
        for story in await session.scalars(
            select(Article).where(Article.id.in_(story_ids)).options(selectinload(Article.author))
        )
    }
    return [
        ReportedResponse(found[0].comment, stories[found[0].comment.article_id], found)
        for found in by_comment.values()
    ]


async def decide(session: AsyncSession, comment_id: int, outcome: Outcome, *, by: User) -> None:
    """Close every open report about a response: hide it, or dismiss them."""
    ensure_admin(by)
    now = utcnow()
    closed = await session.execute(
        update(Report)
        .where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=by.id, outcome=outcome)
        .execution_options(synchronize_session=False)
    )
    if not closed.rowcount:  # type: ignore[attr-defined]
        raise NoOpenReports()
    if outcome == Outcome.HIDDEN:
        comment = await session.get(Comment, comment_id)
        if comment is not None and comment.hidden_at is None:
            comment.hidden_at = now
            effects.changed(session, effects.responses_to(comment.article_id))
    await session.flush()


async def _any_account(session: AsyncSession, username: str) -> User:
    """An account by name, suspended or not (find_user does not find suspended ones)."""
    user = await session.scalar(select(User).where(User.username_key == username_key(username)))
    if user is None:
        raise NotFound("profile not found", field="profile")
    return user


async def suspend(session: AsyncSession, username: str, *, by: User, suspended: bool) -> User:
    """Suspend an account (signed out everywhere, unable to sign in, all it wrote hidden), or
    lift the suspension; only an admin may, and not on their own account."""
    ensure_admin(by)
    user = await _any_account(session, username)
    if user.id == by.id:
        raise OwnAccount()
    if (user.suspended_at is not None) != suspended:
        user.suspended_at = utcnow() if suspended else None
        if suspended:
            await end_every_session(session, user)
        # Its stories, responses and profile leave or return to every page and list.
        effects.changed(session, effects.EVERYTHING)
    await session.flush()
    return user


async def suspended_users(session: AsyncSession, *, limit: int) -> list[User]:
    """The suspended accounts, most recently suspended first."""
    query = (
        select(User)
        .where(User.suspended_at.is_not(None))
        .order_by(User.suspended_at.desc(), User.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def grant_admin(session: AsyncSession, username: str, *, admin: bool) -> User:
    """Make an account a site admin, or take that away (from the command line)."""
    user = await _any_account(session, username)
    user.is_admin = admin
    await session.flush()
    return user


async def block(session: AsyncSession, blocker: User, username: str) -> User:
    """Keep `username` away from `blocker`: neither follows the other any more, and the
    blocked one cannot follow again or respond to the blocker's stories."""
    blocked = await find_user(session, username)
    if blocked.id == blocker.id:
        raise CannotBlockSelf()
    await add_unless_present(session, Block(blocker_id=blocker.id, blocked_id=blocked.id))
    await session.execute(
        delete(Follow).where(
            or_(
                (Follow.follower_id == blocked.id) & (Follow.followed_id == blocker.id),
                (Follow.follower_id == blocker.id) & (Follow.followed_id == blocked.id),
            )
        )
    )
    return blocked


async def unblock(session: AsyncSession, blocker: User, username: str) -> User:
    blocked = await find_user(session, username)
    await session.execute(
        delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == blocked.id)
    )
    return blocked
