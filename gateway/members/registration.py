"""New members: register with an account proven by CIS facts, confirm the email, link more.

What the requester learns never depends on whether the email already has a login:
with the right account facts the answer is always "check your email". A new login
gets a confirmation link; the owner of an existing one gets a note that they already
have a login (with a fresh confirmation link if they never confirmed). Both paths
hash the password and send one email, so they also take about the same time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from adapters.rules.email import is_email_address, normalize_email_address
from gateway.core.clock import Clock, utc_now
from gateway.core.loaders import DataLoaders
from gateway.core.outcomes import FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.one_time_tokens import CONFIRM_EMAIL_TTL, new_token, plausible, token_hash
from gateway.identity.password_policy import password_problem
from gateway.identity.passwords import hash_password
from gateway.identity.policy import AccountAccess
from gateway.identity.throttle import LoginThrottle, Throttled
from gateway.identity.users import StoredUser, find_user_by_email
from gateway.members import emails
from gateway.members import store as members_store
from gateway.members.account_proof import AccountProof, prove_account
from gateway.members.emails import MemberMail
from gateway.members.mail_limit import DEFAULT_MAIL_LIMITS, MailLimits, MailPurpose, admit_mail
from gateway.members.store import Access, TokenPurpose

logger = logging.getLogger("gateway.registration")

# Confirmation links one login may be sent per hour: enough to lose a few, too few
# to flood someone's mailbox with them.
MAX_CONFIRMATIONS_PER_HOUR = 5


@dataclass(frozen=True, slots=True)
class CheckEmail:
    """Done, whatever it was: the next step is in the member's mailbox."""


@dataclass(frozen=True, slots=True)
class ProofFailed:
    """No such account, or the facts do not match it: the same answer for both."""


@dataclass(frozen=True, slots=True)
class Linked:
    account_number: str


def email_problem(email: str) -> str | None:
    if not is_email_address(normalize_email_address(email)):
        return "Enter an email address like name@example.com."
    return None


async def register(
    *,
    store: GatewayStore,
    mail: MemberMail,
    throttle: LoginThrottle,
    loaders: DataLoaders,
    client_address: str | None,
    request_id: str,
    email: str,
    password: str,
    account_number: str,
    proof: AccountProof,
    mail_limits: MailLimits = DEFAULT_MAIL_LIMITS,
    clock: Clock = utc_now,
) -> CheckEmail | FieldProblem | ProofFailed | Throttled:
    """`throttle`, `loaders` and `client_address` are for proving the account."""
    problem = email_problem(email)
    if problem is not None:
        return FieldProblem("email", problem)
    email = normalize_email_address(email)
    problem = password_problem(password, email=email)
    if problem is not None:
        return FieldProblem("password", problem)
    proven = await prove_account(
        throttle=throttle,
        loaders=loaders,
        client_address=client_address,
        request_id=request_id,
        account_number=account_number,
        proof=proof,
    )
    if isinstance(proven, Throttled):
        return proven
    if not proven:
        return ProofFailed()

    now = clock()
    # Registration mails the address given (a confirmation link, or a note that it has
    # a login): limited per email and per client address, silently, as resets are.
    if not await admit_mail(
        store,
        purpose=MailPurpose.REGISTRATION,
        email=email,
        client_address=client_address,
        now=now,
        limits=mail_limits,
    ):
        logger.warning("request %s: registration mail over the limit", request_id)
        return CheckEmail()
    password_hash = await hash_password(password)
    existing = await find_user_by_email(store, email)
    user_id = None
    if existing is None:
        user_id = await members_store.create_member(
            store,
            email=email,
            password_hash=password_hash,
            account_number=account_number.strip(),
            now=now,
        )
    if user_id is None:  # taken before, or by a concurrent registration just now
        existing = existing or await find_user_by_email(store, email)
        assert existing is not None
        await _tell_already_registered(store, mail, request_id, existing, now)
        return CheckEmail()
    logger.info("request %s: registered user %s", request_id, user_id)
    await _send_confirmation(store, mail, request_id, user_id=user_id, email=email, now=now)
    return CheckEmail()


async def confirm_email(*, store: GatewayStore, token: str, clock: Clock = utc_now) -> str | None:
    """The email address the token confirmed; None for an unknown, used or expired token."""
    if not plausible(token):
        return None
    return await members_store.confirm_email(
        store, token_hash=token_hash(token.strip()), now=clock()
    )


async def resend_confirmation(
    *,
    store: GatewayStore,
    mail: MemberMail,
    request_id: str,
    email: str,
    client_address: str | None,
    mail_limits: MailLimits = DEFAULT_MAIL_LIMITS,
    clock: Clock = utc_now,
) -> CheckEmail | FieldProblem:
    problem = email_problem(email)
    if problem is not None:
        return FieldProblem("email", problem)
    admitted = await admit_mail(
        store,
        purpose=MailPurpose.REGISTRATION,
        email=email,
        client_address=client_address,
        now=clock(),
        limits=mail_limits,
    )
    user = await find_user_by_email(store, email) if admitted else None
    if user is not None and not user.email_confirmed:
        await _send_confirmation(
            store, mail, request_id, user_id=user.id, email=user.email, now=clock()
        )
    return CheckEmail()


async def link_account(
    *,
    access: AccountAccess,
    store: GatewayStore,
    throttle: LoginThrottle,
    loaders: DataLoaders,
    client_address: str | None,
    request_id: str,
    account_number: str,
    proof: AccountProof,
    clock: Clock = utc_now,
) -> Linked | ProofFailed | Throttled:
    """Link another account to the signed-in user, as its holder."""
    user = await access.require_user()
    proven = await prove_account(
        throttle=throttle,
        loaders=loaders,
        client_address=client_address,
        request_id=request_id,
        account_number=account_number,
        proof=proof,
    )
    if isinstance(proven, Throttled):
        return proven
    if not proven:
        return ProofFailed()
    number = account_number.strip()
    await members_store.link_account(
        store, user_id=user.id, account_number=number, access=Access.HOLDER, now=clock()
    )
    logger.info("request %s: user %s linked account %s", request_id, user.id, number)
    return Linked(number)


async def _send_confirmation(
    store: GatewayStore,
    mail: MemberMail,
    request_id: str,
    *,
    user_id: int,
    email: str,
    now: datetime,
) -> None:
    token = await _new_confirmation_token(store, request_id, user_id, now)
    if token is None:
        return
    await mail.sender.send(
        emails.confirm_email(to=email, token=token, base_url=mail.public_base_url)
    )


async def _tell_already_registered(
    store: GatewayStore, mail: MemberMail, request_id: str, user: StoredUser, now: datetime
) -> None:
    token = None
    if not user.email_confirmed:
        token = await _new_confirmation_token(store, request_id, user.id, now)
    await mail.sender.send(
        emails.already_registered(to=user.email, base_url=mail.public_base_url, confirm_token=token)
    )


async def _new_confirmation_token(
    store: GatewayStore, request_id: str, user_id: int, now: datetime
) -> str | None:
    return await new_emailed_token(
        store=store,
        request_id=request_id,
        user_id=user_id,
        purpose=TokenPurpose.CONFIRM_EMAIL,
        ttl=CONFIRM_EMAIL_TTL,
        per_hour=MAX_CONFIRMATIONS_PER_HOUR,
        now=now,
    )


async def new_emailed_token(
    *,
    store: GatewayStore,
    request_id: str,
    user_id: int,
    purpose: TokenPurpose,
    ttl: timedelta,
    per_hour: int,
    now: datetime,
) -> str | None:
    """A fresh one-time token for a link to email, stored; None when the user was sent
    `per_hour` tokens of this purpose in the last hour."""
    sent = await members_store.tokens_issued_since(
        store, user_id=user_id, purpose=purpose, since=now - timedelta(hours=1)
    )
    if sent >= per_hour:
        logger.warning(
            "request %s: not sending user %s another %s link this hour",
            request_id,
            user_id,
            purpose.value,
        )
        return None
    token = new_token()
    await members_store.add_one_time_token(
        store,
        token_hash=token_hash(token),
        purpose=purpose,
        user_id=user_id,
        now=now,
        expires_at=now + ttl,
    )
    return token
