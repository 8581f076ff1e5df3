"""revisions and update notes

Revision ID: ec323c5c29a6
Revises: 849b62a56019
Create Date: 2026-12-03 12:47:32.317414
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "ec323c5c29a6"
down_revision: str | None = "849b62a56019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _first_revision_of_every_public_story() -> None:
    """The history of a story published before revisions were kept starts where it stands."""
    connection = op.get_bind()
    articles = sa.table(
        "articles",
        sa.column("id", sa.BigInteger),
        sa.column("title"),
        sa.column("description"),
        sa.column("body"),
        sa.column("author_id", sa.BigInteger),
        sa.column("updated_at"),
        sa.column("status"),
    )
    tags = sa.table("tags", sa.column("id", sa.BigInteger), sa.column("name"))
    article_tags = sa.table(
        "article_tags", sa.column("article_id", sa.BigInteger), sa.column("tag_id", sa.BigInteger)
    )
    revisions = sa.table(
        "revisions",
        sa.column("article_id", sa.BigInteger),
        sa.column("title"),
        sa.column("description"),
        sa.column("body"),
        sa.column("tag_names", sa.JSON),
        sa.column("saved_by_id", sa.BigInteger),
        sa.column("saved_at"),
    )
    names: dict[int, list[str]] = {}
    tagged = sa.select(article_tags.c.article_id, tags.c.name).join(
        tags, tags.c.id == article_tags.c.tag_id
    )
    for article_id, name in connection.execute(tagged):
        names.setdefault(article_id, []).append(name)
    public = sa.select(articles).where(articles.c.status.in_(("published", "unlisted")))
    for row in connection.execute(public):
        connection.execute(
            revisions.insert().values(
                article_id=row.id,
                title=row.title,
                description=row.description,
                body=row.body,
                tag_names=sorted(names.get(row.id, []), key=str.casefold),
                saved_by_id=row.author_id,
                saved_at=row.updated_at,
            )
        )


def upgrade() -> None:
    op.create_table(
        "revisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql"), nullable=False),
        sa.Column("tag_names", sa.JSON(), nullable=False),
        sa.Column(
            "saved_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "saved_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_revisions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"],
            ["users.id"],
            name=op.f("fk_revisions_saved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
    )
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_revisions_article_id_id"), ["article_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_revisions_saved_by_id"), ["saved_by_id"], unique=False)

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("update_note", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column(
                "update_noted_at",
                sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
                nullable=True,
            )
        )
    _first_revision_of_every_public_story()


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("update_noted_at")
        batch_op.drop_column("update_note")

    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revisions_saved_by_id"))
        batch_op.drop_index(batch_op.f("ix_revisions_article_id_id"))

    op.drop_table("revisions")
