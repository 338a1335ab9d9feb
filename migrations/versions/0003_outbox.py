"""The outbox: work written with the record it belongs to and carried out by the worker.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = sa.DateTime(timezone=True)
# Entries are never deleted: BIGINT, except where SQLite only auto-increments INTEGER.
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("due_at", _WHEN, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_until", _WHEN, nullable=True),
        sa.Column("claimed_by", sa.String(128), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
        sa.CheckConstraint(
            "state IN ('pending', 'running', 'done', 'needs_attention')", name="ck_outbox_state"
        ),
    )
    op.create_index("ix_outbox_state_due_at", "outbox", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_state_due_at", table_name="outbox")
    op.drop_table("outbox")
