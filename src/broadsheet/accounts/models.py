"""Accounts: who writes and reads, and whom they follow."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from broadsheet.db import Base, Id, Timestamped, exact_text
from broadsheet.lib.clock import utcnow

USERNAME_MAX_LENGTH = 40
EMAIL_MAX_LENGTH = 254


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(exact_text(USERNAME_MAX_LENGTH))
    # Usernames and emails are unique whatever their case; these keys hold the folded forms,
    # compared exactly (MariaDB's default collation would also merge "é" with "e").
    username_key: Mapped[str] = mapped_column(exact_text(USERNAME_MAX_LENGTH), unique=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    email_key: Mapped[str] = mapped_column(exact_text(EMAIL_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    bio: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(String(1000))
    # Raised when the password changes, so tokens issued before stop working.
    token_version: Mapped[int] = mapped_column(default=0)
    # A site admin moderates reports and may suspend accounts.
    is_admin: Mapped[bool] = mapped_column(default=False)
    # A suspended account cannot sign in, and what it wrote is hidden from everyone.
    suspended_at: Mapped[datetime | None] = mapped_column(index=True)


class Follow(Base):
    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint("follower_id <> followed_id", name="not_self"),
        Index(None, "followed_id"),
    )

    follower_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    followed_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Block(Base):
    """One account keeping another away: the blocked one cannot follow the blocker or respond
    to the blocker's stories."""

    __tablename__ = "blocks"
    __table_args__ = (
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
        Index(None, "blocked_id"),
    )

    blocker_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SiteSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "site_sessions"
    __table_args__ = (Index(None, "user_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
