"""A member tries a contact: one test message to it, through the same log and sending
as any notification (and so suppressed for a number that texted STOP)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.rules.numbers import parse_natural
from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.notifications import contacts_store
from gateway.notifications.contacts import ContactMissing
from gateway.notifications.deliveries import TEST_TYPE, queue_delivery

SUBJECT = "A test of your co-op notifications"
BODY = "This is a test: co-op notifications reach you here."


@dataclass(frozen=True, slots=True)
class ContactNotActivated:
    """Nothing is sent to a contact before it is activated, not even a test."""


async def send_test(
    *,
    store: GatewayStore,
    user_id: int,
    contact_id: str,
    request_id: str,
    clock: Clock = utc_now,
) -> int | ContactMissing | ContactNotActivated:
    """The test's delivery id, once it is queued."""
    number = parse_natural(contact_id.strip())
    if number is None:
        return ContactMissing()
    now = clock()
    async with unit_of_work(store, clock=lambda: now) as uow:
        row = await contacts_store.get_contact(uow.session, contact_id=number, user_id=user_id)
        if row is None:
            return ContactMissing()
        contact = contacts_store.contact_of(row)
        if not contact.activated:
            return ContactNotActivated()
        queued = await queue_delivery(
            uow,
            dedupe_key=f"test:{contact.id}:{request_id}",
            contact=contact,
            type_=TEST_TYPE,
            account_number=None,
            subject=SUBJECT,
            body=BODY,
            now=now,
        )
    assert queued is not None  # a request id is never used twice
    return queued
