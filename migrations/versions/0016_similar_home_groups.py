"""Similar homes: each month's groups of homes by weather station and rate class, kept
as their size and percentile cut points only.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "similar_home_groups",
        sa.Column("station_id", sa.String(32), primary_key=True),
        sa.Column("rate_class", sa.String(32), primary_key=True),
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("homes", sa.Integer(), nullable=False),
        sa.Column("cut_points", sa.Text(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("similar_home_groups")
