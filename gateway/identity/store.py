"""Sign-in sessions, their refresh tokens, and the sign-in attempts that throttle new ones.

Every time is UTC. SQLite keeps no offset, so times read back get theirs again;
comparisons inside SQLite work because every time is written in the same form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CursorResult,
    Select,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import (
    LoginAttempt,
    LoginSession,
    RefreshToken,
    Role,
    User,
    UserAccount,
)
from gateway.identity.users import StoredUser, stored_user

TOKEN_REUSE = "token_reuse"  # noqa: S105 - a revocation reason, not a secret


@dataclass(frozen=True, slots=True)
class Device:
    """What the store remembers about where a session was started."""

    name: str | None = None
    user_agent: str | None = None
    client_address: str | None = None


@dataclass(frozen=True, slots=True)
class StoredSession:
    id: str
    user_id: int
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    device: Device


@dataclass(frozen=True, slots=True)
class ViewerInSession:
    """A signed-in request's user, as the store says while its session runs."""

    user: StoredUser
    linked_accounts: frozenset[str]
    session_expires_at: datetime


@dataclass(frozen=True, slots=True)
class Rotated:
    """The refresh token was fresh: it is spent now, and `session` runs on."""

    session: StoredSession
    role: Role


@dataclass(frozen=True, slots=True)
class Replayed:
    """The refresh token had been spent before: its session is revoked now."""

    session_id: str
    user_id: int


def _utc(instant: datetime) -> datetime:
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def _clip(text: str | None, length: int) -> str | None:
    return None if text is None else text[:length]


def _session(row: LoginSession) -> StoredSession:
    return StoredSession(
        id=row.id,
        user_id=row.user_id,
        created_at=_utc(row.created_at),
        last_used_at=_utc(row.last_used_at),
        expires_at=_utc(row.expires_at),
        device=Device(row.device_name, row.user_agent, row.client_address),
    )


def _running(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    return (LoginSession.revoked_at.is_(None)) & (LoginSession.expires_at > now)


def _affected(result: object) -> int:
    return cast(CursorResult[Any], result).rowcount


async def create_session(
    store: GatewayStore,
    *,
    user_id: int,
    refresh_token_hash: str,
    device: Device,
    now: datetime,
    expires_at: datetime,
) -> StoredSession:
    """A new session with its first refresh token."""
    row = LoginSession(
        id=secrets.token_hex(16),
        user_id=user_id,
        created_at=now,
        last_used_at=now,
        expires_at=expires_at,
        # Headers and names come from clients: keep what fits the columns.
        device_name=_clip(device.name, 120),
        user_agent=_clip(device.user_agent, 255),
        client_address=_clip(device.client_address, 64),
    )
    async with store.sessions() as db, db.begin():
        db.add(row)
        await db.flush()
        db.add(RefreshToken(token_hash=refresh_token_hash, session_id=row.id, issued_at=now))
    return _session(row)


async def rotate_refresh_token(
    store: GatewayStore,
    *,
    token_hash: str,
    new_token_hash: str,
    now: datetime,
    refresh_ttl: timedelta,
    max_age: timedelta,
) -> Rotated | Replayed | None:
    """Spend a refresh token and issue its successor in the same session.

    None: no such token, or its session has ended. A token spent before means it was
    copied: the whole session is revoked, so neither copy works any more.
    """
    outcome = await _rotate(
        store,
        token_hash=token_hash,
        new_token_hash=new_token_hash,
        now=now,
        refresh_ttl=refresh_ttl,
        max_age=max_age,
    )
    if isinstance(outcome, Replayed):
        await store.logins_changed([outcome.user_id])
    return outcome


async def _rotate(
    store: GatewayStore,
    *,
    token_hash: str,
    new_token_hash: str,
    now: datetime,
    refresh_ttl: timedelta,
    max_age: timedelta,
) -> Rotated | Replayed | None:
    async with store.sessions() as db, db.begin():
        # Writing first takes SQLite's write lock at once, and PostgreSQL's row lock:
        # of two requests with the same token, exactly one finds it unspent.
        spent = await db.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_(None))
            .values(used_at=now)
        )
        found = (
            await db.execute(
                select(LoginSession, User.role)
                .join(RefreshToken, RefreshToken.session_id == LoginSession.id)
                .join(User, User.id == LoginSession.user_id)
                .where(RefreshToken.token_hash == token_hash)
            )
        ).one_or_none()
        if found is None:
            return None
        session, role = found
        if session.revoked_at is not None or _utc(session.expires_at) <= now:
            return None
        if _affected(spent) != 1:
            await _revoke(db, session.id, reason=TOKEN_REUSE, now=now)
            return Replayed(session.id, session.user_id)
        db.add(RefreshToken(token_hash=new_token_hash, session_id=session.id, issued_at=now))
        session.last_used_at = now
        session.expires_at = min(now + refresh_ttl, _utc(session.created_at) + max_age)
        await db.flush()
        return Rotated(_session(session), Role(role))


async def _revoke(db: AsyncSession, session_id: str, *, reason: str, now: datetime) -> None:
    await db.execute(
        update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


@cache
def _viewer_in_session() -> Select[*tuple[Any, ...]]:
    # Built once, run with each request's parameters: constructing the statement cost
    # more than SQLAlchemy's cached compilation of it.
    return (
        select(
            User.id,
            User.email,
            User.role,
            User.password_hash,
            User.created_at,
            User.email_confirmed_at,
            LoginSession.expires_at,
            UserAccount.account_number,
        )
        .join(LoginSession, LoginSession.user_id == User.id)
        .outerjoin(UserAccount, UserAccount.user_id == User.id)
        .where(
            User.id == bindparam("user_id"),
            LoginSession.id == bindparam("session_id"),
            _running(bindparam("now")),
        )
    )


async def viewer_in_session(
    store: GatewayStore, *, user_id: int, session_id: str, now: datetime
) -> ViewerInSession | None:
    """The user and the accounts linked to them, if `session_id` is theirs and still
    runs. Every signed-in request asks this first: one Core query, no ORM objects."""
    parameters = {"user_id": user_id, "session_id": session_id, "now": now}
    async with store.engine.connect() as connection:
        rows = (await connection.execute(_viewer_in_session(), parameters)).all()
    if not rows:
        return None
    linked = frozenset(row.account_number for row in rows if row.account_number is not None)
    return ViewerInSession(stored_user(rows[0]), linked, _utc(rows[0].expires_at))


async def running_sessions(
    store: GatewayStore, *, user_id: int, now: datetime
) -> list[StoredSession]:
    """The user's sessions that still run, the most recently used first."""
    async with store.sessions() as db:
        rows = await db.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user_id, _running(now))
            .order_by(LoginSession.last_used_at.desc(), LoginSession.id)
        )
        return [_session(row) for row in rows]


async def revoke_session(
    store: GatewayStore, *, user_id: int, session_id: str, reason: str, now: datetime
) -> bool:
    """False when the session is not the user's, or has ended already."""
    async with store.sessions() as db, db.begin():
        result = await db.execute(
            update(LoginSession)
            .where(LoginSession.id == session_id, LoginSession.user_id == user_id, _running(now))
            .values(revoked_at=now, revoked_reason=reason)
        )
    revoked = _affected(result) == 1
    if revoked:
        await store.logins_changed([user_id])
    return revoked


async def revoke_sessions_of_user(
    store: GatewayStore,
    *,
    user_id: int,
    reason: str,
    now: datetime,
    keep_session_id: str | None = None,
) -> int:
    """Revoke every running session of the user but `keep_session_id`; how many were."""
    condition = (LoginSession.user_id == user_id) & _running(now)
    if keep_session_id is not None:
        condition &= LoginSession.id != keep_session_id
    async with store.sessions() as db, db.begin():
        result = await db.execute(
            update(LoginSession).where(condition).values(revoked_at=now, revoked_reason=reason)
        )
    revoked = _affected(result)
    if revoked:
        await store.logins_changed([user_id])
    return revoked


async def add_attempt(
    store: GatewayStore, *, email: str, client_address: str, now: datetime
) -> int:
    """Record a sign-in attempt as failed until `attempt_succeeded` says otherwise."""
    row = LoginAttempt(
        email=email[:320], client_address=client_address[:64], attempted_at=now, succeeded=False
    )
    async with store.sessions() as db, db.begin():
        db.add(row)
        await db.flush()
        return row.id


async def attempt_succeeded(store: GatewayStore, attempt_id: int) -> None:
    async with store.sessions() as db, db.begin():
        await db.execute(
            update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=True)
        )


async def forget_attempt(store: GatewayStore, attempt_id: int) -> None:
    async with store.sessions() as db, db.begin():
        await db.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


async def recent_failures(
    store: GatewayStore,
    *,
    since: datetime,
    limit: int,
    email: str | None = None,
    client_address: str | None = None,
) -> list[datetime]:
    """When the latest failed attempts for the email or the address were, newest first.

    For an email, failures before its latest success do not count: signing in
    successfully starts the count afresh. For an address they always count, so that
    one known password does not reset guessing at others from the same place.
    """
    condition = (LoginAttempt.attempted_at >= since) & LoginAttempt.succeeded.is_(False)
    if email is not None:
        latest_success = (
            select(func.max(LoginAttempt.attempted_at))
            .where(LoginAttempt.email == email[:320], LoginAttempt.succeeded.is_(True))
            .scalar_subquery()
        )
        condition &= LoginAttempt.email == email[:320]
        condition &= latest_success.is_(None) | (LoginAttempt.attempted_at > latest_success)
    if client_address is not None:
        condition &= LoginAttempt.client_address == client_address[:64]
    async with store.sessions() as db:
        times = await db.scalars(
            select(LoginAttempt.attempted_at)
            .where(condition)
            .order_by(LoginAttempt.attempted_at.desc(), LoginAttempt.id.desc())
            .limit(limit)
        )
        return [_utc(t) for t in times]


async def prune_attempts(store: GatewayStore, *, before: datetime) -> int:
    async with store.sessions() as db, db.begin():
        result = await db.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < before))
        return _affected(result)
