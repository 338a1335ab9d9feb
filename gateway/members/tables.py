"""Invitations to share an account with another login; requests for account mail."""

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


class AccountInvitation(Base):
    """A holder's invitation to share one account with someone, by email."""

    __tablename__ = "account_invitations"
    __table_args__ = (Index("ix_account_invitations_account_number", "account_number"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_number: Mapped[str] = mapped_column(String(32))
    invited_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MailRequest(Base):
    """A request that may send account mail (a reset link, a confirmation link), counted
    per email and per client address to limit how much mail anyone can cause."""

    __tablename__ = "mail_requests"
    __table_args__ = (
        Index("ix_mail_requests_email_at", "purpose", "email", "requested_at"),
        Index("ix_mail_requests_address_at", "purpose", "client_address", "requested_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(320))
    client_address: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
