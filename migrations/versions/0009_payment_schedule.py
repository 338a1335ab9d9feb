"""A payment's scheduled date: a payment set for a later day waits, SCHEDULED, until then.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Nullable: a payment made at once has no date of its own (and no existing row has).
    with op.batch_alter_table("payments") as payments:
        payments.add_column(sa.Column("scheduled_for", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments") as payments:
        payments.drop_column("scheduled_for")
