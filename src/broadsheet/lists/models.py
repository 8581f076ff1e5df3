"""Lists of stories a reader keeps, and the stories in them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadsheet.accounts.models import User
from broadsheet.db import Base, Id, Timestamped, exact_text
from broadsheet.lib.clock import utcnow

LIST_SLUG_MAX_LENGTH = 100
LIST_NAME_MAX_LENGTH = 60
LIST_DESCRIPTION_MAX_LENGTH = 280
NOTE_MAX_LENGTH = 500
READING_LIST_NAME = "Reading list"


class StoryList(Timestamped, Base):
    """Stories a reader gathers: their reading list ("Save" on a story), or a list they named.
    Private ones are seen by their owner alone; a public one has a page and a feed."""

    __tablename__ = "story_lists"
    __table_args__ = (Index(None, "owner_id", "updated_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # Its address, /lists/{slug}: the name's words and a random suffix, or for a reading list
    # "reading-list-{owner id}", which makes a second one for the same reader impossible.
    slug: Mapped[str] = mapped_column(exact_text(LIST_SLUG_MAX_LENGTH), unique=True)
    owner_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(LIST_NAME_MAX_LENGTH))
    description: Mapped[str] = mapped_column(String(LIST_DESCRIPTION_MAX_LENGTH), default="")
    public: Mapped[bool] = mapped_column(default=False)
    is_reading_list: Mapped[bool] = mapped_column(default=False)
    # Kept in step with its entries by the transaction that adds or removes one.
    stories_count: Mapped[int] = mapped_column(default=0)

    owner: Mapped[User] = relationship(lazy="raise", innerjoin=True)


class ListEntry(Base):
    """A story in a list, where its owner put it, with their note on it."""

    __tablename__ = "list_entries"
    __table_args__ = (Index(None, "list_id", "position"), Index(None, "article_id"))

    list_id: Mapped[int] = mapped_column(
        Id, ForeignKey("story_lists.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    note: Mapped[str] = mapped_column(String(NOTE_MAX_LENGTH), default="")
    # Lower first; a story added goes to the top.
    position: Mapped[int]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
