"""Autopay enrollments: which saved method pays an account's bills, and when."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.store.base import Base

_ACTIVE = text("status = 'active'")


class AutopayEnrollmentRow(Base):
    """One enrollment, active until cancelled; cancelled ones are kept for the record.

    The saved method is not a foreign key: a method may be removed from the wallet
    once no active enrollment uses it, and cancelled enrollments still name it.
    """

    __tablename__ = "autopay_enrollments"
    __table_args__ = (
        # One active enrollment per account, whoever enrolled it, even from two processes.
        Index(
            "uq_autopay_enrollments_active_account",
            "account_number",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        Index("ix_autopay_enrollments_method", "processor_method_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_number: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    processor_method_id: Mapped[str] = mapped_column(String(64))
    draft_rule: Mapped[str] = mapped_column(String(16))  # due_date | days_before | day_of_month
    draft_days: Mapped[int | None] = mapped_column(Integer)  # the n or the day of the month
    max_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(16))  # active | cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The bill (by due date) the drafting job did not draft, and why, for the member.
    skipped_due_date: Mapped[date | None] = mapped_column(Date)
    skipped_reason: Mapped[str | None] = mapped_column(String(300))
