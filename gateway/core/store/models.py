"""Tables of the gateway's own database: portal users, the accounts they may see,
their sign-in sessions, one-time tokens, sign-in attempts, the staff audit log and the
outbox of work the worker carries out.

The migrations in `migrations/` create these tables; the models here only describe
them for queries, so the two must change together.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
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
    # Null until the member proved they read mail at `email`; they cannot sign in before.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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
    # "holder": proved the account with CIS facts and may invite others; "shared": invited.
    access: Mapped[str] = mapped_column(String(16), server_default="holder")
    linked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginSession(Base):
    """One signed-in device: a family of refresh tokens, each replacing the last."""

    __tablename__ = "login_sessions"
    __table_args__ = (Index("ix_login_sessions_user_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why it ended: logout, signed_out_elsewhere, password_changed, token_reuse, ...
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    device_name: Mapped[str | None] = mapped_column(String(120))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    client_address: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(Base):
    """A refresh token, stored only as its SHA-256; `used_at` set once it was rotated."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_session_id", "session_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("login_sessions.id", ondelete="CASCADE"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OneTimeToken(Base):
    """An emailed secret (email confirmation, password reset), stored only as its SHA-256."""

    __tablename__ = "one_time_tokens"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('confirm_email', 'reset_password')", name="ck_one_time_tokens_purpose"
        ),
        Index("ix_one_time_tokens_user_purpose", "user_id", "purpose"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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


class LoginAttempt(Base):
    """Recent sign-in attempts, counted per email and per client address to throttle."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_address_at", "client_address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    email: Mapped[str] = mapped_column(String(320))
    client_address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)


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
