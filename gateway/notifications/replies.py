"""The co-op's answers to a member's STOP, START and HELP, texted by the worker.

Each answers one inbound text, and is named by that text's id: a retried reply is the
same message to the provider, which sends it once. The STOP confirmation is the one
text a stopped number still gets (CTIA asks for it); a HELP answer may go to a stopped
number too, as it was asked for; the START confirmation goes only while the number is
still texted (a STOP that came after it wins).
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Final

from adapters.sms.port import SmsRejected, SmsSender
from gateway.core.store.gateway_store import GatewayStore
from gateway.documents.coop import CoopIdentity
from gateway.notifications.consent import is_opted_out

logger = logging.getLogger("gateway.notifications.replies")

# The outbox entry that texts one answer (see gateway.worker).
SMS_REPLY_KIND: Final = "notifications.sms_reply"


class Reply(StrEnum):
    STOPPED = "stopped"
    RESUMED = "resumed"
    HELP = "help"


def reply_text(reply: Reply, coop: CoopIdentity) -> str:
    if reply is Reply.STOPPED:
        return (
            f"{coop.name}: You are unsubscribed and will get no more texts from us."
            " Reply START to resubscribe."
        )
    if reply is Reply.RESUMED:
        return f"{coop.name}: You will get account texts again. Reply HELP for help, STOP to stop."
    return (
        f"{coop.name} account alerts. For help, call {coop.phone}."
        " Msg & data rates may apply. Reply STOP to stop."
    )


def reply_key(inbound_message_id: str) -> str:
    return f"sms-reply-{inbound_message_id}"


async def send_reply(
    *,
    store: GatewayStore,
    sms: SmsSender,
    coop: CoopIdentity,
    phone: str,
    reply: Reply,
    inbound_message_id: str,
) -> None:
    if reply is Reply.RESUMED and await is_opted_out(store, phone):
        logger.info("text %s: stopped again before START was confirmed", inbound_message_id)
        return
    try:
        await sms.send(
            to=phone, body=reply_text(reply, coop), idempotency_key=reply_key(inbound_message_id)
        )
    except SmsRejected as rejected:
        # Permanent: the number is not a mobile one, or the carrier stopped it itself.
        logger.warning("text %s: reply refused (%s)", inbound_message_id, rejected.reason)
