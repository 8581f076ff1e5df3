"""Tags, and which stories carry them."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Table
from sqlalchemy.orm import Mapped, mapped_column

from broadsheet.db import Base, Id, exact_text
from broadsheet.lib.clock import utcnow

TAG_MAX_LENGTH = 40
TAG_KEY_MAX_LENGTH = 3 * TAG_MAX_LENGTH


def tag_key(name: str) -> str:
    """What a tag is known by: "Python" and "python" are one tag."""
    return name.casefold()


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # As the first writer to use it wrote it.
    name: Mapped[str] = mapped_column(exact_text(TAG_MAX_LENGTH))
    # Case-folding can lengthen a name ("ß" becomes "ss"), hence the room.
    name_key: Mapped[str] = mapped_column(exact_text(TAG_KEY_MAX_LENGTH), unique=True)


article_tags = Table(
    "article_tags",
    Base.metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Id, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "tag_id", "article_id"),
)


class TagFollow(Base):
    """A reader follows a tag: its stories join their Following feed."""

    __tablename__ = "tag_follows"
    __table_args__ = (Index(None, "tag_id"),)

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        Id, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )
    followed_at: Mapped[datetime] = mapped_column(default=utcnow)
