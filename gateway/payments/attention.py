"""The payments a person must look at: staff's work queue.

A payment NEEDS_ATTENTION when its retries ran out or a system refused a step it could
not undo (the CIS refused a charged payment, a refund failed). Members see the status
on their own payments; staff need them all in one place, oldest first, each with
what went wrong, which the member's view never shows (it may name a system's error).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_

from gateway.core.clock import as_utc
from gateway.core.outbox.table import OutboxEntry, OutboxState
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.status import PaymentStatus
from gateway.payments.store import PaymentEvent, StoredPayment
from gateway.payments.tables import PaymentRow

MAX_PAGE = 100
# Only the outbox knows why an entry it set aside failed: the handler's last attempt
# was cut short (a crash) before it could mark the payment itself.
OUTBOX_GAVE_UP = "the worker's attempts ran out"


@dataclass(frozen=True, slots=True)
class PaymentNeedingAttention:
    payment: StoredPayment
    reason: str  # the newest event's detail, or the outbox's last error
    since: datetime  # when it was set aside
    events: tuple[PaymentEvent, ...]  # oldest first


@dataclass(frozen=True, slots=True)
class AttentionPage:
    items: tuple[PaymentNeedingAttention, ...]
    has_next_page: bool


async def payments_needing_attention(
    store: GatewayStore, *, first: int, after: str | None
) -> AttentionPage:
    """`first` payments needing attention, longest waiting first, after the payment
    whose id is `after` (one no longer waiting starts from the beginning)."""
    if not 0 <= first <= MAX_PAGE:
        raise ValueError(f"first must be between 0 and {MAX_PAGE}")
    waiting = or_(
        PaymentRow.status == PaymentStatus.NEEDS_ATTENTION.value,
        and_(
            PaymentRow.status == PaymentStatus.PROCESSING.value,
            OutboxEntry.state == OutboxState.NEEDS_ATTENTION.value,
        ),
    )
    query = payments_store.READ.add_columns(OutboxEntry.last_error).where(waiting)
    async with store.sessions() as session:
        if after is not None:
            anchor = (await session.execute(query.where(PaymentRow.id == after).limit(1))).first()
            if anchor is not None:
                at = anchor[0].updated_at
                query = query.where(
                    or_(
                        PaymentRow.updated_at > at,
                        and_(PaymentRow.updated_at == at, PaymentRow.id > after),
                    )
                )
        rows = list(
            await session.execute(
                query.order_by(PaymentRow.updated_at, PaymentRow.id).limit(first + 1)
            )
        )
    items = []
    for row, entry_state, last_error in rows[:first]:
        payment = payments_store.stored(row, entry_state)
        events = tuple(await payments_store.payment_events(store, payment.id))
        items.append(
            PaymentNeedingAttention(
                payment=payment,
                reason=_reason(payment, events, last_error),
                since=as_utc(row.updated_at),
                events=events,
            )
        )
    return AttentionPage(items=tuple(items), has_next_page=len(rows) > first)


def _reason(
    payment: StoredPayment, events: tuple[PaymentEvent, ...], last_error: str | None
) -> str:
    set_aside = [e for e in events if e.status is PaymentStatus.NEEDS_ATTENTION]
    if set_aside:
        return set_aside[-1].detail
    return f"{OUTBOX_GAVE_UP}: {last_error}" if last_error else OUTBOX_GAVE_UP
