"""Sharing an account: its holder invites someone by email; they accept when signed in.

Only a holder of the account may invite or revoke. Anyone else, whether they may see
the account as a sharer, cannot see it at all, or it does not exist, gets the one
answer `AccountHidden`, as everywhere else in the API.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from adapters.rules.email import normalize_email_address
from gateway.api.context import GatewayContext
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.core.store.gateway_store import StoredUser
from gateway.core.store.models import Role
from gateway.identity.one_time_tokens import INVITATION_TTL, new_token, plausible, token_hash
from gateway.members import emails
from gateway.members import invitation_store as store
from gateway.members.invitation_store import StoredInvitation
from gateway.members.registration import email_problem
from gateway.members.store import Access, access_to

logger = logging.getLogger("gateway.invitations")

MAX_PENDING_INVITATIONS = 10


def _now() -> datetime:
    return datetime.now(UTC)


async def invite(
    context: GatewayContext, *, account_number: str, email: str
) -> StoredInvitation | AccountHidden | FieldProblem:
    number = account_number.strip()
    holder = await _holder(context, number)
    if holder is None:
        return AccountHidden()
    problem = email_problem(email)
    if problem is not None:
        return FieldProblem("email", problem)
    email = normalize_email_address(email)
    if email == holder.email:
        return FieldProblem("email", "You already hold this account.")
    now = _now()
    pending = await store.pending_invitations(context.store, account_number=number, now=now)
    if pending >= MAX_PENDING_INVITATIONS:
        return FieldProblem(
            "email",
            f"This account has {pending} open invitations; revoke one before sending another.",
        )
    token = new_token()
    invitation = await store.add_invitation(
        context.store,
        account_number=number,
        invited_by=holder.id,
        email=email,
        token_hash=token_hash(token),
        now=now,
        expires_at=now + INVITATION_TTL,
    )
    await context.email.send(
        emails.invitation(
            to=email, token=token, base_url=context.public_base_url, account_number=number
        )
    )
    logger.info(
        "request %s: user %s invited someone to account %s (invitation %s)",
        context.request_id,
        holder.id,
        number,
        invitation.id,
    )
    return invitation


async def invitations_of(
    context: GatewayContext, *, account_number: str
) -> list[StoredInvitation] | AccountHidden:
    """The account's invitations, for its holders and for staff."""
    number = account_number.strip()
    user = await context.access.require_user()
    if not await context.access.can_see(number):
        return AccountHidden()
    if user.role is Role.MEMBER and await _access(context, user, number) is not Access.HOLDER:
        return AccountHidden()
    return await store.invitations_for(context.store, number)


async def revoke(
    context: GatewayContext, *, account_number: str, invitation_id: int
) -> StoredInvitation | AccountHidden | FieldProblem:
    number = account_number.strip()
    if await _holder(context, number) is None:
        return AccountHidden()
    revoked = await store.revoke_invitation(
        context.store, invitation_id=invitation_id, account_number=number, now=_now()
    )
    if revoked is None:
        return FieldProblem("invitationId", "This account has no open invitation with this id.")
    return revoked


async def accept(context: GatewayContext, *, token: str) -> str | None:
    """The account now shared with the signed-in user; None when the token does not work
    for them (unknown, used, revoked, expired, or made out to another email)."""
    user = await context.access.require_user()
    if not plausible(token):
        return None
    return await store.accept_invitation(
        context.store,
        token_hash=token_hash(token.strip()),
        user_id=user.id,
        email=user.email,
        now=_now(),
    )


async def _holder(context: GatewayContext, number: str) -> StoredUser | None:
    """The signed-in user if they hold the account (seen through the one policy)."""
    user = await context.access.require_user()
    if not await context.access.can_see(number):
        return None
    if await _access(context, user, number) is not Access.HOLDER:
        return None
    return user


async def _access(context: GatewayContext, user: StoredUser, number: str) -> Access | None:
    return await access_to(context.store, user_id=user.id, account_number=number)
