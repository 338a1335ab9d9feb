"""Signing in with email and password."""

from __future__ import annotations

from gateway.auth.passwords import verify_against_nothing, verify_password
from gateway.auth.tokens import AccessToken, TokenIssuer
from gateway.store.members import GatewayStore

MAX_PASSWORD_LENGTH = 1024  # argon2 accepts more; nobody types more, and hashing costs


async def login(
    *, store: GatewayStore, tokens: TokenIssuer, email: str, password: str
) -> AccessToken | None:
    """An access token, or None; unknown email and wrong password look the same.

    Both paths run one argon2 verification, so they also take about the same time.
    """
    if len(password) > MAX_PASSWORD_LENGTH or len(email) > 320:
        await verify_against_nothing(password[:MAX_PASSWORD_LENGTH])
        return None
    user = await store.find_user_by_email(email)
    if user is None:
        await verify_against_nothing(password)
        return None
    if not await verify_password(user.password_hash, password):
        return None
    return tokens.issue(user_id=user.id, role=user.role)
