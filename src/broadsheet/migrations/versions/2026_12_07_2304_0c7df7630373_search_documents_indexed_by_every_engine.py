"""Search documents: every story's words as plain text, indexed by each engine its own way

Revision ID: 0c7df7630373
Revises: 4cb65bcecd89
Create Date: 2026-12-07 23:04:20.309215
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from broadsheet.lib import markdown

revision: str = "0c7df7630373"
down_revision: str | None = "4cb65bcecd89"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500

# SQLite: an FTS5 table over the documents' columns (external content: the words are stored
# once), kept in step by triggers; porter stems English words, unicode61 folds case and accents.
# A batch alteration of search_documents would drop these triggers with the old table.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_documents_fts USING fts5(title, subtitle, body,"
    " content='search_documents', content_rowid='article_id',"
    " tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_fts_insert AFTER INSERT ON search_documents BEGIN"
    " INSERT INTO search_documents_fts (rowid, title, subtitle, body)"
    " VALUES (new.article_id, new.title, new.subtitle, new.body); END",
    "CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents BEGIN"
    " INSERT INTO search_documents_fts (search_documents_fts, rowid, title, subtitle, body)"
    " VALUES ('delete', old.article_id, old.title, old.subtitle, old.body); END",
    "CREATE TRIGGER search_documents_fts_update AFTER UPDATE ON search_documents BEGIN"
    " INSERT INTO search_documents_fts (search_documents_fts, rowid, title, subtitle, body)"
    " VALUES ('delete', old.article_id, old.title, old.subtitle, old.body);"
    " INSERT INTO search_documents_fts (rowid, title, subtitle, body)"
    " VALUES (new.article_id, new.title, new.subtitle, new.body); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER search_documents_fts_update",
    "DROP TRIGGER search_documents_fts_delete",
    "DROP TRIGGER search_documents_fts_insert",
    "DROP TABLE search_documents_fts",
]
# PostgreSQL: English stemming (search/queries.py asks in the same configuration), the title
# weighing most and the body least, computed by the database on every write.
POSTGRESQL_UP = [
    "ALTER TABLE search_documents ADD COLUMN fts tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, title), 'A')"
    " || setweight(to_tsvector('english'::regconfig, subtitle), 'B')"
    " || setweight(to_tsvector('english'::regconfig, body), 'D')) STORED",
    "CREATE INDEX ix_search_documents_fts ON search_documents USING gin (fts)",
]
POSTGRESQL_DOWN = [
    "DROP INDEX ix_search_documents_fts",
    "ALTER TABLE search_documents DROP COLUMN fts",
]
# MariaDB: one index to match every column, one to weigh the title.
MARIADB_UP = [
    "CREATE FULLTEXT INDEX ix_search_documents_fts ON search_documents (title, subtitle, body)",
    "CREATE FULLTEXT INDEX ix_search_documents_title_fts ON search_documents (title)",
]
MARIADB_DOWN = [
    "DROP INDEX ix_search_documents_title_fts ON search_documents",
    "DROP INDEX ix_search_documents_fts ON search_documents",
]

articles = sa.table(
    "articles",
    sa.column("id", sa.BigInteger()),
    sa.column("title", sa.String()),
    sa.column("description", sa.String()),
    sa.column("body", sa.Text()),
)
documents = sa.table(
    "search_documents",
    sa.column("article_id", sa.BigInteger()),
    sa.column("title", sa.String()),
    sa.column("subtitle", sa.String()),
    sa.column("body", sa.Text()),
)


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return POSTGRESQL_UP if up else POSTGRESQL_DOWN
    return MARIADB_UP if up else MARIADB_DOWN


def _index_every_story() -> None:
    """Every story's words, a batch at a time."""
    connection = op.get_bind()
    last_id = 0
    query = sa.select(articles).order_by(articles.c.id).limit(BATCH)
    while batch := connection.execute(query.where(articles.c.id > last_id)).all():
        rows = [
            {
                "article_id": story.id,
                "title": story.title,
                "subtitle": story.description,
                "body": markdown.plain_text(story.body),
            }
            for story in batch
        ]
        connection.execute(documents.insert(), rows)
        last_id = batch[-1].id


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subtitle", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_search_documents_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_search_documents")),
    )
    for statement in _statements(up=True):
        op.execute(statement)
    _index_every_story()


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
    op.drop_table("search_documents")
