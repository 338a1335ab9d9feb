"""Consent to texts: what the member is shown, and the log of every change to it.

A text number's activation is the member's express consent to texts at it (TCPA): the
log keeps when, who, how, from which request, and the exact words the member was shown
(`CONSENT_WORDING`, also served to the portal with the contact, so that what is shown
and what is recorded are the same text). A text from the phone that says STOP is
recorded the same way, with the words it said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.core.clock import as_utc
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import UserAccount
from gateway.notifications.tables import ContactRow, SmsConsentRow, SmsOptOutRow

# Shown beside the code box of a text contact; the activation records it word for word.
CONSENT_WORDING: Final = (
    "By entering this code, you agree to receive automated texts about your co-op account"
    " (such as bills, payments and outages) at this number. Consent is not a condition of"
    " service. Message frequency varies; message and data rates may apply."
    " Reply STOP to stop, HELP for help."
)
MAX_SOURCE_LENGTH: Final = 200
MAX_LOG_ENTRIES: Final = 500


class ConsentChange(StrEnum):
    GRANTED = "granted"
    REVOKED = "revoked"


class ConsentMethod(StrEnum):
    CONTACT_ACTIVATION = "contact_activation"  # the member entered the texted code
    CONTACT_REMOVED = "contact_removed"  # the member removed the number
    TEXT_KEYWORD = "text_keyword"  # the phone texted STOP, START, ...
    CARRIER_OPT_OUT = "carrier_opt_out"  # the provider refused a text: stopped at the carrier


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentEntry:
    id: int
    phone: str
    user_id: int | None
    change: ConsentChange
    method: ConsentMethod
    source: str
    actor: str
    wording: str
    recorded_at: datetime


def user_actor(user_id: int) -> str:
    return f"user:{user_id}"


async def record_consent(
    session: AsyncSession,
    *,
    phone: str,
    user_id: int | None,
    change: ConsentChange,
    method: ConsentMethod,
    source: str,
    actor: str,
    wording: str,
    now: datetime,
) -> None:
    """Log one change, in the caller's transaction (with the change itself)."""
    session.add(
        SmsConsentRow(
            phone=phone,
            user_id=user_id,
            change=change.value,
            method=method.value,
            source=source[:MAX_SOURCE_LENGTH],
            actor=actor,
            wording=wording,
            recorded_at=as_utc(now),
        )
    )


async def opt_out(session: AsyncSession, *, phone: str, now: datetime) -> bool:
    """Stop every text to `phone`; False when it was stopped already."""
    dialect = session.get_bind().dialect.name
    insert: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        insert = postgresql.insert(SmsOptOutRow).on_conflict_do_nothing(index_elements=["phone"])
    else:
        insert = sqlite.insert(SmsOptOutRow).on_conflict_do_nothing(index_elements=["phone"])
    inserted = await session.scalar(
        insert.values(phone=phone, opted_out_at=as_utc(now)).returning(SmsOptOutRow.phone)
    )
    return inserted is not None


async def opt_in(session: AsyncSession, *, phone: str) -> bool:
    """Text `phone` again; False when it was not stopped."""
    result = await session.execute(delete(SmsOptOutRow).where(SmsOptOutRow.phone == phone))
    return bool(getattr(result, "rowcount", 0))


CARRIER_WORDING: Final = "The provider refused a text: the number opted out at the carrier."


async def record_carrier_opt_out(
    store: GatewayStore, *, phone: str, source: str, now: datetime
) -> None:
    """The provider says the number stopped texts at the carrier (a STOP that never
    reached the gateway): nothing more is texted to it here either, until START."""
    async with store.sessions.begin() as session:
        if await opt_out(session, phone=phone, now=now):
            await record_consent(
                session,
                phone=phone,
                user_id=None,
                change=ConsentChange.REVOKED,
                method=ConsentMethod.CARRIER_OPT_OUT,
                source=source,
                actor="carrier",
                wording=CARRIER_WORDING,
                now=now,
            )


async def is_opted_out(store: GatewayStore, phone: str) -> bool:
    async with store.sessions() as session:
        return await session.get(SmsOptOutRow, phone) is not None


async def account_consent_log(
    store: GatewayStore, account_number: str, *, limit: int = MAX_LOG_ENTRIES
) -> list[ConsentEntry]:
    """The account's log: changes by the logins linked to it, and to the numbers they
    have or had as text contacts (a STOP comes from the phone, not from a login), newest
    first."""
    async with store.sessions() as session:
        users = list(
            await session.scalars(
                select(UserAccount.user_id).where(UserAccount.account_number == account_number)
            )
        )
        if not users:
            return []
        # Numbers they have now, and numbers they had (a removed contact's STOPs stay).
        phones = set(
            await session.scalars(
                select(ContactRow.value).where(
                    ContactRow.user_id.in_(users), ContactRow.kind == "sms"
                )
            )
        ) | set(
            await session.scalars(
                select(SmsConsentRow.phone).where(SmsConsentRow.user_id.in_(users))
            )
        )
        return await _log(session, user_ids=users, phones=phones, limit=limit)


async def _log(
    session: AsyncSession, *, user_ids: Iterable[int], phones: Iterable[str], limit: int
) -> list[ConsentEntry]:
    users, numbers = list(user_ids), list(phones)
    rows = await session.scalars(
        select(SmsConsentRow)
        .where(or_(SmsConsentRow.user_id.in_(users), SmsConsentRow.phone.in_(numbers)))
        .order_by(SmsConsentRow.id.desc())
        .limit(limit)
    )
    return [
        ConsentEntry(
            id=row.id,
            phone=row.phone,
            user_id=row.user_id,
            change=ConsentChange(row.change),
            method=ConsentMethod(row.method),
            source=row.source,
            actor=row.actor,
            wording=row.wording,
            recorded_at=as_utc(row.recorded_at),
        )
        for row in rows
    ]
