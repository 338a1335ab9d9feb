"""Notifications: members' contacts, the log of consent to texts, opted-out numbers, the
members' texts taken in, what each login chose to be told for each account, and the
log of every notification sent.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notification_contacts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("is_login", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("activated_at", _WHEN, nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("code_expires_at", _WHEN, nullable=True),
        sa.Column("code_serial", sa.Integer(), nullable=False),
        sa.UniqueConstraint("user_id", "kind", "value", name="uq_notification_contacts_value"),
    )
    op.create_table(
        "sms_consent_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("recorded_at", _WHEN, nullable=False),
    )
    op.create_index("ix_sms_consent_log_phone", "sms_consent_log", ["phone", "id"])
    op.create_index("ix_sms_consent_log_user", "sms_consent_log", ["user_id", "id"])
    op.create_table(
        "sms_opt_outs",
        sa.Column("phone", sa.String(16), primary_key=True),
        sa.Column("opted_out_at", _WHEN, nullable=False),
    )
    op.create_table(
        "sms_inbound_messages",
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("keyword", sa.String(16), nullable=False),
        sa.Column("received_at", _WHEN, nullable=False),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint(
            "user_id", "account_number", "type", name="uq_notification_preferences_type"
        ),
    )
    op.create_table(
        "notification_preference_contacts",
        sa.Column(
            "preference_id",
            sa.Integer(),
            sa.ForeignKey("notification_preferences.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "contact_id",
            sa.Integer(),
            sa.ForeignKey("notification_contacts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "contact_id",
            sa.Integer(),
            sa.ForeignKey("notification_contacts.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("account_number", sa.String(32), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("provider_message_id", sa.String(64), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("dedupe_key", name="uq_notification_deliveries_dedupe_key"),
    )
    op.create_index("ix_notification_deliveries_user", "notification_deliveries", ["user_id", "id"])
    op.create_index(
        "ix_notification_deliveries_provider_message",
        "notification_deliveries",
        ["provider_message_id"],
    )


def downgrade() -> None:
    op.drop_table("notification_deliveries")
    op.drop_table("notification_preference_contacts")
    op.drop_table("notification_preferences")
    op.drop_table("sms_inbound_messages")
    op.drop_table("sms_opt_outs")
    op.drop_index("ix_sms_consent_log_user", table_name="sms_consent_log")
    op.drop_index("ix_sms_consent_log_phone", table_name="sms_consent_log")
    op.drop_table("sms_consent_log")
    op.drop_table("notification_contacts")
