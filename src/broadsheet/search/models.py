"""The words of every story, as search reads them."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from broadsheet.articles.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from broadsheet.db import Base, Id, LongText


class SearchDocument(Base):
    """A story's title, subtitle and body as plain text, written in the transaction that
    changes the story. Each database indexes these columns its own way, beside the table: an
    FTS5 table kept by triggers on SQLite, a weighted `tsvector` column with a GIN index on
    PostgreSQL, FULLTEXT indexes on MariaDB (see the migration that made them)."""

    __tablename__ = "search_documents"

    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    subtitle: Mapped[str] = mapped_column(String(DESCRIPTION_MAX_LENGTH))
    body: Mapped[str] = mapped_column(LongText)
