"""A member's text to the co-op's number: STOP, START, HELP, or anything else.

Kept once by its message id, with everything it changes, in one transaction: a STOP
(or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPT OUT, or "stop" in free text:
`adapters.sms.keywords`) stops every text to the number at once, whichever logins have
it as a contact, logs the change with the words the member sent, and queues exactly
one confirmation; START or UNSTOP undoes it; HELP queues the co-op's answer. A text
redelivered or replayed finds its id taken and changes nothing, so it queues nothing
again. A second STOP to a number already stopped changes nothing and is not answered:
the member has heard from us once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.dialects import postgresql, sqlite

from adapters.rules.phone import parse_phone
from adapters.sms.keywords import Keyword, classify_keyword
from adapters.sms.port import InboundMessage
from gateway.core.clock import as_utc
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import UnitOfWork, unit_of_work
from gateway.notifications.consent import (
    ConsentChange,
    ConsentMethod,
    opt_in,
    opt_out,
    record_consent,
)
from gateway.notifications.replies import SMS_REPLY_KIND, Reply, reply_key
from gateway.notifications.tables import SmsInboundRow

logger = logging.getLogger("gateway.notifications.inbound")

MAX_ID_LENGTH: Final = 64


class InboundNotUsable(ValueError):
    """A genuine callback the gateway cannot keep (an id out of bounds): refused, and
    nothing is written."""


@dataclass(frozen=True, slots=True)
class InboundTaken:
    keyword: Keyword
    changed: bool  # whether the number's consent changed
    seen_before: bool = False


async def accept_inbound(
    *,
    store: GatewayStore,
    message: InboundMessage,
    now: datetime,
    on_outbox_committed: Callable[[], None] | None = None,
) -> InboundTaken:
    if not message.id or len(message.id) > MAX_ID_LENGTH:
        raise InboundNotUsable(f"a message id has 1 to {MAX_ID_LENGTH} characters")
    phone = parse_phone(message.from_)
    keyword = classify_keyword(message.body) if phone is not None else Keyword.OTHER
    async with unit_of_work(
        store, clock=lambda: as_utc(now), on_outbox_committed=on_outbox_committed
    ) as uow:
        kept = await uow.session.scalar(
            _insert_unless_seen(uow.session.get_bind().dialect.name)
            .values(
                message_id=message.id,
                phone=(phone.e164 if phone else message.from_)[:16],
                keyword=keyword.value,
                received_at=as_utc(now),
            )
            .returning(SmsInboundRow.message_id)
        )
        if kept is None:
            return InboundTaken(keyword, changed=False, seen_before=True)
        if phone is None:
            return InboundTaken(keyword, changed=False)
        changed = await _act(uow, phone=phone.e164, keyword=keyword, message=message, now=now)
    logger.info("text %s: %s%s", message.id, keyword.value, " (changed)" if changed else "")
    return InboundTaken(keyword, changed=changed)


async def _act(
    uow: UnitOfWork, *, phone: str, keyword: Keyword, message: InboundMessage, now: datetime
) -> bool:
    reply: Reply | None = None
    changed = False
    if keyword is Keyword.OPT_OUT:
        changed = await opt_out(uow.session, phone=phone, now=now)
        reply = Reply.STOPPED if changed else None
    elif keyword is Keyword.OPT_IN:
        changed = await opt_in(uow.session, phone=phone)
        reply = Reply.RESUMED if changed else None
    elif keyword is Keyword.HELP:
        reply = Reply.HELP
    if changed:
        await record_consent(
            uow.session,
            phone=phone,
            user_id=None,
            change=ConsentChange.REVOKED if keyword is Keyword.OPT_OUT else ConsentChange.GRANTED,
            method=ConsentMethod.TEXT_KEYWORD,
            source=f"sms:{message.id}",
            actor=phone,
            wording=message.body,
            now=now,
        )
    if reply is not None:
        await uow.add_outbox(
            kind=SMS_REPLY_KIND,
            payload={"phone": phone, "reply": reply.value, "message_id": message.id},
            idempotency_key=reply_key(message.id),
        )
    return changed


def _insert_unless_seen(dialect: str) -> postgresql.Insert | sqlite.Insert:
    keys = [SmsInboundRow.message_id]
    if dialect == "postgresql":
        return postgresql.insert(SmsInboundRow).on_conflict_do_nothing(index_elements=keys)
    if dialect == "sqlite":
        return sqlite.insert(SmsInboundRow).on_conflict_do_nothing(index_elements=keys)
    raise NotImplementedError(f"texts are stored in SQLite or PostgreSQL, not {dialect}")
