"""Counting what an accepted processor event left in the gateway's store."""

from __future__ import annotations

from sqlalchemy import func, select

from gateway.core.outbox.table import OutboxEntry
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.tables import PaymentWebhookEventRow
from gateway.payments.webhook_intake import PAYMENT_EVENT_KIND, event_outbox_key


async def kept_events(store: GatewayStore, event_id: str) -> int:
    async with store.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(PaymentWebhookEventRow)
            .where(PaymentWebhookEventRow.event_id == event_id)
        )
        return int(count or 0)


async def queued_events(store: GatewayStore, event_id: str) -> int:
    async with store.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(
                OutboxEntry.kind == PAYMENT_EVENT_KIND,
                OutboxEntry.idempotency_key == event_outbox_key(event_id),
            )
        )
        return int(count or 0)
