"""Publications: names many writers publish under, who belongs to each, and who follows them."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadsheet.accounts.models import User
from broadsheet.db import Base, Id, Timestamped, exact_text
from broadsheet.lib.clock import utcnow
from broadsheet.media.models import ALT_MAX_LENGTH, URL_MAX_LENGTH

PUBLICATION_SLUG_MIN_LENGTH = 2
PUBLICATION_SLUG_MAX_LENGTH = 60
NAME_MAX_LENGTH = 100
TAGLINE_MAX_LENGTH = 160
DESCRIPTION_MAX_LENGTH = 2000
MAX_LINKS = 5
NOTE_MAX_LENGTH = 1000

if TYPE_CHECKING:
    from broadsheet.articles.models import Article


class Role(StrEnum):
    """What a member may do, as on Medium: owners everything, editors the stories and the
    writers, writers their own drafts."""

    OWNER = "owner"
    EDITOR = "editor"
    WRITER = "writer"


ROLE_MAX_LENGTH = max(len(role) for role in Role)


class Publication(Timestamped, Base):
    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # Its address, /p/{slug}: lower-case ASCII, compared exactly on every engine.
    slug: Mapped[str] = mapped_column(exact_text(PUBLICATION_SLUG_MAX_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    tagline: Mapped[str] = mapped_column(String(TAGLINE_MAX_LENGTH), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # An upload's fallback address, and its words; None until the owners choose one.
    logo: Mapped[str | None] = mapped_column(String(URL_MAX_LENGTH))
    logo_alt: Mapped[str | None] = mapped_column(String(ALT_MAX_LENGTH))
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Kept in step with the follow rows by the transaction that adds or removes one.
    followers_count: Mapped[int] = mapped_column(default=0)


class Member(Base):
    """Someone's place in a publication; until `joined_at` is set, an invitation to it."""

    __tablename__ = "publication_members"
    __table_args__ = (Index(None, "user_id", "joined_at"),)

    publication_id: Mapped[int] = mapped_column(
        Id, ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(ROLE_MAX_LENGTH))
    # Who asked them in: kept when that account is gone, as it is the publication's history.
    invited_by_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    joined_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id], innerjoin=True)
    invited_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[invited_by_id])
    publication: Mapped[Publication] = relationship(lazy="raise", innerjoin=True)


class PublicationFollow(Base):
    __tablename__ = "publication_follows"
    __table_args__ = (Index(None, "publication_id"),)

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    publication_id: Mapped[int] = mapped_column(
        Id, ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RetiredPublicationSlug(Base):
    """A publication's earlier address, kept so old links redirect to its current one."""

    __tablename__ = "retired_publication_slugs"
    __table_args__ = (Index(None, "publication_id"),)

    slug: Mapped[str] = mapped_column(exact_text(PUBLICATION_SLUG_MAX_LENGTH), primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        Id, ForeignKey("publications.id", ondelete="CASCADE")
    )


class Outcome(StrEnum):
    """Where a submission stands: waiting for an editor, or what became of it."""

    PENDING = "pending"
    PUBLISHED = "published"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


OUTCOME_MAX_LENGTH = max(len(outcome) for outcome in Outcome)


class Submission(Base):
    """A writer's draft offered to a publication's editors, and what they did with it: kept
    after the decision, as the story's history in the publication."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index(None, "publication_id", "outcome", "submitted_at"),
        Index(None, "article_id", "submitted_at"),
        Index(None, "submitted_by_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    article_id: Mapped[int] = mapped_column(Id, ForeignKey("articles.id", ondelete="CASCADE"))
    publication_id: Mapped[int] = mapped_column(
        Id, ForeignKey("publications.id", ondelete="CASCADE")
    )
    outcome: Mapped[str] = mapped_column(String(OUTCOME_MAX_LENGTH), default=Outcome.PENDING)
    submitted_by_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who published it, sent it back (with the note) or withdrew it, and when.
    decided_by_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX_LENGTH))

    article: Mapped["Article"] = relationship(lazy="raise", innerjoin=True)
    publication: Mapped[Publication] = relationship(lazy="raise", innerjoin=True)
    submitted_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[decided_by_id])


SERIES_SLUG_MAX_LENGTH = 140
SERIES_TITLE_MAX_LENGTH = 200
SERIES_DESCRIPTION_MAX_LENGTH = 1000


class Series(Timestamped, Base):
    """Stories read in order, gathered by a writer from their own or by a publication's
    editors from those published in it."""

    __tablename__ = "series"
    __table_args__ = (Index(None, "owner_id"), Index(None, "publication_id"))

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # Its address, /s/{slug}: the title's words and a random suffix, as for stories.
    slug: Mapped[str] = mapped_column(exact_text(SERIES_SLUG_MAX_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(SERIES_TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(String(SERIES_DESCRIPTION_MAX_LENGTH), default="")
    # Whose it is: a writer's own, or a publication's (then its editors keep it).
    owner_id: Mapped[int | None] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    publication_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("publications.id", ondelete="CASCADE")
    )

    owner: Mapped[User | None] = relationship(lazy="raise")
    publication: Mapped[Publication | None] = relationship(lazy="raise")
