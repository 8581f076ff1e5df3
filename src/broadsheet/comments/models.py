"""Responses readers leave under a story."""

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadsheet.accounts.models import User
from broadsheet.db import Base, Id, Timestamped


class Comment(Timestamped, Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index(None, "article_id", "created_at", "id"),
        Index(None, "author_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    article_id: Mapped[int] = mapped_column(Id, ForeignKey("articles.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship(lazy="raise", innerjoin=True)
