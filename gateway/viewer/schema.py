"""Signing in and out, refreshing, the viewer and the viewer's sign-in sessions."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, TypeVar

import strawberry

from gateway.accounts.schema import Account, open_accounts
from gateway.api.context import GatewayContext, GatewayInfo
from gateway.api.fields import described_field, described_mutation
from gateway.api.results import ValidationError
from gateway.api.scalars import local
from gateway.identity import sessions
from gateway.identity.login import EmailNotConfirmed as NotConfirmed
from gateway.identity.login import WrongCredentials, login
from gateway.identity.store import Device, StoredSession
from gateway.identity.throttle import Throttled
from gateway.notifications.contacts_schema import NotificationContact, viewer_contacts
from gateway.notifications.deliveries_schema import (
    NotificationDeliveryConnection,
    viewer_notifications,
)
from gateway.notifications.time_zones_schema import viewer_time_zone
from gateway.payments.wallet.schema import SavedPaymentMethod, payment_methods

MAX_DEVICE_NAME_LENGTH = 120
MAX_SESSION_ID_LENGTH = 32


@strawberry.enum
class Role(Enum):
    MEMBER = "member"
    STAFF = "staff"
    ADMIN = "admin"


@strawberry.type(description="A signed-in device: it refreshes its tokens until it signs out.")
class LoginSession:
    id: strawberry.ID
    device_name: str | None
    user_agent: str | None
    client_address: str | None
    created_at: datetime
    last_used_at: datetime = strawberry.field(
        description="When it last signed in or refreshed its tokens."
    )
    expires_at: datetime = strawberry.field(description="When it ends unless refreshed before.")
    current: bool = strawberry.field(description="Whether this request comes from it.")


@strawberry.type
class Viewer:
    email: str
    role: Role
    user_id: strawberry.Private[int]
    session_id: strawberry.Private[str | None]

    @described_field("The accounts linked to this login.")
    async def accounts(self, info: GatewayInfo) -> list[Account]:
        numbers = await info.context.access.linked_accounts()
        return await open_accounts(info.context, numbers)

    @described_field("The devices signed in to this login, the most recently used first.")
    async def sessions(self, info: GatewayInfo) -> list[LoginSession]:
        context = info.context
        running = await sessions.sessions_of(
            store=context.store, tokens=context.tokens, user_id=self.user_id
        )
        return [
            _login_session(s, current=s.id == self.session_id, context=context) for s in running
        ]

    @described_field("The payment methods saved in this login's wallet, the default first.")
    async def payment_methods(self, info: GatewayInfo) -> list[SavedPaymentMethod]:
        return await payment_methods(info, self.user_id)

    @described_field(
        "Where this login may be notified: its own email address, and the addresses and"
        " numbers it added (each used only once activated)."
    )
    async def contacts(self, info: GatewayInfo) -> list[NotificationContact]:
        return await viewer_contacts(info, self.user_id)

    @described_field(
        "The time zone this login's quiet hours are kept in (IANA name): its own choice,"
        " else the co-op's."
    )
    async def notification_time_zone(self, info: GatewayInfo) -> str:
        return await viewer_time_zone(info, self.user_id)

    @described_field(
        "What was sent to this login's contacts, with where each stands, newest first;"
        " the cursor is the notification's id."
    )
    async def notifications(
        self, info: GatewayInfo, first: int = 20, after: str | None = None
    ) -> NotificationDeliveryConnection:
        return await viewer_notifications(info, self.user_id, first=first, after=after)


def _login_session(
    session: StoredSession, *, current: bool, context: GatewayContext
) -> LoginSession:
    return LoginSession(
        id=strawberry.ID(session.id),
        device_name=session.device.name,
        user_agent=session.device.user_agent,
        client_address=session.device.client_address,
        created_at=local(session.created_at, context.zone),
        last_used_at=local(session.last_used_at, context.zone),
        expires_at=local(session.expires_at, context.zone),
        current=current,
    )


@strawberry.input
class LoginInput:
    email: str
    password: str
    device_name: str | None = strawberry.field(
        default=None, description="How the member tells this device apart in their session list."
    )


@strawberry.interface(description="Tokens of a sign-in session.")
class SessionTokens:
    access_token: str = strawberry.field(
        description="Send as `Authorization: Bearer <token>`; short-lived."
    )
    token_type: str
    expires_at: datetime = strawberry.field(description="When the access token expires.")
    refresh_token: str = strawberry.field(
        description="Trade it for new tokens with `refreshSession`; it works once."
    )
    refresh_expires_at: datetime = strawberry.field(
        description="When the session ends unless refreshed before."
    )
    session_id: strawberry.ID


@strawberry.type
class LoginSuccess(SessionTokens):
    pass


@strawberry.type(description="Wrong email or password; which one is not said.")
class LoginFailed:
    message: str


@strawberry.type(
    description="Too many failed sign-ins for this email or from this address; wait and retry."
)
class LoginThrottled:
    retry_after_seconds: int
    message: str = "Too many failed sign-in attempts. Wait a while, then try again."


@strawberry.type(description="The password is right, but the email address is not confirmed yet.")
class EmailNotConfirmed:
    message: str = "Confirm your email address first: follow the link in the message we sent."


IssuedT = TypeVar("IssuedT", bound=SessionTokens)

LoginResult = Annotated[
    LoginSuccess | LoginFailed | LoginThrottled | EmailNotConfirmed | ValidationError,
    strawberry.union("LoginResult"),
]


@strawberry.input
class RefreshSessionInput:
    refresh_token: str


@strawberry.type
class RefreshSessionSuccess(SessionTokens):
    pass


@strawberry.type(
    description="The refresh token is unknown, spent, or its session has ended; sign in again."
)
class RefreshFailed:
    message: str = "This sign-in has ended; sign in again."


RefreshSessionResult = Annotated[
    RefreshSessionSuccess | RefreshFailed, strawberry.union("RefreshSessionResult")
]


@strawberry.type
class SignedOut:
    sessions_ended: int


@strawberry.input
class RevokeSessionInput:
    session_id: strawberry.ID


@strawberry.type
class SessionRevoked:
    session_id: strawberry.ID


@strawberry.type(description="No such running session among the viewer's own.")
class SessionNotFound:
    session_id: strawberry.ID
    message: str = "No such session was found."


RevokeSessionResult = Annotated[
    SessionRevoked | SessionNotFound, strawberry.union("RevokeSessionResult")
]


@strawberry.type
class AuthQueries:
    @described_field("The signed-in user; null when not signed in.")
    async def viewer(self, info: GatewayInfo) -> Viewer | None:
        access = info.context.access
        # Null is the answer for a signed-out client (no Authorization header), as
        # before. Credentials that do not work (expired, forged, malformed, or for a
        # session that has ended) are an UNAUTHENTICATED error, as `account` answers:
        # a null there looked like "signed out" and hid that the client should sign
        # in again or refresh.
        if not access.sent_credentials:
            return None
        user = await access.require_user()
        return Viewer(
            email=user.email,
            role=Role(user.role.value),
            user_id=user.id,
            session_id=_current_session(info.context),
        )


@strawberry.type
class AuthMutations:
    @described_mutation(
        "Sign in this device: send the access token as `Authorization: Bearer <token>`, "
        "and trade the refresh token for new tokens with `refreshSession` before it expires."
    )
    async def login(self, info: GatewayInfo, input: LoginInput) -> LoginResult:
        context = info.context
        device_name = (input.device_name or "").strip() or None
        if device_name is not None and (
            len(device_name) > MAX_DEVICE_NAME_LENGTH or not device_name.isprintable()
        ):
            return ValidationError(
                field="deviceName",
                message=f"Use at most {MAX_DEVICE_NAME_LENGTH} printable characters.",
            )
        outcome = await login(
            store=context.store,
            tokens=context.tokens,
            throttle=context.login_throttle,
            email=input.email,
            password=input.password,
            device=Device(device_name, context.user_agent, context.client_address),
        )
        if isinstance(outcome, WrongCredentials):
            return LoginFailed(message="The email or password is not right.")
        if isinstance(outcome, NotConfirmed):
            return EmailNotConfirmed()
        if isinstance(outcome, Throttled):
            return LoginThrottled(retry_after_seconds=outcome.retry_after_seconds)
        return _issued(LoginSuccess, outcome, context)

    @described_mutation(
        "New tokens for the session of a refresh token, which is spent by it. A refresh "
        "token that was spent before ends its session: someone else has a copy."
    )
    async def refresh_session(
        self, info: GatewayInfo, input: RefreshSessionInput
    ) -> RefreshSessionResult:
        context = info.context
        refreshed = await sessions.refresh_session(
            store=context.store, tokens=context.tokens, refresh_token=input.refresh_token
        )
        if refreshed is None:
            return RefreshFailed()
        return _issued(RefreshSessionSuccess, refreshed, context)

    @described_mutation("Sign out this device: its access and refresh tokens stop working.")
    async def logout(self, info: GatewayInfo) -> SignedOut:
        user = await info.context.access.require_user()
        session_id = _current_session(info.context)
        if session_id is None:
            return SignedOut(sessions_ended=0)
        ended = await sessions.end_session(
            info.context.store, user_id=user.id, session_id=session_id, reason=sessions.LOGOUT
        )
        return SignedOut(sessions_ended=int(ended))

    @described_mutation("Sign out one of the viewer's devices (see `viewer.sessions`).")
    async def revoke_session(
        self, info: GatewayInfo, input: RevokeSessionInput
    ) -> RevokeSessionResult:
        user = await info.context.access.require_user()
        session_id = str(input.session_id)
        ended = len(session_id) <= MAX_SESSION_ID_LENGTH and await sessions.end_session(
            info.context.store,
            user_id=user.id,
            session_id=session_id,
            reason=sessions.REVOKED_BY_USER,
        )
        if not ended:
            return SessionNotFound(session_id=input.session_id)
        return SessionRevoked(session_id=input.session_id)

    @described_mutation("Sign out every device of the viewer but this one.")
    async def sign_out_everywhere_else(self, info: GatewayInfo) -> SignedOut:
        user = await info.context.access.require_user()
        ended = await sessions.revoke_user_sessions(
            info.context.store,
            user.id,
            reason=sessions.SIGNED_OUT_ELSEWHERE,
            keep_session_id=_current_session(info.context),
        )
        return SignedOut(sessions_ended=ended)


def _current_session(context: GatewayContext) -> str | None:
    viewer = context.authentication.viewer
    return viewer.session_id if viewer else None


def _issued(
    kind: type[IssuedT], issued: sessions.SessionTokens, context: GatewayContext
) -> IssuedT:
    return kind(
        access_token=issued.access.token,
        token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_at=local(issued.access.expires_at, context.zone),
        refresh_token=issued.refresh_token,
        refresh_expires_at=local(issued.refresh_expires_at, context.zone),
        session_id=strawberry.ID(issued.session_id),
    )
