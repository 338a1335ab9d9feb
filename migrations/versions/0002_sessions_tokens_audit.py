"""Email confirmation, sign-in sessions with refresh tokens, one-time tokens,
account sharing, sign-in throttling and the staff audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = sa.DateTime(timezone=True)
# BIGINT keys where rows pile up; SQLite only auto-increments an INTEGER primary key.
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("email_confirmed_at", _WHEN, nullable=True))
        users.add_column(sa.Column("password_changed_at", _WHEN, nullable=True))
    # Everyone who could sign in before this revision keeps signing in.
    op.execute("UPDATE users SET email_confirmed_at = created_at")
    with op.batch_alter_table("user_accounts") as links:
        links.add_column(
            sa.Column("access", sa.String(16), nullable=False, server_default="holder")
        )
        links.add_column(sa.Column("linked_at", _WHEN, nullable=True))

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("last_used_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("revoked_at", _WHEN, nullable=True),
        sa.Column("revoked_reason", sa.String(32), nullable=True),
        sa.Column("device_name", sa.String(120), nullable=True),
        sa.Column("user_agent", sa.String(255), nullable=True),
        sa.Column("client_address", sa.String(64), nullable=True),
    )
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "session_id",
            sa.String(32),
            sa.ForeignKey("login_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("issued_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])
    op.create_table(
        "one_time_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(24), nullable=False),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
        sa.CheckConstraint(
            "purpose IN ('confirm_email', 'reset_password')", name="ck_one_time_tokens_purpose"
        ),
    )
    op.create_index("ix_one_time_tokens_user_purpose", "one_time_tokens", ["user_id", "purpose"])
    op.create_table(
        "account_invitations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column(
            "invited_by",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column(
            "accepted_by",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("accepted_at", _WHEN, nullable=True),
        sa.Column("revoked_at", _WHEN, nullable=True),
    )
    op.create_index(
        "ix_account_invitations_account_number", "account_invitations", ["account_number"]
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("attempted_at", _WHEN, nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "attempted_at"])
    op.create_index(
        "ix_login_attempts_address_at", "login_attempts", ["client_address", "attempted_at"]
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("occurred_at", _WHEN, nullable=False),
        sa.Column(
            "actor_user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("actor_email", sa.String(320), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("fields", sa.String(1000), nullable=False),
        sa.Column("operation_name", sa.String(120), nullable=True),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_audit_entries_account_at", "audit_entries", ["account_number", "occurred_at"]
    )
    op.create_index("ix_audit_entries_actor_at", "audit_entries", ["actor_user_id", "occurred_at"])
    op.create_index("ix_audit_entries_occurred_at", "audit_entries", ["occurred_at"])


def downgrade() -> None:
    op.drop_table("audit_entries")
    op.drop_table("login_attempts")
    op.drop_table("account_invitations")
    op.drop_table("one_time_tokens")
    op.drop_table("refresh_tokens")
    op.drop_table("login_sessions")
    with op.batch_alter_table("user_accounts") as links:
        links.drop_column("linked_at")
        links.drop_column("access")
    with op.batch_alter_table("users") as users:
        users.drop_column("password_changed_at")
        users.drop_column("email_confirmed_at")
