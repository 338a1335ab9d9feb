"""The contact service on its own: codes expire, texts wait for a provider, refusals end."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from adapters.email.fake import FakeEmailSender
from adapters.sms import sandbox
from adapters.sms.fake import FakeSmsSender
from gateway.core.outcomes import FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.throttle import Admitted, LoginThrottle
from gateway.notifications import contacts
from gateway.notifications.consent import is_opted_out
from gateway.notifications.contacts_store import Contact, ContactKind
from gateway.notifications.tables import SmsConsentRow
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import code_in, new_member

store = store_on_each_backend()
START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
_addresses = itertools.count(1)


async def added(store: GatewayStore, user_id: int, kind: ContactKind, value: str) -> Contact:
    outcome = await contacts.add_contact(
        store=store,
        throttle=contacts.code_send_throttle(store),
        user_id=user_id,
        login_address=None,
        kind=kind,
        value=value,
        request_id="req-1",
        # An address of its own: the module's tests share the per-address budget.
        client_address=f"10.0.0.{next(_addresses)}",
        clock=lambda: START,
    )
    assert isinstance(outcome, contacts.ContactAdded), outcome
    return outcome.contact


async def test_a_code_works_for_fifteen_minutes_only(store: GatewayStore) -> None:
    member = await new_member(store)
    contact = await added(store, member.user_id, ContactKind.EMAIL, "late@example.com")
    mail = FakeEmailSender()
    await contacts.send_activation_code(
        store=store, email=mail, sms=None, contact_id=contact.id, clock=lambda: START
    )
    code = code_in(mail.sent[0].text)

    async def try_at(moment: datetime) -> object:
        return await contacts.activate_contact(
            store=store,
            throttle=contacts.activation_throttle(store, clock=lambda: moment),
            user_id=member.user_id,
            contact_id=str(contact.id),
            code=code,
            client_address="192.0.2.7",
            request_id="req-2",
            clock=lambda: moment,
        )

    late = await try_at(START + timedelta(minutes=15))
    in_time = await try_at(START + timedelta(minutes=14, seconds=59))

    assert late == contacts.CodeRefused(expired=True)
    assert isinstance(in_time, Contact)
    assert in_time.activated


async def test_a_code_to_text_waits_until_a_provider_is_set_up(store: GatewayStore) -> None:
    member = await new_member(store)
    contact = await added(store, member.user_id, ContactKind.SMS, "505-555-0150")

    with pytest.raises(contacts.TextsNotSetUp):
        await contacts.send_activation_code(
            store=store, email=FakeEmailSender(), sms=None, contact_id=contact.id
        )


async def test_a_number_the_provider_refuses_is_not_retried(store: GatewayStore) -> None:
    member = await new_member(store)
    contact = await added(store, member.user_id, ContactKind.SMS, sandbox.INVALID_NUMBER)
    texts = FakeSmsSender()

    await contacts.send_activation_code(
        store=store, email=FakeEmailSender(), sms=texts, contact_id=contact.id
    )  # returns: the outbox entry is done

    assert await texts.find_by_key(f"contact-code-{contact.id}-1") is None


async def test_at_most_ten_contacts(store: GatewayStore) -> None:
    member = await new_member(store)
    for n in range(contacts.MAX_CONTACTS):
        await added(store, member.user_id, ContactKind.EMAIL, f"c{n}@example.com")

    eleventh = await contacts.add_contact(
        store=store,
        throttle=contacts.code_send_throttle(store),
        user_id=member.user_id,
        login_address=None,
        kind=ContactKind.EMAIL,
        value="one-too-many@example.com",
        request_id="req-11",
        client_address="192.0.2.1",
    )

    assert isinstance(eleventh, FieldProblem)
    assert eleventh.field == "value"


async def test_codes_to_one_number_are_limited_whichever_logins_ask(store: GatewayStore) -> None:
    first, second = await new_member(store), await new_member(store)
    throttle = contacts.code_send_throttle(store)

    async def ask(member_id: int, address: str) -> object:
        return await contacts.add_contact(
            store=store,
            throttle=throttle,
            user_id=member_id,
            login_address=None,
            kind=ContactKind.SMS,
            value="505-555-0160",
            request_id="req",
            client_address=address,
        )

    answers = [
        await ask(who, address)
        for who, address in [(first.user_id, "192.0.2.1")] * 2 + [(second.user_id, "192.0.2.2")] * 2
    ]
    other_number = await added(store, first.user_id, ContactKind.SMS, "505-555-0161")

    assert [type(a).__name__ for a in answers] == ["ContactAdded"] * 3 + ["Throttled"]
    assert other_number.value == "+15055550161"


async def test_a_number_stopped_at_the_carrier_is_stopped_here_too(store: GatewayStore) -> None:
    member = await new_member(store)
    contact = await added(store, member.user_id, ContactKind.SMS, sandbox.OPTED_OUT_NUMBER)

    await contacts.send_activation_code(
        store=store, email=FakeEmailSender(), sms=FakeSmsSender(), contact_id=contact.id
    )

    assert await is_opted_out(store, sandbox.OPTED_OUT_NUMBER)
    log = await account_consent_log_of_phone(store, sandbox.OPTED_OUT_NUMBER)
    assert [(e.change, e.method, e.actor) for e in log] == [
        ("revoked", "carrier_opt_out", "carrier")
    ]


async def account_consent_log_of_phone(store: GatewayStore, phone: str) -> list[SmsConsentRow]:
    async with store.sessions() as session:
        return list(
            await session.scalars(select(SmsConsentRow).where(SmsConsentRow.phone == phone))
        )


async def test_wrong_codes_spend_no_sign_in_budget_of_the_address(store: GatewayStore) -> None:
    member = await new_member(store)
    activation = contacts.activation_throttle(store)
    address = "203.0.113.9"
    # As many wrong codes as the address may send, spread over contacts: each
    # contact's own budget would stop them first.
    per_contact = contacts.ACTIVATION_LIMITS.failures_per_email
    wanted = contacts.ACTIVATION_LIMITS.failures_per_address
    answers = []
    for n in range(wanted // per_contact):
        contact = await added(store, member.user_id, ContactKind.EMAIL, f"budget{n}@example.com")
        for _ in range(per_contact):
            answers.append(
                await contacts.activate_contact(
                    store=store,
                    throttle=activation,
                    user_id=member.user_id,
                    contact_id=str(contact.id),
                    code="000000",
                    client_address=address,
                    request_id="req",
                )
            )
    assert answers == [contacts.CodeRefused(expired=False)] * wanted  # all counted

    sign_in = await LoginThrottle(store).admit(email=member.email, client_address=address)

    assert isinstance(sign_in, Admitted)
