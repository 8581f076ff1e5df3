"""site sessions, rendered bodies and retired slugs

Revision ID: 880d278efd9e
Revises: 2be68c390af0
Create Date: 2026-11-25 10:32:42.467925
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from broadsheet.lib import markdown

revision: str = "880d278efd9e"
down_revision: str | None = "2be68c390af0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "expires_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_site_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_site_sessions")),
    )
    with op.batch_alter_table("site_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "retired_slugs",
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_retired_slugs_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_retired_slugs")),
    )
    with op.batch_alter_table("retired_slugs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retired_slugs_article_id"), ["article_id"], unique=False
        )

    # Stories written before this revision get their HTML and reading time rendered now.
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "body_html", sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql"), nullable=True
            )
        )
        batch_op.add_column(sa.Column("reading_minutes", sa.Integer(), nullable=True))
    articles = sa.table(
        "articles",
        sa.column("id", sa.BigInteger()),
        sa.column("body", sa.Text()),
        sa.column("body_html", sa.Text()),
        sa.column("reading_minutes", sa.Integer()),
    )
    connection = op.get_bind()
    for article_id, body in connection.execute(sa.select(articles.c.id, articles.c.body)).all():
        connection.execute(
            articles.update()
            .where(articles.c.id == article_id)
            .values(body_html=markdown.render(body), reading_minutes=markdown.reading_minutes(body))
        )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.alter_column(
            "body_html",
            existing_type=sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql"),
            nullable=False,
        )
        batch_op.alter_column("reading_minutes", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("reading_minutes")
        batch_op.drop_column("body_html")

    with op.batch_alter_table("retired_slugs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retired_slugs_article_id"))

    op.drop_table("retired_slugs")
    with op.batch_alter_table("site_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_sessions_user_id"))

    op.drop_table("site_sessions")
