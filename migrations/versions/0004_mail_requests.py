"""Requests for account mail, counted to limit reset and confirmation mail.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = sa.DateTime(timezone=True)
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "mail_requests",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("requested_at", _WHEN, nullable=False),
    )
    op.create_index(
        "ix_mail_requests_email_at", "mail_requests", ["purpose", "email", "requested_at"]
    )
    op.create_index(
        "ix_mail_requests_address_at",
        "mail_requests",
        ["purpose", "client_address", "requested_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_mail_requests_address_at", table_name="mail_requests")
    op.drop_index("ix_mail_requests_email_at", table_name="mail_requests")
    op.drop_table("mail_requests")
