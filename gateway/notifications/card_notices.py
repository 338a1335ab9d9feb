"""CARD_EXPIRING: a saved card that expires within 30 days, and once it has expired.

A card belongs to a login, not to an account: each login with such a card is told once
per card and phase at each contact it chose for the type on any of its accounts (the
first account, by number, that wants it names the notice). Cards autopay drafts with
are saved cards too, so they are covered; the notice says so, as a lapsed autopay card
is the one that costs the member a late bill.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select

from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.identity.users import account_numbers
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.deliveries import queue_delivery
from gateway.notifications.payment_messages import Message
from gateway.notifications.recipients import recipients
from gateway.notifications.types import NotificationType
from gateway.payments.autopay.tables import AutopayEnrollmentRow
from gateway.payments.wallet.tables import SavedMethodRow

KIND: Final = NotificationType.CARD_EXPIRING
WARN_WITHIN: Final = timedelta(days=30)
# Expired cards are told about for this long after; older ones were told before.
EXPIRED_FOR: Final = timedelta(days=30)


def last_good_day(exp_year: int, exp_month: int) -> date:
    return date(exp_year, exp_month, monthrange(exp_year, exp_month)[1])


def card_message(
    label: str, last_day: date, *, expired: bool, drafts_autopay: bool, channel: ContactKind
) -> Message:
    when = last_day.strftime("%B %Y")
    autopay = (
        " Autopay pays with it: add a new card and choose it for autopay." if drafts_autopay else ""
    )
    if expired:
        body = f"Your saved {label} expired at the end of {when}.{autopay}"
        subject = f"Your saved {label} has expired"
    else:
        body = f"Your saved {label} expires at the end of {when}.{autopay}"
        subject = f"Your saved {label} expires soon"
    if channel is ContactKind.EMAIL and not autopay:
        body += " Add a new card to keep paying in a few clicks."
    return Message(subject, body)


async def queue_card_notices(*, store: GatewayStore, today: date, clock: Clock = utc_now) -> int:
    """Queue the notices of cards that expire soon or have expired; how many."""
    async with store.sessions() as session:
        cards = (
            (
                await session.execute(
                    select(SavedMethodRow).where(
                        SavedMethodRow.kind == "card",
                        SavedMethodRow.exp_year.is_not(None),
                        SavedMethodRow.exp_month.is_not(None),
                    )
                )
            )
            .scalars()
            .all()
        )
        drafting = set(
            await session.scalars(
                select(AutopayEnrollmentRow.processor_method_id).where(
                    AutopayEnrollmentRow.status == "active"
                )
            )
        )
    queued = 0
    for card in cards:
        due = _phase(card, today)
        if due is not None:
            phase, last_day = due
            queued += await _tell(
                store,
                card,
                phase,
                last_day,
                drafts=card.processor_method_id in drafting,
                clock=clock,
            )
    return queued


def _phase(card: SavedMethodRow, today: date) -> tuple[str, date] | None:
    """("expiring" or "expired", the card's last good day), or None: not news today."""
    if card.exp_year is None or card.exp_month is None:
        return None
    last_day = last_good_day(card.exp_year, card.exp_month)
    if today > last_day:
        return ("expired", last_day) if today - last_day <= EXPIRED_FOR else None
    return ("expiring", last_day) if last_day - today <= WARN_WITHIN else None


async def _tell(
    store: GatewayStore,
    card: SavedMethodRow,
    phase: str,
    last_day: date,
    *,
    drafts: bool,
    clock: Clock,
) -> int:
    label = f"{(card.brand or 'card').title()} ending {card.last4}"
    told: set[int] = set()
    queued = 0
    for number in sorted(await account_numbers(store, card.user_id)):
        for recipient in await recipients(store, account_number=number, kind=KIND, clock=clock):
            contact = recipient.contact
            if recipient.user_id != card.user_id or contact.id in told:
                continue
            told.add(contact.id)
            message = card_message(
                label,
                last_day,
                expired=phase == "expired",
                drafts_autopay=drafts,
                channel=contact.kind,
            )
            async with unit_of_work(store, clock=clock) as uow:
                delivery_id = await queue_delivery(
                    uow,
                    dedupe_key=f"{KIND.value}:{card.processor_method_id}:{phase}:{contact.id}",
                    contact=contact,
                    type_=KIND.value,
                    account_number=number,
                    subject=message.subject,
                    body=message.body,
                    now=clock(),
                )
            queued += delivery_id is not None
    return queued
