"""Stories rendered again: code blocks and tables a keyboard can reach, task boxes labelled

Revision ID: 3f1c2a9d7b40
Revises: 885aa9d34700
Create Date: 2026-12-07 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broadsheet.lib import markdown

revision: str = "3f1c2a9d7b40"
down_revision: str | None = "885aa9d34700"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500

articles = sa.table(
    "articles",
    sa.column("id", sa.BigInteger()),
    sa.column("body", sa.Text()),
    sa.column("body_html", sa.Text()),
)


def upgrade() -> None:
    """Every story's HTML from today's renderer, a batch at a time, so a large site's bodies
    are never all in memory at once."""
    connection = op.get_bind()
    last_id = 0
    while batch := connection.execute(
        sa.select(articles.c.id, articles.c.body)
        .where(articles.c.id > last_id)
        .order_by(articles.c.id)
        .limit(BATCH)
    ).all():
        for article_id, body in batch:
            connection.execute(
                articles.update()
                .where(articles.c.id == article_id)
                .values(body_html=markdown.render(body))
            )
        last_id = batch[-1].id


def downgrade() -> None:
    """Nothing to take back: the older pages serve this HTML as well as their own."""
