"""Tables of the gateway's own database: portal users and the accounts they may see.

The migrations in `migrations/` create these tables; the models here only describe
them for queries, so the two must change together.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Role(StrEnum):
    MEMBER = "member"
    STAFF = "staff"
    ADMIN = "admin"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'staff', 'admin')", name="ck_users_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Emails are stored lower-cased already; the index on lower() keeps that promise
# even for rows written by hand.
Index("uq_users_email_lower", func.lower(User.email), unique=True)


class UserAccount(Base):
    __tablename__ = "user_accounts"
    __table_args__ = (Index("ix_user_accounts_account_number", "account_number"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    account_number: Mapped[str] = mapped_column(String(32), primary_key=True)
