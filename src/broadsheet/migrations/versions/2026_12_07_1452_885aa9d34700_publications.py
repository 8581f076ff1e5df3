"""Publications, their members, followers, submissions and series, and stories in them

Revision ID: 885aa9d34700
Revises: 23deed0416df
Create Date: 2026-12-07 14:52:55.604317
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "885aa9d34700"
down_revision: str | None = "23deed0416df"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "slug",
            sa.String(length=60).with_variant(
                mysql.VARCHAR(collation="utf8mb4_bin", length=60), "mysql"
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("tagline", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("logo", sa.String(length=1000), nullable=True),
        sa.Column("logo_alt", sa.String(length=300), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("followers_count", sa.Integer(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("slug", name=op.f("uq_publications_slug")),
    )
    op.create_table(
        "publication_follows",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "publication_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_follows_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_publication_follows_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "publication_id", name=op.f("pk_publication_follows")),
    )
    with op.batch_alter_table("publication_follows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publication_follows_publication_id"), ["publication_id"], unique=False
        )

    op.create_table(
        "publication_members",
        sa.Column(
            "publication_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=6), nullable=False),
        sa.Column(
            "invited_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "invited_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "joined_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_publication_members_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_members_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_publication_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "user_id", name=op.f("pk_publication_members")),
    )
    with op.batch_alter_table("publication_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publication_members_invited_by_id"), ["invited_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_publication_members_user_id_joined_at"),
            ["user_id", "joined_at"],
            unique=False,
        )

    op.create_table(
        "retired_publication_slugs",
        sa.Column(
            "slug",
            sa.String(length=60).with_variant(
                mysql.VARCHAR(collation="utf8mb4_bin", length=60), "mysql"
            ),
            nullable=False,
        ),
        sa.Column(
            "publication_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_retired_publication_slugs_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_retired_publication_slugs")),
    )
    with op.batch_alter_table("retired_publication_slugs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retired_publication_slugs_publication_id"),
            ["publication_id"],
            unique=False,
        )

    op.create_table(
        "series",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "slug",
            sa.String(length=140).with_variant(
                mysql.VARCHAR(collation="utf8mb4_bin", length=140), "mysql"
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "publication_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
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
            ["owner_id"], ["users.id"], name=op.f("fk_series_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_series_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
        sa.UniqueConstraint("slug", name=op.f("uq_series_slug")),
    )
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_series_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_series_publication_id"), ["publication_id"], unique=False
        )

    op.create_table(
        "submissions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "publication_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("outcome", sa.String(length=9), nullable=False),
        sa.Column(
            "submitted_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "decided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "decided_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_submissions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_submissions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_submissions_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_submissions_submitted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submissions_article_id_submitted_at"),
            ["article_id", "submitted_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_submissions_decided_by_id"), ["decided_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_submissions_publication_id_outcome_submitted_at"),
            ["publication_id", "outcome", "submitted_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_submissions_submitted_by_id_decided_at"),
            ["submitted_by_id", "decided_at"],
            unique=False,
        )

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "publication_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "series_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.add_column(sa.Column("series_position", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "submitted_to_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_index(
            batch_op.f("ix_articles_publication_id_status_published_at_id"),
            ["publication_id", "status", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_articles_series_id_series_position"),
            ["series_id", "series_position"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_articles_submitted_to_id"), ["submitted_to_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_series_id_series"),
            "series",
            ["series_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_submitted_to_id_publications"),
            "publications",
            ["submitted_to_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_publication_id_publications"),
            "publications",
            ["publication_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_articles_publication_id_publications"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_articles_submitted_to_id_publications"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_articles_series_id_series"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_articles_submitted_to_id"))
        batch_op.drop_index(batch_op.f("ix_articles_series_id_series_position"))
        batch_op.drop_index(batch_op.f("ix_articles_publication_id_status_published_at_id"))
        batch_op.drop_column("submitted_to_id")
        batch_op.drop_column("series_position")
        batch_op.drop_column("series_id")
        batch_op.drop_column("publication_id")

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_submitted_by_id_decided_at"))
        batch_op.drop_index(batch_op.f("ix_submissions_publication_id_outcome_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_submissions_decided_by_id"))
        batch_op.drop_index(batch_op.f("ix_submissions_article_id_submitted_at"))

    op.drop_table("submissions")
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_series_publication_id"))
        batch_op.drop_index(batch_op.f("ix_series_owner_id"))

    op.drop_table("series")
    with op.batch_alter_table("retired_publication_slugs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retired_publication_slugs_publication_id"))

    op.drop_table("retired_publication_slugs")
    with op.batch_alter_table("publication_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_members_user_id_joined_at"))
        batch_op.drop_index(batch_op.f("ix_publication_members_invited_by_id"))

    op.drop_table("publication_members")
    with op.batch_alter_table("publication_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_follows_publication_id"))

    op.drop_table("publication_follows")
    op.drop_table("publications")
