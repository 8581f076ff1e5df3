"""Stories and the readers who favorite them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadsheet.accounts.models import User
from broadsheet.db import Base, Id, LongText, Timestamped
from broadsheet.lib.clock import utcnow
from broadsheet.media.models import ALT_MAX_LENGTH, URL_MAX_LENGTH
from broadsheet.publications.models import Publication, Series
from broadsheet.tags.models import Tag, article_tags

SLUG_MAX_LENGTH = 120
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 500
UPDATE_NOTE_MAX_LENGTH = 500
PREVIEW_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


class Status(StrEnum):
    """Where a story stands. Only published stories are listed; unlisted ones are read by
    link; drafts and scheduled ones only by their writer (or through a preview link)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    UNLISTED = "unlisted"


STATUS_MAX_LENGTH = max(len(status) for status in Status)


class Article(Timestamped, Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index(None, "status", "published_at", "id"),
        Index(None, "author_id", "status", "published_at", "id"),
        Index(None, "publication_id", "status", "published_at", "id"),
        Index(None, "series_id", "series_position"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX_LENGTH))
    body: Mapped[str] = mapped_column(LongText)
    # Rendered from `body` and sanitised when the story is saved; pages serve it as it is.
    body_html: Mapped[str] = mapped_column(LongText)
    reading_minutes: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    # Kept in step with the favorites rows by the same transaction that adds or removes one.
    favorites_count: Mapped[int] = mapped_column(default=0)
    # Every reader's claps added up, kept in step with the claps rows the same way.
    claps_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(STATUS_MAX_LENGTH), default=Status.PUBLISHED)
    # When the story went public, or for a scheduled one, when it will; lists are in this order.
    published_at: Mapped[datetime | None]
    # Lets whoever holds it read the draft; None when the writer has not shared one.
    preview_token: Mapped[str | None] = mapped_column(String(PREVIEW_TOKEN_LENGTH), unique=True)
    # "Update (19 Sep 2026): …", shown above the story; dated when its text last changed.
    update_note: Mapped[str | None] = mapped_column(String(UPDATE_NOTE_MAX_LENGTH))
    update_noted_at: Mapped[datetime | None]
    # The picture shown in lists and link previews: an upload's fallback address, and its words.
    cover_image: Mapped[str | None] = mapped_column(String(URL_MAX_LENGTH))
    cover_alt: Mapped[str | None] = mapped_column(String(ALT_MAX_LENGTH))
    # "Published in …": the publication the story appears in, if any.
    publication_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("publications.id", ondelete="SET NULL")
    )
    # The series the story is a part of, and its place in it (1 is the first part).
    series_id: Mapped[int | None] = mapped_column(Id, ForeignKey("series.id", ondelete="SET NULL"))
    series_position: Mapped[int | None]
    # The publication whose editors the draft waits for, while a submission is pending.
    submitted_to_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("publications.id", ondelete="SET NULL"), index=True
    )

    author: Mapped[User] = relationship(lazy="raise", innerjoin=True)
    publication: Mapped[Publication | None] = relationship(
        lazy="raise", foreign_keys=[publication_id]
    )
    submitted_to: Mapped[Publication | None] = relationship(
        lazy="raise", foreign_keys=[submitted_to_id]
    )
    series: Mapped[Series | None] = relationship(lazy="raise")
    tags: Mapped[list[Tag]] = relationship(
        secondary=article_tags, lazy="raise", order_by=Tag.name_key
    )


class Favorite(Base):
    __tablename__ = "favorites"
    __table_args__ = (Index(None, "article_id"),)

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RetiredSlug(Base):
    """A story's earlier address, kept so old links redirect to its current slug."""

    __tablename__ = "retired_slugs"
    __table_args__ = (Index(None, "article_id"),)

    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH), primary_key=True)
    article_id: Mapped[int] = mapped_column(Id, ForeignKey("articles.id", ondelete="CASCADE"))


class Revision(Base):
    """A story as one save of it left it, once it had been made public."""

    __tablename__ = "revisions"
    __table_args__ = (Index(None, "article_id", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    article_id: Mapped[int] = mapped_column(Id, ForeignKey("articles.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX_LENGTH))
    body: Mapped[str] = mapped_column(LongText)
    tag_names: Mapped[list[str]] = mapped_column(JSON)
    # Who saved it: kept when that account is gone, as a revision is the story's history.
    saved_by_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    saved_by: Mapped[User | None] = relationship(lazy="raise")
