"""The staff audit log: who read which account's fields, when, from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.store.base import Base


class AuditEntry(Base):
    """One staff read of one account. Kept when the staff user is deleted (email copied)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_account_at", "account_number", "occurred_at"),
        Index("ix_audit_entries_actor_at", "actor_user_id", "occurred_at"),
        Index("ix_audit_entries_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(320))
    actor_role: Mapped[str] = mapped_column(String(16))
    account_number: Mapped[str] = mapped_column(String(32))
    # The top-level fields of the account that were read, sorted, comma-separated.
    fields: Mapped[str] = mapped_column(String(1000))
    operation_name: Mapped[str | None] = mapped_column(String(120))
    client_address: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(64))
