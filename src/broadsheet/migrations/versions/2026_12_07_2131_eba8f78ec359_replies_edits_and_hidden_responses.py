"""Replies to responses, light Markdown in responses, edits, and hidden responses

Revision ID: eba8f78ec359
Revises: 949ce0936574
Create Date: 2026-12-07 21:31:39.121546
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from broadsheet.lib import markdown

revision: str = "eba8f78ec359"
down_revision: str | None = "949ce0936574"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500

comments = sa.table(
    "comments",
    sa.column("id", sa.BigInteger()),
    sa.column("body", sa.Text()),
    sa.column("body_html", sa.Text()),
)


def _render_every_response() -> None:
    """Every response's HTML, a batch at a time: what was plain text reads the same."""
    connection = op.get_bind()
    last_id = 0
    while batch := connection.execute(
        sa.select(comments.c.id, comments.c.body)
        .where(comments.c.id > last_id)
        .order_by(comments.c.id)
        .limit(BATCH)
    ).all():
        for comment_id, body in batch:
            connection.execute(
                comments.update()
                .where(comments.c.id == comment_id)
                .values(body_html=markdown.render_response(body))
            )
        last_id = batch[-1].id


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        # Every response so far is one to the story.
        batch_op.add_column(sa.Column("depth", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "reply_to_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "edited_at",
                sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "hidden_at",
                sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
                nullable=True,
            )
        )
        batch_op.create_index(batch_op.f("ix_comments_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comments_reply_to_id"), ["reply_to_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_comments_parent_id_comments"),
            "comments",
            ["parent_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_comments_reply_to_id_comments"),
            "comments",
            ["reply_to_id"],
            ["id"],
            ondelete="SET NULL",
        )

    _render_every_response()
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.alter_column("body_html", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_comments_reply_to_id_comments"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_comments_parent_id_comments"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_comments_reply_to_id"))
        batch_op.drop_index(batch_op.f("ix_comments_parent_id"))
        batch_op.drop_column("hidden_at")
        batch_op.drop_column("edited_at")
        batch_op.drop_column("reply_to_id")
        batch_op.drop_column("depth")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("body_html")
