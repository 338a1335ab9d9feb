"""Portal users and the accounts linked to them.

Revision ID: 0001
Revises:
Create Date: 2026-11-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('member', 'staff', 'admin')", name="ck_users_role"),
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.create_table(
        "user_accounts",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("account_number", sa.String(32), primary_key=True),
    )
    op.create_index("ix_user_accounts_account_number", "user_accounts", ["account_number"])


def downgrade() -> None:
    op.drop_index("ix_user_accounts_account_number", table_name="user_accounts")
    op.drop_table("user_accounts")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_table("users")
