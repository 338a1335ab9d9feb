"""Signing in with email and password: throttled, and only with a confirmed email."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.passwords import verify_against_nothing, verify_password
from gateway.identity.sessions import SessionTokens, start_session
from gateway.identity.store import Device
from gateway.identity.throttle import LoginThrottle, Throttled
from gateway.identity.tokens import TokenIssuer
from gateway.identity.users import find_user_by_email

MAX_PASSWORD_LENGTH = 1024  # argon2 accepts more; nobody types more, and hashing costs
MAX_EMAIL_LENGTH = 320


@dataclass(frozen=True, slots=True)
class WrongCredentials:
    """Unknown email or wrong password: which one is not said."""


@dataclass(frozen=True, slots=True)
class EmailNotConfirmed:
    """The password was right, but the email address was never confirmed."""


LoginOutcome = SessionTokens | WrongCredentials | EmailNotConfirmed | Throttled


async def login(
    *,
    store: GatewayStore,
    tokens: TokenIssuer,
    throttle: LoginThrottle,
    email: str,
    password: str,
    device: Device | None = None,
) -> LoginOutcome:
    """A new session, or why not.

    Unknown email and wrong password look the same, and take about the same time:
    both run one argon2 verification. Whether the email is confirmed is only said
    to someone who knows the password.
    """
    device = device or Device()
    admitted = await throttle.admit(email=email, client_address=device.client_address)
    if isinstance(admitted, Throttled):
        return admitted
    if len(password) > MAX_PASSWORD_LENGTH or len(email) > MAX_EMAIL_LENGTH:
        await verify_against_nothing(password[:MAX_PASSWORD_LENGTH])
        return WrongCredentials()
    user = await find_user_by_email(store, email)
    if user is None:
        await verify_against_nothing(password)
        return WrongCredentials()
    if not await verify_password(user.password_hash, password):
        return WrongCredentials()
    await throttle.succeeded(admitted)
    if not user.email_confirmed:
        return EmailNotConfirmed()
    return await start_session(store=store, tokens=tokens, user=user, device=device)
