"""Payments made through the gateway and their events.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = sa.DateTime(timezone=True)
_MONEY = sa.Numeric(12, 2)
# Events are never deleted: BIGINT, except where SQLite only auto-increments INTEGER.
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("fee", _MONEY, nullable=False),
        sa.Column("method_kind", sa.String(16), nullable=False),
        sa.Column("method_label", sa.String(64), nullable=False),
        sa.Column("method_last4", sa.String(4), nullable=False),
        sa.Column("processor_method_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("processor_payment_id", sa.String(64), nullable=True),
        sa.Column("confirmation", sa.String(64), nullable=True),
        sa.Column("posted_at", _WHEN, nullable=True),
        sa.Column("decline_reason", sa.String(300), nullable=True),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_payments_user_idempotency_key"),
    )
    op.create_index("ix_payments_account_created", "payments", ["account_number", "created_at"])
    op.create_table(
        "payment_events",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "payment_id",
            sa.String(40),
            sa.ForeignKey("payments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_payment_events_payment_at", "payment_events", ["payment_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_payment_events_payment_at", table_name="payment_events")
    op.drop_table("payment_events")
    op.drop_index("ix_payments_account_created", table_name="payments")
    op.drop_table("payments")
