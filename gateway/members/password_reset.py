"""Forgotten and changed passwords.

A reset is asked for by email (the answer never says whether the email has a login)
and completed with the emailed one-time token; it signs the user out everywhere.

Asking does the same work whatever the email: it counts the request against the mail
limits and queues one outbox entry. Looking the email up, making the token and sending
the mail happen in the worker (`send_reset_mail`). Done in the request, a known email
took 6 ms and an unknown one 2 ms, and the difference told who has a login. A
signed-in user changes their password with the current one, checked under the sign-in
throttle, and stays signed in only in the session that changed it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from adapters.rules.email import normalize_email_address
from gateway.core.clock import Clock, utc_now
from gateway.core.outbox import OutboxMessage
from gateway.core.outcomes import FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.identity.login import MAX_PASSWORD_LENGTH
from gateway.identity.one_time_tokens import RESET_PASSWORD_TTL, plausible, token_hash
from gateway.identity.password_policy import password_problem
from gateway.identity.passwords import hash_password, verify_password
from gateway.identity.policy import AccountAccess
from gateway.identity.sessions import revoke_user_sessions
from gateway.identity.throttle import LoginThrottle, Throttled
from gateway.identity.users import find_user_by_email, get_user
from gateway.members import emails
from gateway.members import store as members_store
from gateway.members.emails import MemberMail
from gateway.members.mail_limit import DEFAULT_MAIL_LIMITS, MailLimits, MailPurpose, admit_mail
from gateway.members.registration import CheckEmail, email_problem, new_emailed_token
from gateway.members.store import TokenPurpose

logger = logging.getLogger("gateway.password_reset")

MAX_RESETS_PER_HOUR = 5
# The outbox entry that sends a reset link (see gateway.worker.outbox_handlers).
RESET_MAIL_KIND = "members.reset_password_mail"


@dataclass(frozen=True, slots=True)
class PasswordChanged:
    signed_out_sessions: int


@dataclass(frozen=True, slots=True)
class TokenUnusable:
    """Unknown, used, superseded by a later reset, or expired: the same answer for all."""


async def request_reset(
    *,
    store: GatewayStore,
    request_id: str,
    email: str,
    client_address: str | None,
    limits: MailLimits = DEFAULT_MAIL_LIMITS,
    clock: Clock = utc_now,
) -> CheckEmail | FieldProblem:
    """Queue a reset link for `email`; the same work and answer whether it has a login.

    Over the mail limits (per email and per client address) nothing is queued, and the
    answer is the same "check your email".
    """
    problem = email_problem(email)
    if problem is not None:
        return FieldProblem("email", problem)
    email = normalize_email_address(email)
    now = clock()
    admitted = await admit_mail(
        store,
        purpose=MailPurpose.RESET_PASSWORD,
        email=email,
        client_address=client_address,
        now=now,
        limits=limits,
    )
    if not admitted:
        logger.warning("request %s: reset mail over the limit, not queued", request_id)
        return CheckEmail()
    async with unit_of_work(store, clock=lambda: now) as uow:
        await uow.add_outbox(
            kind=RESET_MAIL_KIND,
            payload={"email": email, "request_id": request_id},
            idempotency_key=f"reset-password:{request_id}",
        )
    return CheckEmail()


async def send_reset_mail(
    *,
    store: GatewayStore,
    mail: MemberMail,
    message: OutboxMessage,
    clock: Clock = utc_now,
) -> None:
    """The worker's half of `request_reset`: a link to the login's address, if any.

    A retried entry makes a new token (the link of a lost attempt was never seen); the
    per-login hourly limit still holds.
    """
    email, request_id = str(message.payload["email"]), str(message.payload["request_id"])
    user = await find_user_by_email(store, email)
    if user is None:
        return
    token = await new_emailed_token(
        store=store,
        request_id=request_id,
        user_id=user.id,
        purpose=TokenPurpose.RESET_PASSWORD,
        ttl=RESET_PASSWORD_TTL,
        per_hour=MAX_RESETS_PER_HOUR,
        now=clock(),
    )
    if token is None:
        return
    await mail.sender.send(
        emails.reset_password(to=user.email, token=token, base_url=mail.public_base_url)
    )


async def reset_password(
    *,
    store: GatewayStore,
    request_id: str,
    token: str,
    new_password: str,
    clock: Clock = utc_now,
) -> PasswordChanged | TokenUnusable | FieldProblem:
    if not plausible(token):
        return TokenUnusable()
    hashed = token_hash(token.strip())
    user_id = await members_store.token_owner(
        store, token_hash=hashed, purpose=TokenPurpose.RESET_PASSWORD, now=clock()
    )
    user = None if user_id is None else await get_user(store, user_id)
    if user is None:
        return TokenUnusable()
    # Checked before the token is used up, so that a refused password can be retried.
    problem = password_problem(new_password, email=user.email)
    if problem is not None:
        return FieldProblem("newPassword", problem)
    password_hash = await hash_password(new_password)
    changed = await members_store.reset_password(
        store, token_hash=hashed, password_hash=password_hash, now=clock()
    )
    if changed is None:  # used by a concurrent request, or expired meanwhile
        return TokenUnusable()
    ended = await revoke_user_sessions(store, changed, reason="password_reset")
    logger.info("request %s: user %s reset their password", request_id, changed)
    return PasswordChanged(signed_out_sessions=ended)


async def change_password(
    *,
    access: AccountAccess,
    store: GatewayStore,
    throttle: LoginThrottle,
    client_address: str | None,
    current_session_id: str | None,
    request_id: str,
    current_password: str,
    new_password: str,
    clock: Clock = utc_now,
) -> PasswordChanged | FieldProblem | Throttled:
    """`current_session_id`: the sign-in session the request came from, which stays
    signed in (None: every session of the user ends)."""
    user = await access.require_user()
    admitted = await throttle.admit(email=user.email, client_address=client_address)
    if isinstance(admitted, Throttled):
        return admitted
    # Too long to be the password: no need to spend argon2's time on it.
    if len(current_password) > MAX_PASSWORD_LENGTH or not await verify_password(
        user.password_hash, current_password
    ):
        return FieldProblem("currentPassword", "The current password is not right.")
    await throttle.succeeded(admitted)
    problem = password_problem(new_password, email=user.email)
    if problem is not None:
        return FieldProblem("newPassword", problem)
    if new_password == current_password:
        return FieldProblem("newPassword", "Choose a password different from the current one.")
    await members_store.set_password(
        store,
        user_id=user.id,
        password_hash=await hash_password(new_password),
        now=clock(),
    )
    ended = await revoke_user_sessions(
        store,
        user.id,
        reason="password_changed",
        keep_session_id=current_session_id,
    )
    logger.info("request %s: user %s changed their password", request_id, user.id)
    return PasswordChanged(signed_out_sessions=ended)
