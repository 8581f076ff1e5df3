"""Claps, and the stories most applauded this week

Revision ID: 949ce0936574
Revises: 3f1c2a9d7b40
Create Date: 2026-12-07 21:16:07.762853
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "949ce0936574"
down_revision: str | None = "3f1c2a9d7b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claps",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column(
            "clapped_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_claps_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_claps_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "article_id", name=op.f("pk_claps")),
    )
    with op.batch_alter_table("claps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claps_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claps_clapped_at"), ["clapped_at"], unique=False)

    op.create_table(
        "popular_stories",
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "ranked_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_popular_stories_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_popular_stories")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        # Stories written before claps have none.
        batch_op.add_column(
            sa.Column("claps_count", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("claps_count")

    op.drop_table("popular_stories")
    with op.batch_alter_table("claps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claps_clapped_at"))
        batch_op.drop_index(batch_op.f("ix_claps_article_id"))

    op.drop_table("claps")
