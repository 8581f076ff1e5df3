"""Claps: how much each reader applauded a story, and the stories most applauded this week."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from broadsheet.db import Base, Id
from broadsheet.lib.clock import utcnow

# Medium's limit: one reader's applause for one story tops out here.
MAX_CLAPS = 50


class Clap(Base):
    """One reader's claps for one story, 1 to MAX_CLAPS; the story's `claps_count` is their sum."""

    __tablename__ = "claps"
    __table_args__ = (Index(None, "article_id"), Index(None, "clapped_at"))

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    count: Mapped[int]
    # The last time the reader clapped: a story is popular this week for claps given this week.
    clapped_at: Mapped[datetime] = mapped_column(default=utcnow)


class PopularStory(Base):
    """A story among the most applauded of the past week, as the periodic ranking left it."""

    __tablename__ = "popular_stories"

    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    # Claps weighed by each reader's habit: see reactions.service.rank_popular.
    score: Mapped[float] = mapped_column(Float)
    ranked_at: Mapped[datetime] = mapped_column(default=utcnow)
