"""Becoming a member: register, confirm the email, link more accounts.

The invitation and password mutations live in their own modules; `RegistrationQueries`
and `RegistrationMutations` gather all of them for the schema.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.accounts.schema import Account
from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import ValidationError
from gateway.api.scalars import Money
from gateway.core.outcomes import FieldProblem
from gateway.identity.throttle import Throttled
from gateway.members import registration
from gateway.members.account_proof import AccountProof, ProofShapeInvalid, proof_from
from gateway.members.emails import MemberMail
from gateway.members.invitations_schema import InvitationMutations, InvitationQueries
from gateway.members.passwords_schema import PasswordMutations
from gateway.members.results import (
    AccountProofFailed,
    CheckYourEmail,
    TokenInvalid,
    TooManyAttempts,
)


@strawberry.input(
    description="Facts from a bill that prove the account: either `lastName` and "
    "`serviceZip`, or `lastBillAmount`."
)
class AccountProofInput:
    last_name: str | None = strawberry.field(
        default=None, description="The customer's last name (or business name) on the account."
    )
    service_zip: str | None = strawberry.field(
        default=None, description="The ZIP code of a service location of the account."
    )
    last_bill_amount: Money | None = strawberry.field(
        default=None, description="The amount of the account's latest bill."
    )


@strawberry.input
class RegisterInput:
    email: str
    password: str = strawberry.field(
        description="At least 12 characters; not a common password, not the email address."
    )
    account_number: str
    proof: AccountProofInput


@strawberry.input
class ConfirmEmailInput:
    token: str = strawberry.field(description="The `token` of the link in the email.")


@strawberry.input
class ResendConfirmationInput:
    email: str


@strawberry.input
class LinkAccountInput:
    account_number: str
    proof: AccountProofInput


@strawberry.type
class EmailConfirmed:
    email: str
    message: str = "Your email address is confirmed; you can sign in now."


@strawberry.type
class AccountLinked:
    account: Account


RegisterResult = Annotated[
    CheckYourEmail | AccountProofFailed | TooManyAttempts | ValidationError,
    strawberry.union("RegisterResult"),
]
ConfirmEmailResult = Annotated[
    EmailConfirmed | TokenInvalid, strawberry.union("ConfirmEmailResult")
]
ResendConfirmationResult = Annotated[
    CheckYourEmail | ValidationError, strawberry.union("ResendConfirmationResult")
]
LinkAccountResult = Annotated[
    AccountLinked | AccountProofFailed | TooManyAttempts | ValidationError,
    strawberry.union("LinkAccountResult"),
]


@strawberry.type
class SignUpMutations:
    @described_mutation(
        "Register a login with one account, proven by facts from its bill. With the right "
        "facts the answer is always `CheckYourEmail`: the email holds the confirmation link."
    )
    async def register(self, info: GatewayInfo, input: RegisterInput) -> RegisterResult:
        proof = _proof(input.proof)
        if isinstance(proof, ValidationError):
            return proof
        context = info.context
        outcome = await registration.register(
            store=context.store,
            mail=MemberMail(context.email, context.public_base_url),
            throttle=context.login_throttle,
            loaders=context.loaders,
            client_address=context.client_address,
            request_id=context.request_id,
            email=input.email,
            password=input.password,
            account_number=input.account_number,
            proof=proof,
        )
        return _proof_outcome(outcome)

    @described_mutation("Confirm the email address with the token from the emailed link.")
    async def confirm_email(
        self, info: GatewayInfo, input: ConfirmEmailInput
    ) -> ConfirmEmailResult:
        email = await registration.confirm_email(store=info.context.store, token=input.token)
        if email is None:
            return TokenInvalid(
                message="This confirmation link is not valid: it was used, replaced or has "
                "expired. Ask for a new one."
            )
        return EmailConfirmed(email=email)

    @described_mutation("Send a new confirmation link, if this email has an unconfirmed login.")
    async def resend_confirmation(
        self, info: GatewayInfo, input: ResendConfirmationInput
    ) -> ResendConfirmationResult:
        context = info.context
        outcome = await registration.resend_confirmation(
            store=context.store,
            mail=MemberMail(context.email, context.public_base_url),
            request_id=context.request_id,
            email=input.email,
            client_address=context.client_address,
        )
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        return CheckYourEmail()

    @described_mutation("Link another account to this login, proven like at registration.")
    async def link_account(self, info: GatewayInfo, input: LinkAccountInput) -> LinkAccountResult:
        proof = _proof(input.proof)
        if isinstance(proof, ValidationError):
            return proof
        context = info.context
        outcome = await registration.link_account(
            access=context.access,
            store=context.store,
            throttle=context.login_throttle,
            loaders=context.loaders,
            client_address=context.client_address,
            request_id=context.request_id,
            account_number=input.account_number,
            proof=proof,
        )
        if isinstance(outcome, registration.Linked):
            # Made directly: the viewer holds it now, though the policy's per-request
            # view of their accounts may predate the link.
            return AccountLinked(account=Account(number=outcome.account_number))
        return _refusal(outcome)


def _proof(given: AccountProofInput) -> AccountProof | ValidationError:
    proof = proof_from(
        last_name=given.last_name,
        service_zip=given.service_zip,
        last_bill_amount=given.last_bill_amount,
    )
    if isinstance(proof, ProofShapeInvalid):
        return ValidationError(field="proof", message=proof.message)
    return proof


def _proof_outcome(
    outcome: registration.CheckEmail | FieldProblem | registration.ProofFailed | Throttled,
) -> CheckYourEmail | AccountProofFailed | TooManyAttempts | ValidationError:
    if isinstance(outcome, registration.CheckEmail):
        return CheckYourEmail()
    return _refusal(outcome)


def _refusal(
    outcome: FieldProblem | registration.ProofFailed | Throttled,
) -> AccountProofFailed | TooManyAttempts | ValidationError:
    if isinstance(outcome, FieldProblem):
        return ValidationError.of(outcome)
    if isinstance(outcome, registration.ProofFailed):
        return AccountProofFailed()
    return TooManyAttempts(retry_after_seconds=outcome.retry_after_seconds)


@strawberry.type
class RegistrationQueries(InvitationQueries):
    pass


@strawberry.type
class RegistrationMutations(SignUpMutations, InvitationMutations, PasswordMutations):
    pass
