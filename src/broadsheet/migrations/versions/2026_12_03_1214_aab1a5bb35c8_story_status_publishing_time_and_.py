"""story status, publishing time and preview links

Revision ID: aab1a5bb35c8
Revises: 880d278efd9e
Create Date: 2026-12-03 12:14:18.577692
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "aab1a5bb35c8"
down_revision: str | None = "880d278efd9e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        # Every story written before drafts existed was published when it was written.
        batch_op.add_column(
            sa.Column("status", sa.String(length=9), nullable=False, server_default="published")
        )
        batch_op.add_column(
            sa.Column(
                "published_at",
                sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("preview_token", sa.String(length=43), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_articles_author_id_status_published_at_id"),
            ["author_id", "status", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_articles_status_published_at_id"),
            ["status", "published_at", "id"],
            unique=False,
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_articles_preview_token"), ["preview_token"]
        )
        # Dropped once its successor exists: MariaDB keeps an index on every foreign key.
        batch_op.drop_index(batch_op.f("ix_articles_author_id_created_at_id"))
        batch_op.drop_index(batch_op.f("ix_articles_created_at_id"))
    op.execute("UPDATE articles SET published_at = created_at")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None, existing_type=sa.String(length=9))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_articles_preview_token"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_articles_created_at_id"), ["created_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_articles_author_id_created_at_id"),
            ["author_id", "created_at", "id"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_articles_status_published_at_id"))
        batch_op.drop_index(batch_op.f("ix_articles_author_id_status_published_at_id"))
        batch_op.drop_column("preview_token")
        batch_op.drop_column("published_at")
        batch_op.drop_column("status")
