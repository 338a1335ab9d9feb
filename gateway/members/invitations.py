"""Sharing an account: its holder invites someone by email; they accept when signed in.

Only a holder of the account may invite or revoke. Anyone else, whether they may see
the account as a sharer, cannot see it at all, or it does not exist, gets the one
answer `AccountHidden`, as everywhere else in the API.
"""

from __future__ import annotations

import logging

from adapters.rules.email import normalize_email_address
from gateway.core.clock import Clock, utc_now
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.one_time_tokens import INVITATION_TTL, new_token, plausible, token_hash
from gateway.identity.policy import AccountAccess
from gateway.identity.tables import Role
from gateway.identity.users import StoredUser
from gateway.members import emails, invitation_store
from gateway.members.emails import MemberMail
from gateway.members.invitation_store import StoredInvitation
from gateway.members.registration import email_problem
from gateway.members.store import Access, access_to

logger = logging.getLogger("gateway.invitations")

MAX_PENDING_INVITATIONS = 10


async def invite(
    *,
    access: AccountAccess,
    store: GatewayStore,
    mail: MemberMail,
    request_id: str,
    account_number: str,
    email: str,
    clock: Clock = utc_now,
) -> StoredInvitation | AccountHidden | FieldProblem:
    number = account_number.strip()
    holder = await _holder(access, store, number)
    if holder is None:
        return AccountHidden()
    problem = email_problem(email)
    if problem is not None:
        return FieldProblem("email", problem)
    email = normalize_email_address(email)
    if email == holder.email:
        return FieldProblem("email", "You already hold this account.")
    now = clock()
    pending = await invitation_store.pending_invitations(store, account_number=number, now=now)
    if pending >= MAX_PENDING_INVITATIONS:
        return FieldProblem(
            "email",
            f"This account has {pending} open invitations; revoke one before sending another.",
        )
    token = new_token()
    invitation = await invitation_store.add_invitation(
        store,
        account_number=number,
        invited_by=holder.id,
        email=email,
        token_hash=token_hash(token),
        now=now,
        expires_at=now + INVITATION_TTL,
    )
    await mail.sender.send(
        emails.invitation(
            to=email, token=token, base_url=mail.public_base_url, account_number=number
        )
    )
    logger.info(
        "request %s: user %s invited someone to account %s (invitation %s)",
        request_id,
        holder.id,
        number,
        invitation.id,
    )
    return invitation


async def invitations_of(
    *, access: AccountAccess, store: GatewayStore, account_number: str
) -> list[StoredInvitation] | AccountHidden:
    """The account's invitations, for its holders and for staff."""
    number = account_number.strip()
    user = await access.require_user()
    if not await access.can_see(number):
        return AccountHidden()
    if user.role is Role.MEMBER and await _access(store, user, number) is not Access.HOLDER:
        return AccountHidden()
    return await invitation_store.invitations_for(store, number)


async def revoke(
    *,
    access: AccountAccess,
    store: GatewayStore,
    account_number: str,
    invitation_id: int,
    clock: Clock = utc_now,
) -> StoredInvitation | AccountHidden | FieldProblem:
    number = account_number.strip()
    if await _holder(access, store, number) is None:
        return AccountHidden()
    revoked = await invitation_store.revoke_invitation(
        store, invitation_id=invitation_id, account_number=number, now=clock()
    )
    if revoked is None:
        return FieldProblem("invitationId", "This account has no open invitation with this id.")
    return revoked


async def accept(
    *,
    access: AccountAccess,
    store: GatewayStore,
    token: str,
    clock: Clock = utc_now,
) -> str | None:
    """The account now shared with the signed-in user; None when the token does not work
    for them (unknown, used, revoked, expired, or made out to another email)."""
    user = await access.require_user()
    if not plausible(token):
        return None
    return await invitation_store.accept_invitation(
        store,
        token_hash=token_hash(token.strip()),
        user_id=user.id,
        email=user.email,
        now=clock(),
    )


async def _holder(access: AccountAccess, store: GatewayStore, number: str) -> StoredUser | None:
    """The signed-in user if they hold the account (seen through the one policy)."""
    user = await access.require_user()
    if not await access.can_see(number):
        return None
    if await _access(store, user, number) is not Access.HOLDER:
        return None
    return user


async def _access(store: GatewayStore, user: StoredUser, number: str) -> Access | None:
    return await access_to(store, user_id=user.id, account_number=number)
