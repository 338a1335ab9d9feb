"""Payments made through the gateway, and what happened to each of them.

A payment's `id` is also the processor's idempotency key and reference, and the CIS's
financialTransactionID: every retry of a step names the same payment, so the processor
and the CIS answer the first result instead of moving money twice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.store.base import Base


class PaymentRow(Base):
    """One payment: who paid which account how much, with what, and where it stands.

    The method is a processor method id (pm_...) and a masked label only: a card or
    bank account number never reaches the gateway.
    """

    __tablename__ = "payments"
    __table_args__ = (
        # The same key from the same login is the same payment, even from two processes.
        UniqueConstraint("user_id", "idempotency_key", name="uq_payments_user_idempotency_key"),
        Index("ix_payments_account_created", "account_number", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    account_number: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    fee: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    method_kind: Mapped[str] = mapped_column(String(16))  # card | bank_account
    method_label: Mapped[str] = mapped_column(String(64))  # "Visa ************4242"
    method_last4: Mapped[str] = mapped_column(String(4))
    processor_method_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processor_payment_id: Mapped[str | None] = mapped_column(String(64))  # ch_... or db_...
    confirmation: Mapped[str | None] = mapped_column(String(64))  # the CIS's receipt
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(String(300))  # member-facing
    # The co-op's local date a SCHEDULED payment is due on; None: paid at once.
    scheduled_for: Mapped[date | None] = mapped_column(Date)


class PaymentEventRow(Base):
    """A change of a payment's status or progress, kept for staff and for the member."""

    __tablename__ = "payment_events"
    __table_args__ = (Index("ix_payment_events_payment_at", "payment_id", "at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(Text)


class PaymentWebhookEventRow(Base):
    """A processor event the gateway accepted, once: its id is the key, so a replayed
    or redelivered event finds its row and changes nothing.

    Only what the worker needs is kept (never the processor's whole object).
    """

    __tablename__ = "payment_webhook_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # evt_...
    type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))  # ch_... or db_...
    reference: Mapped[str | None] = mapped_column(String(64))  # the payment id
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
