"""tags compare case-insensitively

Revision ID: 849b62a56019
Revises: aab1a5bb35c8
Create Date: 2026-12-03 12:41:26.805893
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "849b62a56019"
down_revision: str | None = "aab1a5bb35c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_KEY = sa.String(length=120).with_variant(
    mysql.VARCHAR(collation="utf8mb4_bin", length=120), "mysql"
)
tags = sa.table("tags", sa.column("id", sa.BigInteger), sa.column("name"), sa.column("name_key"))
article_tags = sa.table(
    "article_tags", sa.column("article_id", sa.BigInteger), sa.column("tag_id", sa.BigInteger)
)


def _merge_tags_that_differ_only_in_case() -> None:
    """Give every tag its key; where two tags share one, the older keeps the stories of both."""
    connection = op.get_bind()
    kept: dict[str, int] = {}
    for tag_id, name in connection.execute(sa.select(tags.c.id, tags.c.name).order_by(tags.c.id)):
        key = name.casefold()  # as the app folds it, which SQL's LOWER() does not quite match
        if key not in kept:
            kept[key] = tag_id
            connection.execute(tags.update().where(tags.c.id == tag_id).values(name_key=key))
            continue
        keeper = kept[key]
        already = sa.select(article_tags.c.article_id).where(article_tags.c.tag_id == keeper)
        connection.execute(
            article_tags.delete().where(
                article_tags.c.tag_id == tag_id, article_tags.c.article_id.in_(already)
            )
        )
        connection.execute(
            article_tags.update().where(article_tags.c.tag_id == tag_id).values(tag_id=keeper)
        )
        connection.execute(tags.delete().where(tags.c.id == tag_id))


def upgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", NAME_KEY, nullable=True))
    _merge_tags_that_differ_only_in_case()
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=NAME_KEY, nullable=False)
        batch_op.drop_constraint(batch_op.f("uq_tags_name"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_tags_name_key"), ["name_key"])


def downgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_tags_name_key"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_tags_name"), ["name"])
        batch_op.drop_column("name_key")
