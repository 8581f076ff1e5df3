"""Responses readers leave under a story, and replies to them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadsheet.accounts.models import User
from broadsheet.db import Base, Id, Timestamped

# How deep replies nest: a reply to a response this deep sits beside it, marked with whom it
# answers. Kept shallow, so that deleting a response (which deletes the replies under it)
# never cascades further than the database allows.
MAX_DEPTH = 3


class Comment(Timestamped, Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index(None, "article_id", "created_at", "id"),
        Index(None, "author_id"),
        Index(None, "parent_id"),
        Index(None, "reply_to_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    article_id: Mapped[int] = mapped_column(Id, ForeignKey("articles.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    # As written (light Markdown), and rendered and sanitised when saved.
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The response this one is shown under, and how deep that puts it (0 under the story).
    parent_id: Mapped[int | None] = mapped_column(Id, ForeignKey("comments.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(default=0)
    # The response it answers: its parent, or one nested too deep to sit under.
    reply_to_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("comments.id", ondelete="SET NULL")
    )
    # When its writer last changed the text, if they have.
    edited_at: Mapped[datetime | None]
    # Hidden by someone who looks after the story: only they and its writer see it, and what
    # is under it.
    hidden_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(lazy="raise", innerjoin=True)
