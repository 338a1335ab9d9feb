"""Invitations to share an account: made by a holder, accepted once by the invitee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from adapters.rules.email import normalize_email_address
from gateway.core.store.gateway_store import GatewayStore
from gateway.members.store import Access, link_in_session, utc
from gateway.members.tables import AccountInvitation

# A holder sees this many of an account's most recent invitations.
LISTED_INVITATIONS = 50


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class StoredInvitation:
    id: int
    account_number: str
    email: str
    invited_by: int
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None

    def status(self, now: datetime) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING


async def add_invitation(
    store: GatewayStore,
    *,
    account_number: str,
    invited_by: int,
    email: str,
    token_hash: str,
    now: datetime,
    expires_at: datetime,
) -> StoredInvitation:
    async with store.sessions() as session:
        row = AccountInvitation(
            token_hash=token_hash,
            account_number=account_number,
            invited_by=invited_by,
            email=normalize_email_address(email),
            created_at=now,
            expires_at=expires_at,
        )
        session.add(row)
        await session.commit()
        return _stored(row)


async def pending_invitations(store: GatewayStore, *, account_number: str, now: datetime) -> int:
    async with store.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(AccountInvitation)
            .where(
                AccountInvitation.account_number == account_number,
                AccountInvitation.accepted_at.is_(None),
                AccountInvitation.revoked_at.is_(None),
                AccountInvitation.expires_at > now,
            )
        )
        return int(count or 0)


async def invitations_for(store: GatewayStore, account_number: str) -> list[StoredInvitation]:
    """The account's most recent invitations, newest first."""
    async with store.sessions() as session:
        rows = await session.scalars(
            select(AccountInvitation)
            .where(AccountInvitation.account_number == account_number)
            .order_by(AccountInvitation.created_at.desc(), AccountInvitation.id.desc())
            .limit(LISTED_INVITATIONS)
        )
        return [_stored(row) for row in rows]


async def revoke_invitation(
    store: GatewayStore, *, invitation_id: int, account_number: str, now: datetime
) -> StoredInvitation | None:
    """Revoke a pending invitation of this account; None if there is no such pending one."""
    async with store.sessions() as session:
        revoked = cast(
            CursorResult[Any],
            await session.execute(
                update(AccountInvitation)
                .where(
                    AccountInvitation.id == invitation_id,
                    AccountInvitation.account_number == account_number,
                    AccountInvitation.accepted_at.is_(None),
                    AccountInvitation.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            ),
        )
        if revoked.rowcount != 1:
            return None
        await session.commit()
        row = await session.get_one(AccountInvitation, invitation_id)
        return _stored(row)


async def accept_invitation(
    store: GatewayStore, *, token_hash: str, user_id: int, email: str, now: datetime
) -> str | None:
    """Link the invited account to the user, once; returns its number.

    None when the token names no invitation, or one that is used, revoked, expired or
    made out to another email address.
    """
    async with store.sessions() as session:
        accepted = cast(
            CursorResult[Any],
            await session.execute(
                update(AccountInvitation)
                .where(
                    AccountInvitation.token_hash == token_hash,
                    AccountInvitation.email == normalize_email_address(email),
                    AccountInvitation.accepted_at.is_(None),
                    AccountInvitation.revoked_at.is_(None),
                    AccountInvitation.expires_at > now,
                )
                .values(accepted_by=user_id, accepted_at=now)
            ),
        )
        if accepted.rowcount != 1:
            return None
        account_number = await session.scalar(
            select(AccountInvitation.account_number).where(
                AccountInvitation.token_hash == token_hash
            )
        )
        assert account_number is not None  # the row was just updated
        await link_in_session(session, user_id, account_number, Access.SHARED, now)
        await session.commit()
    await store.logins_changed([user_id])
    return account_number


def _stored(row: AccountInvitation) -> StoredInvitation:
    return StoredInvitation(
        id=row.id,
        account_number=row.account_number,
        email=row.email,
        invited_by=row.invited_by,
        created_at=utc(row.created_at),
        expires_at=utc(row.expires_at),
        accepted_at=None if row.accepted_at is None else utc(row.accepted_at),
        revoked_at=None if row.revoked_at is None else utc(row.revoked_at),
    )
