"""Stories and the readers who favorite them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadsheet.accounts.models import User
from broadsheet.db import Base, Id, LongText, Timestamped
from broadsheet.lib.clock import utcnow
from broadsheet.tags.models import Tag, article_tags

SLUG_MAX_LENGTH = 120
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 500


class Article(Timestamped, Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index(None, "created_at", "id"),
        Index(None, "author_id", "created_at", "id"),
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

    author: Mapped[User] = relationship(lazy="raise", innerjoin=True)
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, lazy="raise", order_by=Tag.name)


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
