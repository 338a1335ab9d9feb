"""PAYMENT_CONFIRMATION and PAYMENT_FAILED, from the payments' own events.

Every change of a payment is written with its event in the same transaction
(`gateway.payments.store`): the events table is the payments' outbox of news. The
worker reads it on from a stored cursor, and queues a notice for each event that
matters (posted; declined, returned or set aside) to each contact that wants it. The
dedupe key (type, payment, event status, contact) makes a second run, a second worker
or a restart queue nothing again; the cursor only spares re-reading. Events older than
`fresh_for` are passed over, so that turning notifications on does not send the news
of every payment ever made.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gateway.core.cache.feed_cursor import CursorStore, StoredCursor
from gateway.core.clock import Clock, as_utc, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.notifications.deliveries import queue_delivery
from gateway.notifications.payment_messages import PaymentFacts, payment_message
from gateway.notifications.recipients import recipients
from gateway.notifications.types import NotificationType
from gateway.payments.status import PaymentStatus
from gateway.payments.store import AUTOPAY_KEY_PREFIX
from gateway.payments.tables import PaymentEventRow, PaymentRow

logger = logging.getLogger("gateway.notifications.payment_notices")

FEED: Final = "payment-notices"
NOTICE_OF: Final = {
    PaymentStatus.POSTED: NotificationType.PAYMENT_CONFIRMATION,
    PaymentStatus.DECLINED: NotificationType.PAYMENT_FAILED,
    PaymentStatus.RETURNED: NotificationType.PAYMENT_FAILED,
    PaymentStatus.NEEDS_ATTENTION: NotificationType.PAYMENT_FAILED,
}
BATCH: Final = 200
FRESH_FOR: Final = timedelta(hours=24)


def dedupe_key(kind: NotificationType, facts: PaymentFacts, contact_id: int) -> str:
    return f"{kind.value}:{facts.payment_id}:{facts.status.value}:{contact_id}"


async def queue_payment_notices(
    *,
    store: GatewayStore,
    cursor: CursorStore,
    zone: ZoneInfo,
    clock: Clock = utc_now,
    batch: int = BATCH,
    fresh_for: timedelta = FRESH_FOR,
) -> int:
    """Queue the notices of the payment events after the cursor (at most `batch` of
    them); the number of notices queued."""
    after = int(await cursor.load() or 0)
    now = clock()
    async with store.sessions() as session:
        rows = (
            await session.execute(
                select(
                    PaymentEventRow.id.label("event_id"),
                    PaymentEventRow.status.label("event_status"),
                    PaymentEventRow.at,
                    PaymentRow.id,
                    PaymentRow.account_number,
                    PaymentRow.amount,
                    PaymentRow.fee,
                    PaymentRow.method_label,
                    PaymentRow.confirmation,
                    PaymentRow.decline_reason,
                    PaymentRow.idempotency_key,
                )
                .join(PaymentRow, PaymentRow.id == PaymentEventRow.payment_id)
                .where(
                    PaymentEventRow.id > after,
                    PaymentEventRow.status.in_([status.value for status in NOTICE_OF]),
                )
                .order_by(PaymentEventRow.id)
                .limit(batch)
            )
        ).all()
    queued = 0
    for row in rows:
        if as_utc(row.at) < now - fresh_for:
            continue
        facts = PaymentFacts(
            payment_id=row.id,
            account_number=row.account_number,
            amount=row.amount,
            fee=row.fee,
            method_label=row.method_label,
            status=PaymentStatus(row.event_status),
            at=as_utc(row.at),
            confirmation=row.confirmation,
            reason=row.decline_reason,
            by_autopay=row.idempotency_key.startswith(AUTOPAY_KEY_PREFIX),
        )
        queued += await _queue(store, facts, zone=zone, clock=clock)
    if rows:
        await _save(cursor, str(rows[-1].event_id))
    return queued


async def _queue(store: GatewayStore, facts: PaymentFacts, *, zone: ZoneInfo, clock: Clock) -> int:
    kind = NOTICE_OF[facts.status]
    queued = 0
    for recipient in await recipients(
        store, account_number=facts.account_number, kind=kind, clock=clock
    ):
        message = payment_message(facts, recipient.contact.kind, zone)
        async with unit_of_work(store, clock=clock) as uow:
            delivery_id = await queue_delivery(
                uow,
                dedupe_key=dedupe_key(kind, facts, recipient.contact.id),
                contact=recipient.contact,
                type_=kind.value,
                account_number=facts.account_number,
                subject=message.subject,
                body=message.body,
                now=clock(),
            )
        queued += delivery_id is not None
    return queued


async def _save(cursor: CursorStore, value: str) -> None:
    try:
        await cursor.save(value)
    except IntegrityError:
        # Another worker saved it at the same moment: it read the same events.
        logger.debug("payment notices: another worker moved the cursor first")


def payment_notices_job(
    *, store: GatewayStore, zone: ZoneInfo, interval_s: float, clock: Clock = utc_now
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """Runs until `stop` is set: a scan now, then one every interval (at once again
    while a scan fills its batch). A failed scan is logged and tried again: the cursor
    did not move past what it did not queue."""
    cursor = StoredCursor(store, feed=FEED, clock=clock)

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            queued = 0
            try:
                queued = await queue_payment_notices(
                    store=store, cursor=cursor, zone=zone, clock=clock
                )
                if queued:
                    logger.info("payment notices: %d queued", queued)
            except Exception:
                logger.exception("payment notices: the scan failed; trying again")
            if queued < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval_s)

    return run
