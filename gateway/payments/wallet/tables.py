"""The wallet's table: what may be shown of each saved method, never its number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.store.base import Base


class SavedMethodRow(Base):
    """A processor method (pm_...) a login saved, with its brand and last four digits.

    The processor's id is the key and the id members see: `payBill` takes it as
    `savedMethodId` as it is.
    """

    __tablename__ = "saved_payment_methods"
    __table_args__ = (Index("ix_saved_payment_methods_user", "user_id", "created_at"),)

    processor_method_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # card | bank_account
    brand: Mapped[str | None] = mapped_column(String(32))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int | None] = mapped_column(Integer)
    exp_year: Mapped[int | None] = mapped_column(Integer)
    bank_name: Mapped[str | None] = mapped_column(String(100))
    account_type: Mapped[str | None] = mapped_column(String(16))  # checking | savings
    nickname: Mapped[str | None] = mapped_column(String(40))
    is_default: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
