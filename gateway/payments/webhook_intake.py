"""Taking in a verified processor event: kept once by its id, handed to the worker.

The request that carries the event does no more than this, so that the processor gets
its 2xx at once: the event's row and the outbox entry that acts on it are written in
one transaction (`gateway.payments.events` does the work, in the worker). The row's
key is the event id, inserted with ON CONFLICT DO NOTHING, so a redelivered or
replayed event writes nothing, and of two racing deliveries exactly one does, on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.dialects import postgresql, sqlite

from adapters.payments.port import WebhookEvent
from gateway.core.clock import as_utc
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.payments.tables import PaymentWebhookEventRow

# The outbox entry that acts on an accepted event (see gateway.worker).
PAYMENT_EVENT_KIND: Final = "payments.event"
# Longer ids than these are not the processor's: refused rather than truncated.
MAX_ID_LENGTH: Final = 64


class EventNotUsable(ValueError):
    """A genuine event the gateway cannot keep (an id out of bounds): refused, and
    nothing is written."""


def event_outbox_key(event_id: str) -> str:
    return f"payment-event:{event_id}"


async def accept_event(
    *,
    store: GatewayStore,
    event: WebhookEvent,
    now: datetime,
    on_outbox_committed: Callable[[], None] | None = None,
) -> bool:
    """Keep `event` and queue its handling; False (nothing written) when it was seen."""
    values = {
        "event_id": event.id,
        "type": event.type,
        "object_id": event.object_id,
        "reference": event.reference,
        "received_at": as_utc(now),
    }
    if not event.id or not event.type:
        raise EventNotUsable("an event needs an id and a type")
    for name in ("event_id", "type", "object_id", "reference"):
        value = values[name]
        if isinstance(value, str) and len(value) > MAX_ID_LENGTH:
            raise EventNotUsable(f"{name}: at most {MAX_ID_LENGTH} characters")
    async with unit_of_work(
        store, clock=lambda: as_utc(now), on_outbox_committed=on_outbox_committed
    ) as uow:
        insert = _insert_unless_seen(uow.session.get_bind().dialect.name)
        inserted = await uow.session.scalar(
            insert.values(values).returning(PaymentWebhookEventRow.event_id)
        )
        if inserted is None:
            return False
        await uow.add_outbox(
            kind=PAYMENT_EVENT_KIND,
            payload={"event_id": event.id},
            idempotency_key=event_outbox_key(event.id),
        )
    return True


def _insert_unless_seen(dialect: str) -> postgresql.Insert | sqlite.Insert:
    keys = [PaymentWebhookEventRow.event_id]
    if dialect == "postgresql":
        return postgresql.insert(PaymentWebhookEventRow).on_conflict_do_nothing(index_elements=keys)
    if dialect == "sqlite":
        return sqlite.insert(PaymentWebhookEventRow).on_conflict_do_nothing(index_elements=keys)
    raise NotImplementedError(f"payments are stored in SQLite or PostgreSQL, not {dialect}")


@dataclass(frozen=True, slots=True)
class AcceptedEvent:
    event_id: str
    type: str
    object_id: str
    reference: str | None


async def accepted_event(store: GatewayStore, event_id: str) -> AcceptedEvent | None:
    async with store.sessions() as session:
        row = await session.get(PaymentWebhookEventRow, event_id)
        if row is None:
            return None
        return AcceptedEvent(row.event_id, row.type, row.object_id, row.reference)
