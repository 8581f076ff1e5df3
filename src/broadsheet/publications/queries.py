"""Reads of publications as a given reader sees them, shared by the API and the pages."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from broadsheet import effects
from broadsheet.accounts.models import User
from broadsheet.publications.models import (
    Member,
    Publication,
    PublicationFollow,
    RetiredPublicationSlug,
    Role,
)
from broadsheet.publications.service import find_publication

# A publication's masthead lists at most this many people; the rest are still members.
MEMBERS_SHOWN = 200
# Owners first, then editors, then writers; each by when they joined.
_ROLE_ORDER = case({Role.OWNER: 0, Role.EDITOR: 1}, value=Member.role, else_=2)


@dataclass(frozen=True)
class PublicationView:
    """A publication with the reader's relation to it."""

    publication: Publication
    following: bool
    # The reader's row: their place once they have joined, their invitation before.
    membership: Member | None

    @property
    def place(self) -> Member | None:
        """The reader's place, once they have joined."""
        joined = self.membership is not None and self.membership.joined_at is not None
        return self.membership if joined else None

    @property
    def invitation(self) -> Member | None:
        joined = self.membership is None or self.membership.joined_at is not None
        return None if joined else self.membership


async def publication_view(
    session: AsyncSession, slug: str, *, viewer: User | None
) -> PublicationView:
    """The publication at `slug`, and whether `viewer` follows it or has a place in it."""
    publication = await find_publication(session, slug)
    if viewer is None:
        return PublicationView(publication, following=False, membership=None)
    following = (
        select(PublicationFollow.user_id)
        .where(
            PublicationFollow.publication_id == publication.id,
            PublicationFollow.user_id == viewer.id,
        )
        .exists()
    )
    query = (
        select(following.label("following"), Member)
        .select_from(Publication)
        .outerjoin(
            Member, (Member.publication_id == Publication.id) & (Member.user_id == viewer.id)
        )
        .where(Publication.id == publication.id)
    )
    row = (await session.execute(query)).one()
    return PublicationView(publication, following=bool(row[0]), membership=row[1])


async def members_of(
    session: AsyncSession, publication: Publication, *, joined: bool = True
) -> list[Member]:
    """The publication's members (or, not `joined`, its open invitations), owners first, with
    who they are and who invited them."""
    has_joined = Member.joined_at.is_not(None) if joined else Member.joined_at.is_(None)
    query = (
        select(Member)
        .where(Member.publication_id == publication.id, has_joined)
        .options(selectinload(Member.user), selectinload(Member.invited_by))
        .order_by(_ROLE_ORDER, Member.joined_at, Member.invited_at, Member.user_id)
        .limit(MEMBERS_SHOWN)
    )
    members = list(await session.scalars(query))
    effects.shown(session, *(effects.author(member.user_id) for member in members))
    return members


async def places_of(session: AsyncSession, user: User, *, joined: bool = True) -> list[Member]:
    """The publications `user` belongs to (or, not `joined`, is invited to), by name."""
    has_joined = Member.joined_at.is_not(None) if joined else Member.joined_at.is_(None)
    query = (
        select(Member)
        .join(Member.publication)
        .where(Member.user_id == user.id, has_joined)
        .options(selectinload(Member.publication), selectinload(Member.invited_by))
        .order_by(Publication.name, Publication.id)
        .limit(MEMBERS_SHOWN)
    )
    return list(await session.scalars(query))


async def current_slug(session: AsyncSession, retired_slug: str) -> str | None:
    """The address of the publication that once had `retired_slug`, if any."""
    query = (
        select(Publication.slug)
        .join(RetiredPublicationSlug, RetiredPublicationSlug.publication_id == Publication.id)
        .where(RetiredPublicationSlug.slug == retired_slug.casefold())
    )
    return await session.scalar(query)


async def publication_locations(session: AsyncSession, *, limit: int) -> list[tuple[str, datetime]]:
    """(slug, last change) of publications, for the sitemap."""
    query = select(Publication.slug, Publication.updated_at).order_by(Publication.id).limit(limit)
    effects.shown(session, effects.SITEMAP)
    return [(slug, updated) for slug, updated in await session.execute(query)]


async def publishing_places(session: AsyncSession, user: User) -> list[Publication]:
    """The publications `user` may publish stories in, by name."""
    query = (
        select(Publication)
        .join(Member, Member.publication_id == Publication.id)
        .where(
            Member.user_id == user.id,
            Member.joined_at.is_not(None),
            Member.role.in_((Role.OWNER, Role.EDITOR)),
        )
        .order_by(Publication.name, Publication.id)
        .limit(MEMBERS_SHOWN)
    )
    return list(await session.scalars(query))


async def followed_by(session: AsyncSession, user: User) -> frozenset[int]:
    """The ids of the publications `user` follows."""
    query = select(PublicationFollow.publication_id).where(PublicationFollow.user_id == user.id)
    return frozenset(await session.scalars(query))
