"""Tags a reader follows, whose stories join their Following feed

Revision ID: ee3c30265c7b
Revises: 93cd84d0955c
Create Date: 2026-12-07 23:57:09.435534
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "ee3c30265c7b"
down_revision: str | None = "93cd84d0955c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tag_follows",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tag_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "followed_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_tag_follows_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tag_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "tag_id", name=op.f("pk_tag_follows")),
    )
    with op.batch_alter_table("tag_follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tag_follows_tag_id"), ["tag_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tag_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tag_follows_tag_id"))

    op.drop_table("tag_follows")
