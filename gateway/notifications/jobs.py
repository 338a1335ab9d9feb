"""The notification work the worker carries out from the outbox."""

from __future__ import annotations

from adapters.email.port import EmailSender
from adapters.sms.port import SmsSender
from gateway.core.outbox import Handler, OutboxMessage
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications import contacts


def contact_code_handler(
    *, store: GatewayStore, email: EmailSender, sms: SmsSender | None
) -> Handler:
    """Makes and sends a contact's activation code (`contacts.send_activation_code`)."""

    async def handle(message: OutboxMessage) -> None:
        await contacts.send_activation_code(
            store=store, email=email, sms=sms, contact_id=int(message.payload["contact_id"])
        )

    return handle
