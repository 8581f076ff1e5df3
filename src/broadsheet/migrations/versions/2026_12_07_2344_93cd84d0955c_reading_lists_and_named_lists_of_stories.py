"""Reading lists and named lists of stories, private or public, with notes and an order

Revision ID: 93cd84d0955c
Revises: 0c7df7630373
Create Date: 2026-12-07 23:44:03.214689
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "93cd84d0955c"
down_revision: str | None = "0c7df7630373"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story_lists",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "slug",
            sa.String(length=100).with_variant(
                mysql.VARCHAR(collation="utf8mb4_bin", length=100), "mysql"
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=280), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("is_reading_list", sa.Boolean(), nullable=False),
        sa.Column("stories_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_story_lists_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_lists")),
        sa.UniqueConstraint("slug", name=op.f("uq_story_lists_slug")),
    )
    with op.batch_alter_table("story_lists", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_story_lists_owner_id_updated_at"),
            ["owner_id", "updated_at"],
            unique=False,
        )

    op.create_table(
        "list_entries",
        sa.Column("list_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "added_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_list_entries_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["story_lists.id"],
            name=op.f("fk_list_entries_list_id_story_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("list_id", "article_id", name=op.f("pk_list_entries")),
    )
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_list_entries_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_list_entries_list_id_position"), ["list_id", "position"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_entries_list_id_position"))
        batch_op.drop_index(batch_op.f("ix_list_entries_article_id"))

    op.drop_table("list_entries")
    with op.batch_alter_table("story_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_lists_owner_id_updated_at"))

    op.drop_table("story_lists")
