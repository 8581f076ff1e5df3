"""Tags, and which stories carry them."""

from sqlalchemy import Column, ForeignKey, Index, Table
from sqlalchemy.orm import Mapped, mapped_column

from broadsheet.db import Base, Id, exact_text

TAG_MAX_LENGTH = 40


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(exact_text(TAG_MAX_LENGTH), unique=True)


article_tags = Table(
    "article_tags",
    Base.metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Id, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "tag_id", "article_id"),
)
