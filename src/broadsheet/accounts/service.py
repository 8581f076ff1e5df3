"""Accounts: sign-up, sign-in, settings, profiles and follows. No HTTP in here."""

import hashlib
import secrets
import unicodedata
from datetime import timedelta
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from broadsheet import effects
from broadsheet.accounts.models import Block, Follow, SiteSession, User
from broadsheet.accounts.schemas import NewUser, UserUpdate
from broadsheet.db import add_unless_present
from broadsheet.errors import Forbidden, Invalid, NotFound, Unauthorized
from broadsheet.lib import tokens
from broadsheet.lib.clock import utcnow
from broadsheet.lib.passwords import Passwords
from broadsheet.settings import Settings


class UsernameTaken(Invalid):
    def __init__(self) -> None:
        super().__init__({"username": ["has already been taken"]})


class EmailTaken(Invalid):
    def __init__(self) -> None:
        super().__init__({"email": ["has already been taken"]})


class InvalidCredentials(Unauthorized):
    def __init__(self) -> None:
        super().__init__("email or password is invalid", field="credentials")


class Blocked(Forbidden):
    def __init__(self) -> None:
        super().__init__("has blocked you", field="profile")


class AccountSuspended(Forbidden):
    def __init__(self) -> None:
        super().__init__("is suspended: it cannot sign in", field="account")


class CannotFollowSelf(Invalid):
    def __init__(self) -> None:
        super().__init__({"username": ["you cannot follow yourself"]})


def password_hashing(settings: Settings) -> Passwords:
    return Passwords(
        memory_kib=settings.password.memory_kib,
        time_cost=settings.password.time_cost,
        parallelism=settings.password.parallelism,
        concurrency=settings.password.hash_concurrency,
    )


def username_key(username: str) -> str:
    return username.casefold()


def email_key(email: str) -> str:
    # One form for "é" whether it arrives composed or as "e" plus an accent.
    return unicodedata.normalize("NFC", email.strip().casefold())


async def _ensure_available(
    session: AsyncSession, *, username: str | None, email: str | None, exclude: int | None = None
) -> None:
    problems: dict[str, list[str]] = {}
    for field, column, key in (
        ("username", User.username_key, username and username_key(username)),
        ("email", User.email_key, email and email_key(email)),
    ):
        if key is None:
            continue
        query = select(exists().where(column == key, User.id != (exclude or 0)))
        if await session.scalar(query):
            problems[field] = ["has already been taken"]
    if problems:
        raise Invalid(problems)


async def _flush_claiming_names(session: AsyncSession) -> None:
    """Flush, turning a lost race for a username or email into the same error as a taken one."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        raise EmailTaken() if _taken_field(error) == "email" else UsernameTaken() from error


def _taken_field(error: IntegrityError) -> str:
    # Every engine names the violated key last on the first line of its message; MariaDB quotes
    # the rejected value before it, and a username may well contain "email".
    first_line = str(error.orig).splitlines()[0]
    if first_line.rfind("email_key") > first_line.rfind("username_key"):
        return "email"
    return "username"


async def register(session: AsyncSession, new_user: NewUser, *, passwords: Passwords) -> User:
    # Hashed before the first query, so waiting for a hashing slot holds no database connection.
    password_hash = await passwords.hash(new_user.password)
    await _ensure_available(session, username=new_user.username, email=new_user.email)
    user = User(
        username=new_user.username,
        username_key=username_key(new_user.username),
        email=new_user.email,
        email_key=email_key(new_user.email),
        password_hash=password_hash,
    )
    session.add(user)
    await _flush_claiming_names(session)
    return user


async def authenticate(
    session: AsyncSession, email: str, password: str, *, passwords: Passwords
) -> User:
    """The user with these credentials; an unknown email and a wrong password fail alike."""
    async with passwords.turn() as hashing:
        user = await session.scalar(select(User).where(User.email_key == email_key(email)))
        # Verify even when the email is unknown, so timing does not reveal which accounts exist.
        matches = await hashing.verify(user.password_hash if user else None, password)
        if user is None or not matches:
            raise InvalidCredentials()
        # Told only to whoever knows the password.
        if user.suspended_at is not None:
            raise AccountSuspended()
        if passwords.needs_rehash(user.password_hash):
            # Hashes made under weaker settings are replaced the moment the password is known.
            user.password_hash = await hashing.hash(password)
    return user


def new_email(user: User, changes: UserUpdate) -> str | None:
    """The email `changes` would give `user`, if it is not the one the account has."""
    if changes.email is None or email_key(changes.email) == user.email_key:
        return None
    return changes.email


async def update_account(
    session: AsyncSession,
    user: User,
    changes: UserUpdate,
    *,
    passwords: Passwords,
    confirm_sign_in_changes: bool = False,
) -> User:
    """Apply `changes`. A current password sent with them must be right; with
    `confirm_sign_in_changes` (the site), a new email or password needs it. RealWorld's API
    changes both on the token alone."""
    await _confirm_current_password(
        user, changes, passwords=passwords, required=confirm_sign_in_changes
    )
    await _ensure_available(
        session, username=changes.username, email=changes.email, exclude=user.id
    )
    if (changes.username, changes.bio, changes.image) != (None, None, None):
        effects.changed(session, effects.author(user.id))
    if changes.username is not None:
        # Lists name writers by username: the lists under the old and the new name change.
        for name in (user.username_key, username_key(changes.username)):
            effects.changed(session, effects.stories_by(name), effects.favorites_of(name))
        effects.changed(session, effects.SITEMAP)
        user.username = changes.username
        user.username_key = username_key(changes.username)
    if changes.email is not None:
        user.email = changes.email
        user.email_key = email_key(changes.email)
    if changes.password is not None:
        user.password_hash = await passwords.hash(changes.password)
        # Whoever knew the old password is signed out; the caller may start a new session.
        await end_every_session(session, user)
    if changes.bio is not None:
        user.bio = changes.bio or None
    if changes.image is not None:
        user.image = changes.image or None
    user.updated_at = utcnow()
    await _flush_claiming_names(session)
    return user


async def _confirm_current_password(
    user: User, changes: UserUpdate, *, passwords: Passwords, required: bool
) -> None:
    if changes.current_password is None:
        if required and (changes.password is not None or new_email(user, changes)):
            raise Invalid({"currentPassword": ["is needed to change your email or password"]})
        return
    if not await passwords.verify(user.password_hash, changes.current_password):
        raise Invalid({"currentPassword": ["is not your password"]})


async def end_every_session(session: AsyncSession, user: User) -> None:
    """Sign `user` out everywhere: every token issued so far and every site session end."""
    user.token_version += 1
    await session.execute(delete(SiteSession).where(SiteSession.user_id == user.id))


def issue_token(user: User, *, key: str, ttl: timedelta) -> str:
    return tokens.issue(tokens.TokenClaims(user.id, user.token_version), key=key, ttl=ttl)


async def user_for_token(session: AsyncSession, token: str, *, key: str) -> User:
    """The user a token speaks for, if unexpired and issued since the last password change."""
    try:
        claims = tokens.verify(token, key=key)
    except tokens.InvalidTokenError as error:
        raise Unauthorized("is invalid or expired") from error
    user = await session.get(User, claims.user_id)
    if user is None or user.token_version != claims.version:
        raise Unauthorized("is invalid or expired")
    return user


def suspended_accounts() -> Select[int]:
    """The ids of suspended accounts, whose stories, responses and profiles nobody sees."""
    return select(User.id).where(User.suspended_at.is_not(None)).correlate(None)


class _NotSuspended(ColumnElement[bool]):
    """`account` (a column of account ids) is no suspended account's."""

    type = Boolean()
    inherit_cache = True
    # A condition as it stands: no "= 1" where a database has no boolean type.
    _is_implicitly_boolean = True
    _traverse_internals = [("account", InternalTraversal.dp_clauseelement)]  # noqa: RUF012 (SQLAlchemy's own attribute, a list)

    def __init__(self, account: ColumnElement[int]) -> None:
        self.account = account


@compiles(_NotSuspended)
def _not_in(element: _NotSuspended, compiler: SQLCompiler, **options: Any) -> str:
    return compiler.process(element.account.not_in(suspended_accounts()), **options)


@compiles(_NotSuspended, "postgresql")
def _not_any_of_an_array(element: _NotSuspended, compiler: SQLCompiler, **options: Any) -> str:
    # NOT IN (subquery) is a SubPlan, which PostgreSQL will not check on the inner side of a
    # nested loop: a search for a rare word would read every story to join them. An array made
    # once (an InitPlan) keeps every plan open, and lets the planner count the rows it keeps.
    account = compiler.process(element.account, **options)
    suspended = compiler.process(suspended_accounts(), **options)
    return f"{account} <> ALL (ARRAY({suspended}))"


def not_suspended(account: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """A condition that `account` (a column of account ids) is no suspended account's."""
    return _NotSuspended(account.expression)


async def find_user(session: AsyncSession, username: str) -> User:
    """The account `username`, unless it is suspended."""
    query = select(User).where(
        User.username_key == username_key(username), User.suspended_at.is_(None)
    )
    user = await session.scalar(query)
    if user is None:
        raise NotFound("profile not found", field="profile")
    effects.shown(session, effects.author(user.id))
    return user


async def is_following(session: AsyncSession, follower: User | None, followed: User) -> bool:
    if follower is None or follower.id == followed.id:
        return False
    query = select(
        exists().where(Follow.follower_id == follower.id, Follow.followed_id == followed.id)
    )
    return bool(await session.scalar(query))


async def is_blocked(session: AsyncSession, *, blocker_id: int, blocked_id: int) -> bool:
    """Whether one account keeps another away (moderation.service.block)."""
    query = select(exists().where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id))
    return bool(await session.scalar(query))


async def follow(session: AsyncSession, follower: User, username: str) -> User:
    """Follow `username`; following someone twice changes nothing."""
    followed = await find_user(session, username)
    if followed.id == follower.id:
        raise CannotFollowSelf()
    if await is_blocked(session, blocker_id=followed.id, blocked_id=follower.id):
        raise Blocked()
    await add_unless_present(session, Follow(follower_id=follower.id, followed_id=followed.id))
    return followed


async def unfollow(session: AsyncSession, follower: User, username: str) -> User:
    followed = await find_user(session, username)
    await session.execute(
        delete(Follow).where(Follow.follower_id == follower.id, Follow.followed_id == followed.id)
    )
    return followed


SITE_SESSION_LIFETIME = timedelta(days=30)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_site_session(session: AsyncSession, user: User) -> str:
    """A new signed-in browser session for `user`; returns the token for its cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        SiteSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + SITE_SESSION_LIFETIME,
        )
    )
    await session.flush()
    return token


async def end_site_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(SiteSession).where(SiteSession.token_hash == _token_hash(token)))


async def user_for_site_session(session: AsyncSession, token: str) -> User | None:
    """The user signed in with this session token, while the session lasts."""
    query = (
        select(User)
        .join(SiteSession, SiteSession.user_id == User.id)
        .where(SiteSession.token_hash == _token_hash(token), SiteSession.expires_at > utcnow())
    )
    return await session.scalar(query)
