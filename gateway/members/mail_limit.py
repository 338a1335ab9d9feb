"""How much account mail one email address, or one client, can cause in an hour.

Reset and confirmation links go to an address the requester names: without a limit,
anyone can make the co-op mail a stranger over and over, or probe the mail server. A
request over a limit gets the same "check your email" answer as any other and sends
nothing. The count includes requests for emails without a login, so the limit itself
says nothing about which emails have one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, insert, select

from adapters.rules.email import normalize_email_address
from gateway.core.store.gateway_store import GatewayStore
from gateway.members.tables import MailRequest

# Direct calls (tests, commands) have no client address; they share one budget.
UNKNOWN_ADDRESS = "unknown"
WINDOW = timedelta(hours=1)


class MailPurpose(StrEnum):
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password
    REGISTRATION = "registration"


@dataclass(frozen=True, slots=True)
class MailLimits:
    per_email: int = 5
    per_address: int = 20


DEFAULT_MAIL_LIMITS = MailLimits()


async def admit_mail(
    store: GatewayStore,
    *,
    purpose: MailPurpose,
    email: str,
    client_address: str | None,
    now: datetime,
    limits: MailLimits = DEFAULT_MAIL_LIMITS,
) -> bool:
    """Record the request and say whether it may send mail; False over either limit.

    A refused request is not recorded: it would only stretch the wait.
    """
    email = normalize_email_address(email)[:320]
    address = (client_address or UNKNOWN_ADDRESS)[:64]
    since = now - WINDOW
    recent = (MailRequest.purpose == purpose.value) & (MailRequest.requested_at >= since)
    async with store.sessions() as session, session.begin():
        # Old rows count for nothing: drop them as we go, no job needed.
        await session.execute(delete(MailRequest).where(MailRequest.requested_at < since))
        by_email = await session.scalar(
            select(func.count()).where(recent & (MailRequest.email == email))
        )
        by_address = await session.scalar(
            select(func.count()).where(recent & (MailRequest.client_address == address))
        )
        if (by_email or 0) >= limits.per_email or (by_address or 0) >= limits.per_address:
            return False
        await session.execute(
            insert(MailRequest).values(
                purpose=purpose.value, email=email, client_address=address, requested_at=now
            )
        )
    return True
