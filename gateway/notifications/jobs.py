"""The notification work the worker carries out from the outbox."""

from __future__ import annotations

from adapters.email.port import EmailSender
from adapters.sms.port import SmsSender
from gateway.core.outbox import Handler, OutboxMessage
from gateway.core.store.gateway_store import GatewayStore
from gateway.documents.coop import CoopIdentity
from gateway.notifications import contacts, replies, sending
from gateway.notifications.contacts import TextsNotSetUp


def contact_code_handler(
    *, store: GatewayStore, email: EmailSender, sms: SmsSender | None
) -> Handler:
    """Makes and sends a contact's activation code (`contacts.send_activation_code`)."""

    async def handle(message: OutboxMessage) -> None:
        await contacts.send_activation_code(
            store=store, email=email, sms=sms, contact_id=int(message.payload["contact_id"])
        )

    return handle


def sms_reply_handler(*, store: GatewayStore, sms: SmsSender | None, coop: CoopIdentity) -> Handler:
    """Texts the answer to a member's STOP, START or HELP (`replies.send_reply`)."""

    async def handle(message: OutboxMessage) -> None:
        if sms is None:
            # Raised, not dropped: retried, and set aside once retries run out.
            raise TextsNotSetUp("a reply is to be texted, but no SMS provider is set")
        await replies.send_reply(
            store=store,
            sms=sms,
            coop=coop,
            phone=str(message.payload["phone"]),
            reply=replies.Reply(str(message.payload["reply"])),
            inbound_message_id=str(message.payload["message_id"]),
        )

    return handle


def delivery_handler(
    *,
    store: GatewayStore,
    email: EmailSender,
    sms: SmsSender | None,
    rules: sending.SendingRules,
) -> Handler:
    """Sends one logged notification, or settles why not (`sending.deliver`)."""

    async def handle(message: OutboxMessage) -> None:
        await sending.deliver(
            store=store,
            email=email,
            sms=sms,
            rules=rules,
            delivery_id=int(message.payload["delivery_id"]),
        )

    return handle
