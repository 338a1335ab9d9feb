"""Forgotten passwords (reset by email) and changing the password while signed in."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import ValidationError
from gateway.core.outcomes import FieldProblem
from gateway.identity.throttle import Throttled
from gateway.members import password_reset
from gateway.members.results import CheckYourEmail, TokenInvalid, TooManyAttempts


@strawberry.input
class RequestPasswordResetInput:
    email: str


@strawberry.input
class ResetPasswordInput:
    token: str = strawberry.field(description="The `token` of the link in the email.")
    new_password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.type
class PasswordChanged:
    signed_out_sessions: int = strawberry.field(
        description="How many sign-in sessions the change ended."
    )


RequestPasswordResetResult = Annotated[
    CheckYourEmail | ValidationError, strawberry.union("RequestPasswordResetResult")
]
ResetPasswordResult = Annotated[
    PasswordChanged | TokenInvalid | ValidationError, strawberry.union("ResetPasswordResult")
]
ChangePasswordResult = Annotated[
    PasswordChanged | TooManyAttempts | ValidationError, strawberry.union("ChangePasswordResult")
]


@strawberry.type
class PasswordMutations:
    @described_mutation(
        "Email a link to choose a new password (valid 30 minutes). The answer is the same "
        "whether or not the email has a login."
    )
    async def request_password_reset(
        self, info: GatewayInfo, input: RequestPasswordResetInput
    ) -> RequestPasswordResetResult:
        context = info.context
        outcome = await password_reset.request_reset(
            store=context.store,
            request_id=context.request_id,
            email=input.email,
            client_address=context.client_address,
        )
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        return CheckYourEmail()

    @described_mutation(
        "Choose a new password with the token from the emailed link; signs out every device."
    )
    async def reset_password(
        self, info: GatewayInfo, input: ResetPasswordInput
    ) -> ResetPasswordResult:
        outcome = await password_reset.reset_password(
            store=info.context.store,
            request_id=info.context.request_id,
            token=input.token,
            new_password=input.new_password,
        )
        if isinstance(outcome, password_reset.TokenUnusable):
            return TokenInvalid(
                message="This reset link is not valid: it was used, replaced or has expired. "
                "Ask for a new one."
            )
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        return PasswordChanged(signed_out_sessions=outcome.signed_out_sessions)

    @described_mutation(
        "Change the viewer's password; every other device is signed out, this one stays."
    )
    async def change_password(
        self, info: GatewayInfo, input: ChangePasswordInput
    ) -> ChangePasswordResult:
        context = info.context
        viewer = context.authentication.viewer
        outcome = await password_reset.change_password(
            access=context.access,
            store=context.store,
            throttle=context.login_throttle,
            client_address=context.client_address,
            current_session_id=viewer.session_id if viewer else None,
            request_id=context.request_id,
            current_password=input.current_password,
            new_password=input.new_password,
        )
        if isinstance(outcome, Throttled):
            return TooManyAttempts(retry_after_seconds=outcome.retry_after_seconds)
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        return PasswordChanged(signed_out_sessions=outcome.signed_out_sessions)
