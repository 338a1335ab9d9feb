"""The store side of registration: new members, their account links and one-time tokens.

One-time tokens are looked up by their SHA-256 only. Using one is a conditional
update (`used_at IS NULL`), so of two requests with the same token exactly one wins,
on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.rules.email import normalize_email_address
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import OneTimeToken, Role, User, UserAccount


class TokenPurpose(StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a secret


class Access(StrEnum):
    HOLDER = "holder"  # proved the account with CIS facts; may invite others
    SHARED = "shared"  # invited by a holder


def utc(moment: datetime) -> datetime:
    """A time read back from the store, as an aware UTC datetime (SQLite keeps no offset)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def create_member(
    store: GatewayStore, *, email: str, password_hash: str, account_number: str, now: datetime
) -> int | None:
    """A new member, email not yet confirmed, holding `account_number`; None if the email
    is taken (also when another request took it a moment ago)."""
    async with store.sessions() as session:
        user = User(
            email=normalize_email_address(email),
            password_hash=password_hash,
            role=Role.MEMBER.value,
            created_at=now,
            email_confirmed_at=None,
        )
        session.add(user)
        try:
            await session.flush()
        except IntegrityError:
            await session.rollback()
            return None
        await link_in_session(session, user.id, account_number, Access.HOLDER, now)
        await session.commit()
        return user.id


async def link_account(
    store: GatewayStore, *, user_id: int, account_number: str, access: Access, now: datetime
) -> None:
    """Link the account; a holder link is never weakened to shared."""
    async with store.sessions() as session:
        await link_in_session(session, user_id, account_number, access, now)
        await session.commit()
    await store.logins_changed([user_id])


async def access_to(store: GatewayStore, *, user_id: int, account_number: str) -> Access | None:
    async with store.sessions() as session:
        access = await session.scalar(
            select(UserAccount.access).where(
                UserAccount.user_id == user_id, UserAccount.account_number == account_number
            )
        )
        return None if access is None else Access(access)


async def link_in_session(
    session: AsyncSession, user_id: int, account_number: str, access: Access, now: datetime
) -> None:
    """`link_account` inside the caller's transaction (the caller commits)."""
    link = await session.get(UserAccount, (user_id, account_number))
    if link is None:
        session.add(
            UserAccount(
                user_id=user_id, account_number=account_number, access=access, linked_at=now
            )
        )
    elif access is Access.HOLDER and link.access != Access.HOLDER:
        link.access = Access.HOLDER
    await session.flush()


async def add_one_time_token(
    store: GatewayStore,
    *,
    token_hash: str,
    purpose: TokenPurpose,
    user_id: int,
    now: datetime,
    expires_at: datetime,
) -> None:
    async with store.sessions() as session:
        session.add(
            OneTimeToken(
                token_hash=token_hash,
                purpose=purpose.value,
                user_id=user_id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        await session.commit()


async def tokens_issued_since(
    store: GatewayStore, *, user_id: int, purpose: TokenPurpose, since: datetime
) -> int:
    """How many tokens of this purpose the user was sent since then (used or not)."""
    async with store.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OneTimeToken)
            .where(
                OneTimeToken.user_id == user_id,
                OneTimeToken.purpose == purpose.value,
                OneTimeToken.created_at >= since,
            )
        )
        return int(count or 0)


async def token_owner(
    store: GatewayStore, *, token_hash: str, purpose: TokenPurpose, now: datetime
) -> int | None:
    """The user a still-usable token belongs to, without using it."""
    async with store.sessions() as session:
        user_id: int | None = await session.scalar(_usable(token_hash, purpose, now))
        return user_id


async def confirm_email(store: GatewayStore, *, token_hash: str, now: datetime) -> str | None:
    """Use a confirmation token: the user's email counts as confirmed. Returns the email."""
    async with store.sessions() as session:
        user_id = await _use_token(session, token_hash, TokenPurpose.CONFIRM_EMAIL, now)
        if user_id is None:
            return None
        user = await session.get_one(User, user_id)
        user.email_confirmed_at = user.email_confirmed_at or now
        email = user.email
        await session.commit()
    await store.logins_changed([user_id])
    return email


async def reset_password(
    store: GatewayStore, *, token_hash: str, password_hash: str, now: datetime
) -> int | None:
    """Use a reset token to set the password. Returns the user's id, None if it was unusable.

    Reading the emailed token proves the email too, so it counts as confirmed.
    """
    async with store.sessions() as session:
        user_id = await _use_token(session, token_hash, TokenPurpose.RESET_PASSWORD, now)
        if user_id is None:
            return None
        user = await session.get_one(User, user_id)
        user.password_hash = password_hash
        user.password_changed_at = now
        user.email_confirmed_at = user.email_confirmed_at or now
        await session.commit()
    await store.logins_changed([user_id])
    return user_id


async def set_password(
    store: GatewayStore, *, user_id: int, password_hash: str, now: datetime
) -> None:
    async with store.sessions() as session:
        await session.execute(
            update(User)
            .where(User.id == user_id)
            .values(password_hash=password_hash, password_changed_at=now)
        )
        await session.commit()
    await store.logins_changed([user_id])


def _usable(token_hash: str, purpose: TokenPurpose, now: datetime) -> Select[int]:
    return select(OneTimeToken.user_id).where(
        OneTimeToken.token_hash == token_hash,
        OneTimeToken.purpose == purpose.value,
        OneTimeToken.used_at.is_(None),
        OneTimeToken.expires_at > now,
    )


async def _use_token(
    session: AsyncSession, token_hash: str, purpose: TokenPurpose, now: datetime
) -> int | None:
    user_id: int | None = await session.scalar(_usable(token_hash, purpose, now))
    if user_id is None:
        return None
    used = cast(
        CursorResult[Any],
        await session.execute(
            update(OneTimeToken)
            .where(OneTimeToken.token_hash == token_hash, OneTimeToken.used_at.is_(None))
            .values(used_at=now)
        ),
    )
    if used.rowcount != 1:  # another request used it between the select and here
        return None
    # Links sent earlier for the same purpose are spent too: only one may ever work.
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.purpose == purpose.value,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return user_id
