"""The delivery log: every notification to every contact, and where it stands.

QUEUED (waiting for the worker, or for quiet hours to end: `reason` quiet_hours), SENT
(the mail server or the SMS provider took it), DELIVERED (the carrier says the phone
has it), FAILED (it never arrived; `reason` says why) or SUPPRESSED (not sent, and
`reason` says why: no_consent, contact_removed, preference_off). A row is written with
the outbox entry that sends it, under a unique dedupe key: the same news for the same
contact is queued once, however often it is detected, and a retried send is the same
message (its key names it at the mail system and the provider).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sms.port import MessageStatus, StatusUpdate
from gateway.core.clock import as_utc
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import UnitOfWork
from gateway.notifications.contacts_store import Contact, ContactKind
from gateway.notifications.tables import DeliveryRow

# The outbox entry that sends one delivery (see gateway.worker).
DELIVER_KIND: Final = "notifications.deliver"
TEST_TYPE: Final = "test"
MAX_PAGE: Final = 50


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class Reason(StrEnum):
    NO_CONSENT = "no_consent"  # a number that said STOP, or a contact not activated
    QUIET_HOURS = "quiet_hours"  # deferred to the end of the member's quiet hours
    CONTACT_REMOVED = "contact_removed"
    PREFERENCE_OFF = "preference_off"
    REFUSED = "refused"  # the mail server or the provider refused it for good


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    id: int
    user_id: int
    contact_id: int | None
    channel: ContactKind
    recipient: str
    type: str
    account_number: str | None
    subject: str
    body: str
    status: DeliveryStatus
    reason: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryPage:
    deliveries: tuple[Delivery, ...]
    has_next_page: bool


def delivery_of(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        user_id=row.user_id,
        contact_id=row.contact_id,
        channel=ContactKind(row.channel),
        recipient=row.recipient,
        type=row.type,
        account_number=row.account_number,
        subject=row.subject,
        body=row.body,
        status=DeliveryStatus(row.status),
        reason=row.reason,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def message_key(dedupe_key: str) -> str:
    """The message's name at the mail system and the provider: the dedupe key's hash, so
    that it fits their rules (letters, digits, 64 characters) whatever the key holds."""
    return "notification-" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]


async def queue_delivery(
    uow: UnitOfWork,
    *,
    dedupe_key: str,
    contact: Contact,
    type_: str,
    account_number: str | None,
    subject: str,
    body: str,
    now: datetime,
) -> int | None:
    """Log one notification as QUEUED and queue its sending, in the caller's unit of
    work; None (nothing written) when its dedupe key was queued before."""
    dialect = uow.session.get_bind().dialect.name
    insert: postgresql.Insert | sqlite.Insert
    keys = ["dedupe_key"]
    if dialect == "postgresql":
        insert = postgresql.insert(DeliveryRow).on_conflict_do_nothing(index_elements=keys)
    else:
        insert = sqlite.insert(DeliveryRow).on_conflict_do_nothing(index_elements=keys)
    delivery_id = await uow.session.scalar(
        insert.values(
            dedupe_key=dedupe_key,
            user_id=contact.user_id,
            contact_id=contact.id,
            channel=contact.kind.value,
            recipient=contact.value,
            type=type_,
            account_number=account_number,
            subject=subject,
            body=body,
            status=DeliveryStatus.QUEUED.value,
            created_at=as_utc(now),
            updated_at=as_utc(now),
        ).returning(DeliveryRow.id)
    )
    if delivery_id is None:
        return None
    await uow.add_outbox(
        kind=DELIVER_KIND,
        payload={"delivery_id": delivery_id},
        idempotency_key=f"deliver:{message_key(dedupe_key)}",
    )
    return int(delivery_id)


async def deliveries_of(
    store: GatewayStore,
    *,
    user_id: int | None,
    first: int,
    after: int | None,
    account_number: str | None = None,
) -> DeliveryPage:
    """Notifications newest first, `first` of them after the id `after`: the login's
    (`user_id`), about one account (`account_number`), or the login's about the account."""
    if user_id is None and account_number is None:
        raise ValueError("whose notifications: a login, an account, or both")
    query = select(DeliveryRow)
    if user_id is not None:
        query = query.where(DeliveryRow.user_id == user_id)
    if account_number is not None:
        query = query.where(DeliveryRow.account_number == account_number)
    if after is not None:
        query = query.where(DeliveryRow.id < after)
    async with store.sessions() as session:
        rows = list(await session.scalars(query.order_by(DeliveryRow.id.desc()).limit(first + 1)))
    return DeliveryPage(tuple(delivery_of(r) for r in rows[:first]), len(rows) > first)


async def get_delivery(store: GatewayStore, delivery_id: int) -> Delivery | None:
    async with store.sessions() as session:
        row = await session.get(DeliveryRow, delivery_id)
        return None if row is None else delivery_of(row)


_FROM_PROVIDER: Final = {
    MessageStatus.DELIVERED: DeliveryStatus.DELIVERED,
    MessageStatus.FAILED: DeliveryStatus.FAILED,
    MessageStatus.UNDELIVERED: DeliveryStatus.FAILED,
}


async def record_status(store: GatewayStore, update_: StatusUpdate, *, now: datetime) -> bool:
    """A provider's status callback for a text: DELIVERED or FAILED, once; an earlier
    status arriving late (the callbacks come in any order) changes nothing."""
    status = _FROM_PROVIDER.get(update_.status)
    if status is None:
        return False
    reason = None if status is DeliveryStatus.DELIVERED else f"carrier:{update_.error_code}"
    async with store.sessions.begin() as session:
        result = await session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.provider_message_id == update_.message_id,
                DeliveryRow.status == DeliveryStatus.SENT.value,
            )
            .values(status=status.value, reason=reason and reason[:32], updated_at=as_utc(now))
        )
    return bool(getattr(result, "rowcount", 0))
