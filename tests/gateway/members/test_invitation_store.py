"""Invitations to share an account, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.one_time_tokens import new_token, token_hash
from gateway.members.invitation_store import (
    InvitationStatus,
    StoredInvitation,
    accept_invitation,
    add_invitation,
    invitations_for,
    pending_invitations,
    revoke_invitation,
)
from gateway.members.store import Access, access_to, create_member
from tests.gateway.core.store.databases import announcing, store_on_each_backend

# On SQLite and on the real PostgreSQL, one database per module.
store = store_on_each_backend()

NOON = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
_numbers = itertools.count(1)


async def member(store: GatewayStore, account_number: str) -> tuple[int, str]:
    email = f"sharer-{next(_numbers)}@example.com"
    user_id = await create_member(
        store, email=email, password_hash="h", account_number=account_number, now=NOON
    )
    assert user_id is not None
    return user_id, email


def fresh_account() -> str:
    return f"88{next(_numbers):04d}"


async def invite(
    store: GatewayStore, account: str, holder: int, email: str, *, now: datetime = NOON
) -> tuple[StoredInvitation, str]:
    token = new_token()
    invitation = await add_invitation(
        store,
        account_number=account,
        invited_by=holder,
        email=email,
        token_hash=token_hash(token),
        now=now,
        expires_at=now + WEEK,
    )
    return invitation, token


async def test_the_invitee_accepts_once_and_shares_the_account(store: GatewayStore) -> None:
    account = fresh_account()
    holder, _ = await member(store, account)
    invitee, invitee_email = await member(store, fresh_account())
    invitation, token = await invite(store, account, holder, invitee_email.upper())

    assert invitation.email == invitee_email
    assert invitation.status(NOON) is InvitationStatus.PENDING
    first = await accept_invitation(
        store, token_hash=token_hash(token), user_id=invitee, email=invitee_email, now=NOON
    )
    again = await accept_invitation(
        store, token_hash=token_hash(token), user_id=invitee, email=invitee_email, now=NOON
    )

    assert (first, again) == (account, None)
    assert await access_to(store, user_id=invitee, account_number=account) is Access.SHARED
    [listed] = await invitations_for(store, account)
    assert listed.status(NOON) is InvitationStatus.ACCEPTED


async def test_only_the_invited_email_can_accept(store: GatewayStore) -> None:
    account = fresh_account()
    holder, _ = await member(store, account)
    other, other_email = await member(store, fresh_account())
    _, token = await invite(store, account, holder, "someone-else@example.com")

    accepted = await accept_invitation(
        store, token_hash=token_hash(token), user_id=other, email=other_email, now=NOON
    )

    assert accepted is None
    assert await access_to(store, user_id=other, account_number=account) is None
    assert await pending_invitations(store, account_number=account, now=NOON) == 1


async def test_expired_and_revoked_invitations_cannot_be_accepted(store: GatewayStore) -> None:
    account = fresh_account()
    holder, _ = await member(store, account)
    invitee, email = await member(store, fresh_account())
    expiring, expiring_token = await invite(store, account, holder, email, now=NOON - WEEK)
    revoked, revoked_token = await invite(store, account, holder, email)

    assert await revoke_invitation(
        store, invitation_id=revoked.id, account_number=account, now=NOON
    )
    for token in (expiring_token, revoked_token):
        assert not await accept_invitation(
            store, token_hash=token_hash(token), user_id=invitee, email=email, now=NOON
        )

    statuses = {i.id: i.status(NOON) for i in await invitations_for(store, account)}
    assert statuses == {
        expiring.id: InvitationStatus.EXPIRED,
        revoked.id: InvitationStatus.REVOKED,
    }
    assert await pending_invitations(store, account_number=account, now=NOON) == 0


async def test_revoking_needs_the_right_account_and_an_open_invitation(
    store: GatewayStore,
) -> None:
    account = fresh_account()
    holder, _ = await member(store, account)
    invitation, _ = await invite(store, account, holder, "friend@example.com")

    wrong_account = await revoke_invitation(
        store, invitation_id=invitation.id, account_number=fresh_account(), now=NOON
    )
    revoked = await revoke_invitation(
        store, invitation_id=invitation.id, account_number=account, now=NOON
    )
    twice = await revoke_invitation(
        store, invitation_id=invitation.id, account_number=account, now=NOON
    )

    assert wrong_account is None
    assert revoked is not None
    assert revoked.revoked_at == NOON
    assert twice is None


async def test_a_holder_who_accepts_stays_a_holder(store: GatewayStore) -> None:
    account = fresh_account()
    holder, holder_email = await member(store, account)
    _, token = await invite(store, account, holder, holder_email)

    accepted = await accept_invitation(
        store, token_hash=token_hash(token), user_id=holder, email=holder_email, now=NOON
    )

    assert accepted == account
    assert await access_to(store, user_id=holder, account_number=account) is Access.HOLDER


async def test_of_concurrent_acceptances_exactly_one_wins(store: GatewayStore) -> None:
    account = fresh_account()
    holder, _ = await member(store, account)
    invitee, email = await member(store, fresh_account())
    _, token = await invite(store, account, holder, email)

    results = await asyncio.gather(
        *(
            accept_invitation(
                store, token_hash=token_hash(token), user_id=invitee, email=email, now=NOON
            )
            for _ in range(3)
        )
    )

    assert sorted(results, key=str) == [account, None, None]


async def test_invitations_are_listed_newest_first(store: GatewayStore) -> None:
    account = fresh_account()
    holder, _ = await member(store, account)
    older, _ = await invite(store, account, holder, "a@example.com", now=NOON - WEEK / 7)
    newer, _ = await invite(store, account, holder, "b@example.com")

    listed = await invitations_for(store, account)

    assert [i.id for i in listed] == [newer.id, older.id]
    assert listed[0].created_at == NOON


async def test_accepting_is_announced_as_a_change_of_the_invitees_login(
    store: GatewayStore,
) -> None:
    watched, announced = announcing(store)
    account = fresh_account()
    holder, _ = await member(store, account)
    invitee, invitee_email = await member(store, fresh_account())
    _, token = await invite(store, account, holder, invitee_email)

    accepted = await accept_invitation(
        watched, token_hash=token_hash(token), user_id=invitee, email=invitee_email, now=NOON
    )

    assert accepted == account
    assert announced == [invitee]
