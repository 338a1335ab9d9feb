"""The wallet (saved payment methods) and autopay enrollments.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = sa.DateTime(timezone=True)
_ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_table(
        "saved_payment_methods",
        sa.Column("processor_method_id", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("brand", sa.String(32), nullable=True),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=True),
        sa.Column("exp_year", sa.Integer(), nullable=True),
        sa.Column("bank_name", sa.String(100), nullable=True),
        sa.Column("account_type", sa.String(16), nullable=True),
        sa.Column("nickname", sa.String(40), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index(
        "ix_saved_payment_methods_user", "saved_payment_methods", ["user_id", "created_at"]
    )
    op.create_table(
        "autopay_enrollments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("processor_method_id", sa.String(64), nullable=False),
        sa.Column("draft_rule", sa.String(16), nullable=False),
        sa.Column("draft_days", sa.Integer(), nullable=True),
        sa.Column("max_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("cancelled_at", _WHEN, nullable=True),
        sa.Column("skipped_due_date", sa.Date(), nullable=True),
        sa.Column("skipped_reason", sa.String(300), nullable=True),
    )
    op.create_index(
        "uq_autopay_enrollments_active_account",
        "autopay_enrollments",
        ["account_number"],
        unique=True,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )
    op.create_index("ix_autopay_enrollments_method", "autopay_enrollments", ["processor_method_id"])


def downgrade() -> None:
    op.drop_table("autopay_enrollments")
    op.drop_table("saved_payment_methods")
