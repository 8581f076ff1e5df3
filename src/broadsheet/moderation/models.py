"""Reports: a reader flags a response for the site's admins to look at."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadsheet.accounts.models import User
from broadsheet.comments.models import Comment
from broadsheet.db import Base, Id
from broadsheet.lib.clock import utcnow

NOTE_MAX_LENGTH = 500


class Reason(StrEnum):
    SPAM = "spam"
    HARASSMENT = "harassment"
    HATE = "hate"
    OFF_TOPIC = "off-topic"
    OTHER = "other"


REASON_LABELS = {
    Reason.SPAM: "Spam or advertising",
    Reason.HARASSMENT: "Harassment or bullying",
    Reason.HATE: "Hateful or violent",
    Reason.OFF_TOPIC: "Off topic",
    Reason.OTHER: "Something else",
}


class Outcome(StrEnum):
    """What an admin did about a response's reports."""

    HIDDEN = "hidden"
    DISMISSED = "dismissed"


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        # A reader reports a response once; reporting it again changes nothing.
        UniqueConstraint("comment_id", "reporter_id"),
        Index(None, "resolved_at", "created_at"),
        Index(None, "reporter_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    comment_id: Mapped[int] = mapped_column(Id, ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(max(len(reason) for reason in Reason)))
    note: Mapped[str] = mapped_column(String(NOTE_MAX_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when an admin decided; the queue holds the reports without one.
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str | None] = mapped_column(String(max(len(each) for each in Outcome)))

    comment: Mapped[Comment] = relationship(lazy="raise")
    reporter: Mapped[User] = relationship(lazy="raise", foreign_keys=[reporter_id])
