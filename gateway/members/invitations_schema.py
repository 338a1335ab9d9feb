"""Sharing an account with another registered member, by emailed invitation."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry

from adapters.rules.numbers import parse_natural
from gateway.accounts.schema import Account
from gateway.api.context import GatewayInfo
from gateway.api.fields import described_field, described_mutation
from gateway.api.results import AccountNotFound, ValidationError
from gateway.api.scalars import local, local_or_none
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.members import invitations
from gateway.members.emails import MemberMail
from gateway.members.invitation_store import StoredInvitation
from gateway.members.results import TokenInvalid


@strawberry.enum
class InvitationStatus(Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


@strawberry.type
class AccountInvitation:
    id: strawberry.ID
    account_number: str
    email: str
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, invitation: StoredInvitation, zone: ZoneInfo) -> AccountInvitation:
        return cls(
            id=strawberry.ID(str(invitation.id)),
            account_number=invitation.account_number,
            email=invitation.email,
            status=InvitationStatus[invitation.status(datetime.now(UTC)).name],
            created_at=local(invitation.created_at, zone),
            expires_at=local(invitation.expires_at, zone),
            accepted_at=local_or_none(invitation.accepted_at, zone),
            revoked_at=local_or_none(invitation.revoked_at, zone),
        )


@strawberry.type
class AccountInvitationList:
    account_number: str
    invitations: list[AccountInvitation] = strawberry.field(
        description="The most recent invitations, newest first (at most 50)."
    )


@strawberry.input
class InviteToAccountInput:
    account_number: str
    email: str = strawberry.field(
        description="Where the invitation goes; only a login with this email address can accept it."
    )


@strawberry.input
class AcceptInvitationInput:
    token: str = strawberry.field(description="The `token` of the link in the invitation.")


@strawberry.input
class RevokeInvitationInput:
    account_number: str
    invitation_id: strawberry.ID


@strawberry.type
class InvitationSent:
    invitation: AccountInvitation


@strawberry.type
class InvitationAccepted:
    account: Account


@strawberry.type
class InvitationRevoked:
    invitation: AccountInvitation


AccountInvitationsResult = Annotated[
    AccountInvitationList | AccountNotFound, strawberry.union("AccountInvitationsResult")
]
InviteToAccountResult = Annotated[
    InvitationSent | AccountNotFound | ValidationError, strawberry.union("InviteToAccountResult")
]
AcceptInvitationResult = Annotated[
    InvitationAccepted | TokenInvalid, strawberry.union("AcceptInvitationResult")
]
RevokeInvitationResult = Annotated[
    InvitationRevoked | AccountNotFound | ValidationError,
    strawberry.union("RevokeInvitationResult"),
]


@strawberry.type
class InvitationQueries:
    @described_field(
        "Invitations to share an account, for its holders (and staff); anyone else gets "
        "`AccountNotFound`."
    )
    async def account_invitations(
        self, info: GatewayInfo, account_number: str
    ) -> AccountInvitationsResult:
        found = await invitations.invitations_of(
            access=info.context.access, store=info.context.store, account_number=account_number
        )
        if isinstance(found, AccountHidden):
            return AccountNotFound(number=account_number)
        return AccountInvitationList(
            account_number=account_number.strip(),
            invitations=[AccountInvitation.of(i, info.context.zone) for i in found],
        )


@strawberry.type
class InvitationMutations:
    @described_mutation(
        "Invite another member, by email, to see an account the viewer holds. The link in "
        "the email expires in 7 days."
    )
    async def invite_to_account(
        self, info: GatewayInfo, input: InviteToAccountInput
    ) -> InviteToAccountResult:
        context = info.context
        outcome = await invitations.invite(
            access=context.access,
            store=context.store,
            mail=MemberMail(context.email, context.public_base_url),
            request_id=context.request_id,
            account_number=input.account_number,
            email=input.email,
        )
        if isinstance(outcome, AccountHidden):
            return AccountNotFound(number=input.account_number)
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        return InvitationSent(invitation=AccountInvitation.of(outcome, context.zone))

    @described_mutation(
        "Accept an invitation: the account is shared with the viewer, whose email address "
        "must be the one invited."
    )
    async def accept_invitation(
        self, info: GatewayInfo, input: AcceptInvitationInput
    ) -> AcceptInvitationResult:
        number = await invitations.accept(
            access=info.context.access, store=info.context.store, token=input.token
        )
        if number is None:
            return TokenInvalid(
                message="This invitation cannot be accepted with this login: it is for "
                "another email address, or it was used, revoked or has expired."
            )
        # Made directly: the viewer may see it now, though the policy's per-request view
        # of their accounts may predate the link.
        return InvitationAccepted(account=Account(number=number))

    @described_mutation("Withdraw an open invitation to an account the viewer holds.")
    async def revoke_invitation(
        self, info: GatewayInfo, input: RevokeInvitationInput
    ) -> RevokeInvitationResult:
        invitation_id = parse_natural(str(input.invitation_id))
        if invitation_id is None:
            return ValidationError(field="invitationId", message="Not an invitation id.")
        outcome = await invitations.revoke(
            access=info.context.access,
            store=info.context.store,
            account_number=input.account_number,
            invitation_id=invitation_id,
        )
        if isinstance(outcome, AccountHidden):
            return AccountNotFound(number=input.account_number)
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        return InvitationRevoked(invitation=AccountInvitation.of(outcome, info.context.zone))
