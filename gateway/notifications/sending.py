"""The worker's half of a notification: checked again, then sent, and logged.

Whatever was true when it was queued is checked again when it is sent, as that is when
it matters: a contact removed, a number that texted STOP, a preference turned off since
each suppress it (SUPPRESSED, with the reason). A non-urgent text due in the member's
quiet hours waits for their end (QUEUED, reason quiet_hours). A send that fails for
now raises, and the outbox tries again later; its key makes the retry the same message.
A refusal for good (no such mailbox, not a mobile number) is FAILED and not retried.

A worker killed between a hand-off and its record repeats that message when the entry
runs again. A text cannot be repeated: the provider honours the send's idempotency key.
Mail has no such key, so an email is recorded SENT inside the send (the email port's
`record`), which holds one message at a time between its point of no return and its
record: however many deliveries a batch runs at once, a killed worker repeats at most
one email.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from adapters.email.port import EmailRejected, EmailSender, OutgoingEmail
from adapters.sms.port import RejectReason, SmsRejected, SmsSender
from gateway.core.clock import Clock, as_utc, utc_now
from gateway.core.signed_links import LinkSigner
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.documents.coop import CoopIdentity
from gateway.notifications import contacts_store
from gateway.notifications.consent import is_opted_out, record_carrier_opt_out
from gateway.notifications.contacts import TextsNotSetUp
from gateway.notifications.contacts_store import Contact, ContactKind
from gateway.notifications.deliveries import (
    DELIVER_KIND,
    TEST_TYPE,
    Delivery,
    DeliveryStatus,
    Reason,
    get_delivery,
    message_key,
)
from gateway.notifications.email_layout import notice_email
from gateway.notifications.preferences_store import preferences_of
from gateway.notifications.quiet_hours import QuietHours
from gateway.notifications.tables import DeliveryRow
from gateway.notifications.time_zones import chosen_time_zone
from gateway.notifications.types import RULES, NotificationType
from gateway.notifications.unsubscribe import unsubscribe_link

logger = logging.getLogger("gateway.notifications.sending")

MANAGE_PATH = "/notifications"


@dataclass(frozen=True, slots=True, kw_only=True)
class SendingRules:
    """What the settings say about sending: who the co-op is, where members manage their
    notifications, where the provider reports on texts, and the quiet hours."""

    coop: CoopIdentity  # as its documents name it: name and postal address
    public_base_url: str
    status_callback_url: str | None
    quiet_hours: QuietHours
    outage_texts_in_quiet_hours: bool = True
    # Signs each email's unsubscribe link, with the public base URL as its origin.
    unsubscribe_links: LinkSigner | None = None


async def deliver(
    *,
    store: GatewayStore,
    email: EmailSender,
    sms: SmsSender | None,
    rules: SendingRules,
    delivery_id: int,
    clock: Clock = utc_now,
) -> None:
    delivery = await get_delivery(store, delivery_id)
    if delivery is None or delivery.status is not DeliveryStatus.QUEUED:
        return  # sent, or settled, by an earlier run
    now = clock()
    contact = await _contact(store, delivery)
    reason = await _why_not(store, delivery, contact)
    if reason is not None:
        await _settle(store, delivery.id, DeliveryStatus.SUPPRESSED, reason, now=now)
        logger.info("notification %s suppressed: %s", delivery.id, reason.value)
        return
    assert contact is not None  # _why_not said why when there is none
    if contact.kind is ContactKind.SMS:
        if sms is None:
            raise TextsNotSetUp("a notification is to be texted, but no SMS provider is set")
        if await _deferred(store, delivery, rules, now=now):
            return
        await _text(store, sms, rules, delivery, now=now)
    else:
        await _mail(store, email, rules, delivery, now=now)


async def _contact(store: GatewayStore, delivery: Delivery) -> Contact | None:
    if delivery.contact_id is None:
        return None
    async with store.sessions() as session:
        row = await contacts_store.get_contact(session, contact_id=delivery.contact_id)
        return None if row is None else contacts_store.contact_of(row)


async def _why_not(
    store: GatewayStore, delivery: Delivery, contact: Contact | None
) -> Reason | None:
    if contact is None:
        return Reason.CONTACT_REMOVED
    if not contact.activated:
        return Reason.NO_CONSENT
    if contact.kind is ContactKind.SMS and await is_opted_out(store, contact.value):
        return Reason.NO_CONSENT
    if delivery.type != TEST_TYPE and not await _wanted(store, delivery, contact):
        return Reason.PREFERENCE_OFF
    return None


async def _wanted(store: GatewayStore, delivery: Delivery, contact: Contact) -> bool:
    """Whether the login still wants this type on this account at this contact."""
    try:
        kind = NotificationType(delivery.type)
    except ValueError:
        return False
    if delivery.account_number is None:
        return False
    chosen = await preferences_of(
        store, user_id=delivery.user_id, account_number=delivery.account_number
    )
    stored = chosen.get(kind)
    if stored is None:  # the defaults: on or off by type, to the login's email
        return RULES[kind].enabled_by_default and contact.is_login
    return stored.enabled and contact.id in stored.contact_ids


async def _deferred(
    store: GatewayStore, delivery: Delivery, rules: SendingRules, *, now: datetime
) -> bool:
    """Queue the text again for the end of quiet hours, if it is due inside them."""
    urgent = delivery.type == TEST_TYPE or (
        delivery.type == NotificationType.OUTAGE.value and rules.outage_texts_in_quiet_hours
    )
    if urgent:
        return False
    own_zone = await chosen_time_zone(store, user_id=delivery.user_id)
    quiet_hours = rules.quiet_hours if own_zone is None else rules.quiet_hours.in_zone(own_zone)
    resumes = quiet_hours.resumes_at(now)
    if resumes is None:
        return False
    async with unit_of_work(store, clock=lambda: now) as uow:
        await uow.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery.id)
            .values(reason=Reason.QUIET_HOURS.value, updated_at=as_utc(now))
        )
        await uow.add_outbox(
            kind=DELIVER_KIND,
            payload={"delivery_id": delivery.id},
            idempotency_key=f"deliver-after-quiet:{delivery.id}:{resumes.isoformat()}",
            due_at=resumes,
        )
    logger.info("notification %s waits for the end of quiet hours", delivery.id)
    return True


async def _text(
    store: GatewayStore, sms: SmsSender, rules: SendingRules, delivery: Delivery, *, now: datetime
) -> None:
    try:
        sent = await sms.send(
            to=delivery.recipient,
            body=delivery.body,
            idempotency_key=message_key(f"delivery:{delivery.id}"),
            status_callback_url=rules.status_callback_url,
        )
    except SmsRejected as rejected:
        if rejected.reason is RejectReason.OPTED_OUT:
            await record_carrier_opt_out(
                store, phone=delivery.recipient, source=f"delivery:{delivery.id}", now=now
            )
            await _settle(store, delivery.id, DeliveryStatus.SUPPRESSED, Reason.NO_CONSENT, now=now)
        else:
            await _settle(store, delivery.id, DeliveryStatus.FAILED, Reason.REFUSED, now=now)
        return
    await _settle(store, delivery.id, DeliveryStatus.SENT, None, now=now, provider_id=sent.id)


async def _mail(
    store: GatewayStore,
    email: EmailSender,
    rules: SendingRules,
    delivery: Delivery,
    *,
    now: datetime,
) -> None:
    unsubscribe_url = (
        None
        if rules.unsubscribe_links is None
        else unsubscribe_link(rules.unsubscribe_links, delivery)
    )
    parts = notice_email(
        subject=delivery.subject,
        body=delivery.body,
        manage_url=f"{rules.public_base_url}{MANAGE_PATH}",
        unsubscribe_url=unsubscribe_url,
        coop_name=rules.coop.name,
        coop_address=rules.coop.address,
    )

    async def record_sent() -> None:
        await _settle(store, delivery.id, DeliveryStatus.SENT, None, now=now)

    try:
        await email.send(
            OutgoingEmail(
                to=delivery.recipient,
                subject=delivery.subject,
                text=parts.text,
                html=parts.html,
                idempotency_key=message_key(f"delivery:{delivery.id}"),
                # The header only over HTTPS (RFC 8058); the body's link in any case.
                unsubscribe_url=(
                    unsubscribe_url
                    if unsubscribe_url is not None and unsubscribe_url.startswith("https://")
                    else None
                ),
            ),
            record=record_sent,
        )
    except EmailRejected:
        await _settle(store, delivery.id, DeliveryStatus.FAILED, Reason.REFUSED, now=now)


async def _settle(
    store: GatewayStore,
    delivery_id: int,
    status: DeliveryStatus,
    reason: Reason | None,
    *,
    now: datetime,
    provider_id: str | None = None,
) -> None:
    async with store.sessions.begin() as session:
        await session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(
                status=status.value,
                reason=None if reason is None else reason.value,
                provider_message_id=provider_id,
                updated_at=as_utc(now),
            )
        )
