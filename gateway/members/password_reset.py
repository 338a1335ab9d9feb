"""Forgotten and changed passwords.

A reset is asked for by email (the answer never says whether the email has a login)
and completed with the emailed one-time token; it signs the user out everywhere. A
signed-in user changes their password with the current one, checked under the sign-in
throttle, and stays signed in only in the session that changed it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.api.context import GatewayContext
from gateway.core.outcomes import FieldProblem
from gateway.identity.login import MAX_PASSWORD_LENGTH
from gateway.identity.one_time_tokens import RESET_PASSWORD_TTL, plausible, token_hash
from gateway.identity.password_policy import password_problem
from gateway.identity.passwords import hash_password, verify_password
from gateway.identity.sessions import revoke_user_sessions
from gateway.identity.throttle import Throttled
from gateway.members import emails, store
from gateway.members.registration import CheckEmail, email_problem, new_emailed_token
from gateway.members.store import TokenPurpose

logger = logging.getLogger("gateway.password_reset")

MAX_RESETS_PER_HOUR = 5


@dataclass(frozen=True, slots=True)
class PasswordChanged:
    signed_out_sessions: int


@dataclass(frozen=True, slots=True)
class TokenUnusable:
    """Unknown, used, superseded by a later reset, or expired: the same answer for all."""


def _now() -> datetime:
    return datetime.now(UTC)


async def request_reset(context: GatewayContext, *, email: str) -> CheckEmail | FieldProblem:
    problem = email_problem(email)
    if problem is not None:
        return FieldProblem("email", problem)
    user = await context.store.find_user_by_email(email)
    if user is None:
        return CheckEmail()
    token = await new_emailed_token(
        context,
        user_id=user.id,
        purpose=TokenPurpose.RESET_PASSWORD,
        ttl=RESET_PASSWORD_TTL,
        per_hour=MAX_RESETS_PER_HOUR,
        now=_now(),
    )
    if token is None:
        return CheckEmail()
    await context.email.send(
        emails.reset_password(to=user.email, token=token, base_url=context.public_base_url)
    )
    return CheckEmail()


async def reset_password(
    context: GatewayContext, *, token: str, new_password: str
) -> PasswordChanged | TokenUnusable | FieldProblem:
    if not plausible(token):
        return TokenUnusable()
    hashed = token_hash(token.strip())
    user_id = await store.token_owner(
        context.store, token_hash=hashed, purpose=TokenPurpose.RESET_PASSWORD, now=_now()
    )
    user = None if user_id is None else await context.store.get_user(user_id)
    if user is None:
        return TokenUnusable()
    # Checked before the token is used up, so that a refused password can be retried.
    problem = password_problem(new_password, email=user.email)
    if problem is not None:
        return FieldProblem("newPassword", problem)
    password_hash = await hash_password(new_password)
    changed = await store.reset_password(
        context.store, token_hash=hashed, password_hash=password_hash, now=_now()
    )
    if changed is None:  # used by a concurrent request, or expired meanwhile
        return TokenUnusable()
    ended = await revoke_user_sessions(context.store, changed, reason="password_reset")
    logger.info("request %s: user %s reset their password", context.request_id, changed)
    return PasswordChanged(signed_out_sessions=ended)


async def change_password(
    context: GatewayContext, *, current_password: str, new_password: str
) -> PasswordChanged | FieldProblem | Throttled:
    user = await context.access.require_user()
    admitted = await context.login_throttle.admit(
        email=user.email, client_address=context.client_address
    )
    if isinstance(admitted, Throttled):
        return admitted
    # Too long to be the password: no need to spend argon2's time on it.
    if len(current_password) > MAX_PASSWORD_LENGTH or not await verify_password(
        user.password_hash, current_password
    ):
        return FieldProblem("currentPassword", "The current password is not right.")
    await context.login_throttle.succeeded(admitted)
    problem = password_problem(new_password, email=user.email)
    if problem is not None:
        return FieldProblem("newPassword", problem)
    if new_password == current_password:
        return FieldProblem("newPassword", "Choose a password different from the current one.")
    await store.set_password(
        context.store,
        user_id=user.id,
        password_hash=await hash_password(new_password),
        now=_now(),
    )
    viewer = context.authentication.viewer
    ended = await revoke_user_sessions(
        context.store,
        user.id,
        reason="password_changed",
        keep_session_id=viewer.session_id if viewer else None,
    )
    logger.info("request %s: user %s changed their password", context.request_id, user.id)
    return PasswordChanged(signed_out_sessions=ended)
