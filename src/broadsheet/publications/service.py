"""Publications: founding and changing one, its members and invitations, its followers, and
the rules of who may do what in it. No HTTP in here."""

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Select, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from broadsheet import effects
from broadsheet.accounts.models import User
from broadsheet.accounts.service import find_user
from broadsheet.db import add_unless_present
from broadsheet.errors import Conflict, Forbidden, Invalid, NotFound
from broadsheet.lib.clock import utcnow
from broadsheet.lib.slugs import slugify, unique_slug
from broadsheet.media.service import own_upload
from broadsheet.publications.models import (
    PUBLICATION_SLUG_MAX_LENGTH,
    PUBLICATION_SLUG_MIN_LENGTH,
    Member,
    Outcome,
    Publication,
    PublicationFollow,
    RetiredPublicationSlug,
    Role,
    Submission,
)
from broadsheet.publications.schemas import PublicationCreate, PublicationUpdate

if TYPE_CHECKING:
    from broadsheet.articles.models import Article


class PublicationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("publication not found", field="publication")


class SlugTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("is taken by another publication", field="slug")


class NotAllowed(Forbidden):
    def __init__(self, what: str) -> None:
        super().__init__(what, field="publication")


class LastOwner(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "is the publication's only owner: make someone else an owner first", field="member"
        )


class AlreadyMember(Conflict):
    def __init__(self, *, invited: bool) -> None:
        where = "invited already" if invited else "a member already"
        super().__init__(f"is {where}", field="username")


class MemberNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("is not a member of this publication", field="member")


class InvitationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("you have no invitation to this publication", field="invitation")


# -- Who may do what: the one rule the API, the pages and the services share -----------------

# The roles that edit and publish the stories in a publication, and decide on submissions.
EDITING_ROLES = (Role.OWNER, Role.EDITOR)


def can_change(member: Member | None) -> bool:
    """Whether `member` may change the publication itself: its name, address, logo, links."""
    return member is not None and member.role == Role.OWNER


def can_publish(member: Member | None) -> bool:
    """Whether `member` may publish stories in the publication."""
    return member is not None and member.role in EDITING_ROLES


def can_manage(member: Member | None, role: str) -> bool:
    """Whether `member` may invite, remove, or give a place to, someone in `role`: owners
    anyone, editors writers."""
    if member is None:
        return False
    return member.role == Role.OWNER or (member.role == Role.EDITOR and role == Role.WRITER)


def edited_by(user_id: int) -> Select[int]:
    """The ids of the publications whose stories `user_id` edits, as a subquery."""
    return select(Member.publication_id).where(
        Member.user_id == user_id,
        Member.joined_at.is_not(None),
        Member.role.in_(EDITING_ROLES),
    )


async def editing_places(session: AsyncSession, user: User) -> frozenset[int]:
    """The ids of the publications whose stories `user` edits."""
    return frozenset(await session.scalars(edited_by(user.id)))


# -- Finding ----------------------------------------------------------------------------------


async def find_publication(
    session: AsyncSession, slug: str, *, locked: bool = False
) -> Publication:
    """The publication at `slug`; `locked` holds its row until the transaction ends."""
    query = select(Publication).where(Publication.slug == slug.casefold())
    if locked:
        query = query.with_for_update(key_share=True)
    publication = await session.scalar(query)
    if publication is None:
        raise PublicationNotFound()
    effects.shown(session, effects.publication(publication.id))
    return publication


class NoSuchPublication(Invalid):
    def __init__(self) -> None:
        super().__init__({"publication": ["is not the address of a publication"]})


async def named_publication(session: AsyncSession, slug: str) -> Publication:
    """The publication a request's body names by `slug`: a mistake in the body if none is."""
    try:
        return await find_publication(session, slug)
    except PublicationNotFound as error:
        raise NoSuchPublication() from error


class NoSuchUser(Invalid):
    def __init__(self) -> None:
        super().__init__({"username": ["is not the username of anyone here"]})


async def place_of(
    session: AsyncSession, publication: Publication, user: User | None, *, locked: bool = False
) -> Member | None:
    """`user`'s place in `publication`, once they have joined it; `locked` reads it as last
    committed (MariaDB's repeatable read would otherwise answer from the transaction's first
    snapshot) and holds it until the transaction ends."""
    if user is None:
        return None
    query = select(Member).where(
        Member.publication_id == publication.id,
        Member.user_id == user.id,
        Member.joined_at.is_not(None),
    )
    return await session.scalar(query.with_for_update() if locked else query)


# -- Founding and changing --------------------------------------------------------------------


def _slug_for(new: PublicationCreate) -> str:
    """The address asked for, or one made from the name: with a random suffix when the name
    has too few letters or digits to make one alone."""
    if new.slug:
        return new.slug
    slug = slugify(new.name)[:PUBLICATION_SLUG_MAX_LENGTH].strip("-")
    return slug if len(slug) >= PUBLICATION_SLUG_MIN_LENGTH else unique_slug(slug)


async def _claim_slug(session: AsyncSession, publication: Publication, slug: str) -> None:
    """Give `publication` (new or not) the address `slug`, taking it from a publication that
    once had it."""
    await session.execute(delete(RetiredPublicationSlug).where(RetiredPublicationSlug.slug == slug))
    try:
        # Added inside the savepoint: a clash outside it would spoil the whole transaction.
        async with session.begin_nested():
            publication.slug = slug
            session.add(publication)
            await session.flush()
    except IntegrityError as error:
        raise SlugTaken() from error


async def _set_logo(session: AsyncSession, publication: Publication, url: str, *, by: User) -> None:
    if url == (publication.logo or ""):
        return
    if not url:
        publication.logo = publication.logo_alt = None
        return
    upload = await own_upload(session, url, by=by, field="logo")
    publication.logo, publication.logo_alt = upload.url, upload.alt


async def found(session: AsyncSession, new: PublicationCreate, *, by: User) -> Publication:
    """Start a publication, with `by` as its owner."""
    now = utcnow()
    publication = Publication(
        name=new.name,
        tagline=new.tagline,
        description=new.description,
        links=[str(link) for link in new.links],
        followers_count=0,
        created_at=now,
        updated_at=now,
    )
    await _set_logo(session, publication, new.logo, by=by)
    await _claim_slug(session, publication, _slug_for(new))
    owner = Member(
        publication_id=publication.id,
        user_id=by.id,
        role=Role.OWNER,
        invited_by_id=by.id,
        invited_at=now,
        joined_at=now,
    )
    session.add(owner)
    effects.changed(session, effects.SITEMAP)
    await session.flush()
    return publication


async def change(
    session: AsyncSession, slug: str, changes: PublicationUpdate, *, by: User
) -> Publication:
    """Change the publication's name, address, tagline, description, logo or links; only its
    owners may. The old address keeps leading to it."""
    publication = await find_publication(session, slug)
    if not can_change(await place_of(session, publication, by)):
        raise NotAllowed("only the publication's owners may change it")
    for field in ("name", "tagline", "description"):
        value = getattr(changes, field)
        if value is not None:
            setattr(publication, field, value)
    if changes.links is not None:
        publication.links = [str(link) for link in changes.links]
    if changes.logo is not None:
        await _set_logo(session, publication, changes.logo, by=by)
    publication.updated_at = utcnow()
    effects.changed(session, effects.publication(publication.id))
    if changes.slug is not None and changes.slug != publication.slug:
        old_slug = publication.slug
        await _claim_slug(session, publication, changes.slug)
        session.add(RetiredPublicationSlug(slug=old_slug, publication_id=publication.id))
        effects.changed(session, effects.SITEMAP, effects.stories_in(publication.id))
    await session.flush()
    return publication


# -- Members and invitations ------------------------------------------------------------------


async def _membership(
    session: AsyncSession, publication: Publication, user: User, *, locked: bool = False
) -> Member | None:
    """`user`'s row in `publication`, joined or invited; `locked` as for place_of."""
    query = select(Member).where(Member.publication_id == publication.id, Member.user_id == user.id)
    return await session.scalar(query.with_for_update() if locked else query)


async def invite(
    session: AsyncSession, slug: str, username: str, role: Role, *, by: User
) -> Member:
    """Invite `username` to take `role`; they join once they accept."""
    publication = await find_publication(session, slug)
    if not can_manage(await place_of(session, publication, by), role):
        raise NotAllowed(f"you may not invite {role}s to this publication")
    try:
        invited = await find_user(session, username)
    except NotFound as error:
        raise NoSuchUser() from error
    member = Member(
        publication_id=publication.id,
        user_id=invited.id,
        role=role,
        invited_by_id=by.id,
        invited_at=utcnow(),
        joined_at=None,
    )
    if not await add_unless_present(session, member):
        existing = await _membership(session, publication, invited)
        raise AlreadyMember(invited=existing is None or existing.joined_at is None)
    return member


async def _invitation(session: AsyncSession, slug: str, user: User) -> tuple[Publication, Member]:
    publication = await find_publication(session, slug)
    member = await _membership(session, publication, user)
    if member is None or member.joined_at is not None:
        raise InvitationNotFound()
    return publication, member


async def accept(session: AsyncSession, slug: str, *, by: User) -> Member:
    """Take the place `by` was invited to."""
    publication, member = await _invitation(session, slug, by)
    member.joined_at = utcnow()
    effects.changed(session, effects.publication(publication.id))
    await session.flush()
    return member


async def decline(session: AsyncSession, slug: str, *, by: User) -> None:
    """Turn the invitation down."""
    _publication, member = await _invitation(session, slug, by)
    await session.delete(member)
    await session.flush()


async def _owners(session: AsyncSession, publication: Publication) -> int:
    """How many owners the publication has, as last committed (a locking read: see place_of)."""
    query = select(Member.user_id).where(
        Member.publication_id == publication.id,
        Member.role == Role.OWNER,
        Member.joined_at.is_not(None),
    )
    return len((await session.scalars(query.with_for_update())).all())


async def _ensure_another_owner(
    session: AsyncSession, publication: Publication, member: Member
) -> None:
    """Refuse to leave a publication without an owner."""
    joined_owner = member.role == Role.OWNER and member.joined_at is not None
    if joined_owner and await _owners(session, publication) <= 1:
        raise LastOwner()


async def _other_member(session: AsyncSession, publication: Publication, username: str) -> Member:
    user = await find_user(session, username)
    # Locked: another owner may have just removed them.
    member = await _membership(session, publication, user, locked=True)
    if member is None:
        raise MemberNotFound()
    return member


async def remove(session: AsyncSession, slug: str, username: str, *, by: User) -> None:
    """Take `username` out of the publication, or withdraw their invitation; anyone may leave,
    but the last owner may not."""
    # Locked, so two owners cannot each remove the other at once.
    publication = await find_publication(session, slug, locked=True)
    member = await _other_member(session, publication, username)
    if member.user_id != by.id and not can_manage(
        await place_of(session, publication, by, locked=True), member.role
    ):
        raise NotAllowed(f"you may not remove {member.role}s from this publication")
    await _ensure_another_owner(session, publication, member)
    await session.delete(member)
    effects.changed(session, effects.publication(publication.id))
    await session.flush()


async def set_role(
    session: AsyncSession, slug: str, username: str, role: Role, *, by: User
) -> Member:
    """Give a member another role: from one `by` may manage, to one `by` may give."""
    publication = await find_publication(session, slug, locked=True)
    member = await _other_member(session, publication, username)
    place = await place_of(session, publication, by, locked=True)
    if not (can_manage(place, member.role) and can_manage(place, role)):
        raise NotAllowed(f"you may not make {member.role}s into {role}s here")
    if role != member.role:
        await _ensure_another_owner(session, publication, member)
        member.role = role
        effects.changed(session, effects.publication(publication.id))
        await session.flush()
    return member


# -- Followers --------------------------------------------------------------------------------


async def _shift_followers(session: AsyncSession, publication: Publication, step: int) -> None:
    effects.changed(session, effects.publication(publication.id))
    # Counted in the database, so concurrent follows are never lost.
    await session.execute(
        update(Publication)
        .where(Publication.id == publication.id)
        .values(followers_count=Publication.followers_count + step)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(publication, attribute_names=["followers_count"])


async def follow(session: AsyncSession, slug: str, *, by: User) -> Publication:
    """Follow the publication: its stories join `by`'s Following feed. Twice changes nothing."""
    # Locked, as for favorites: concurrent follows queue instead of deadlocking on MariaDB.
    publication = await find_publication(session, slug, locked=True)
    if await add_unless_present(
        session, PublicationFollow(user_id=by.id, publication_id=publication.id)
    ):
        await _shift_followers(session, publication, +1)
    return publication


async def unfollow(session: AsyncSession, slug: str, *, by: User) -> Publication:
    publication = await find_publication(session, slug, locked=True)
    removed = await session.execute(
        delete(PublicationFollow).where(
            PublicationFollow.user_id == by.id,
            PublicationFollow.publication_id == publication.id,
        )
    )
    if cast(CursorResult[Any], removed).rowcount:
        await _shift_followers(session, publication, -1)
    return publication


# -- Deciding on a submission -----------------------------------------------------------------


class WaitingForEditors(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"waits for the editors of {name}: withdraw the submission to publish it yourself",
            field="status",
        )


class NoLongerWaiting(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "is no longer waiting for editors: someone decided on it a moment ago",
            field="article",
        )


async def pending_submission(
    session: AsyncSession, article: "Article", *, locked: bool = False
) -> Submission | None:
    """The submission `article` waits on, if any. `locked` reads it as last committed (as
    place_of does) and holds it, so that two decisions on it queue."""
    query = (
        select(Submission)
        .where(Submission.article_id == article.id, Submission.outcome == Outcome.PENDING)
        .options(selectinload(Submission.publication), selectinload(Submission.submitted_by))
        .order_by(Submission.id.desc())
        .limit(1)
    )
    return await session.scalar(query.with_for_update() if locked else query)


async def decide(
    session: AsyncSession,
    article: "Article",
    outcome: Outcome,
    *,
    by: User,
    note: str | None = None,
) -> Submission:
    """Close the submission `article` waits on with `outcome`, decided by `by`; a story
    published from it goes out in the publication."""
    submission = await pending_submission(session, article, locked=True)
    if submission is None:
        raise NoLongerWaiting()
    if outcome == Outcome.PUBLISHED:
        if not can_publish(await place_of(session, submission.publication, by)):
            raise WaitingForEditors(submission.publication.name)
        article.publication_id = submission.publication_id
    submission.outcome = outcome
    submission.decided_by_id = by.id
    submission.decided_at = utcnow()
    submission.note = note or None
    article.submitted_to_id = None
    effects.changed(session, effects.story(article.id))
    await session.flush()
    return submission
