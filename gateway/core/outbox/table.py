"""The outbox: work written with its record, leased to a worker, never deleted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.store.base import Base


class OutboxState(StrEnum):
    # PENDING: waits for due_at. RUNNING: a worker holds its lease. DONE and
    # NEEDS_ATTENTION are final: a person looks at the second kind; nothing deletes either.
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    NEEDS_ATTENTION = "needs_attention"


class OutboxEntry(Base):
    """Work that must survive a crash, written in the same transaction as the record it
    belongs to and carried out by the worker (gateway.core.outbox)."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
        CheckConstraint(
            "state IN ('pending', 'running', 'done', 'needs_attention')", name="ck_outbox_state"
        ),
        # Claiming asks for (state = pending AND due_at <= now) and for running entries
        # whose lease expired: both are a range of this index, never the pile of done ones.
        Index("ix_outbox_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What the external call is known by, so that running it again does nothing new.
    idempotency_key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Runs started, including one cut short by a crash: bumped when an entry is claimed.
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    # Exception type and message, truncated; never a traceback (it could show secrets).
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
