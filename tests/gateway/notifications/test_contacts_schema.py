"""Contacts over GraphQL: added, sent a code by the worker (real SMTP, the SMS stand-in),
activated with it, listed and removed; a text number's activation is logged consent."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.consent import CONSENT_WORDING
from gateway.notifications.tables import ContactRow, SmsConsentRow
from tests.fixtures.sms import SmsStandIn
from tests.fixtures.smtp import SmtpTestServer
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import code_in, new_member, worker
from tests.gateway.support import Member, codes, execute

store = store_on_each_backend()

CONTACTS = """
query { viewer { contacts {
  id kind value activated isLogin activatedAt consentText
} } }
"""
ADD = """
mutation Add($input: AddContactInput!) { addContact(input: $input) {
  __typename
  ... on ContactAdded { contact { id kind value activated consentText } codeExpiresInMinutes }
  ... on ContactAlreadyAdded { contact { id } message }
  ... on ValidationError { field message }
} }
"""
ACTIVATE = """
mutation Activate($input: ActivateContactInput!) { activateContact(input: $input) {
  __typename
  ... on ContactActivated { contact { id activated activatedAt } }
  ... on ContactNotFound { contactId message }
  ... on ActivationCodeInvalid { expired message }
  ... on ActivationThrottled { retryAfterSeconds }
} }
"""
REMOVE = """
mutation Remove($id: ID!) { removeContact(input: {contactId: $id}) {
  __typename
  ... on ContactRemoved { contactId }
  ... on ContactNotFound { contactId }
  ... on LoginContactNotRemovable { message }
} }
"""


async def ask(
    adapters: Adapters, store: GatewayStore, query: str, who: Member, **variables: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, query, who, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def add(
    adapters: Adapters, store: GatewayStore, who: Member, kind: str, value: str
) -> dict[str, Any]:
    data = await ask(adapters, store, ADD, who, input={"kind": kind, "value": value})
    answer: dict[str, Any] = data["addContact"]
    return answer


async def activate(
    adapters: Adapters, store: GatewayStore, who: Member, contact_id: str, code: str
) -> dict[str, Any]:
    data = await ask(adapters, store, ACTIVATE, who, input={"contactId": contact_id, "code": code})
    answer: dict[str, Any] = data["activateContact"]
    return answer


async def test_the_logins_confirmed_email_is_an_activated_contact_from_the_start(
    adapters: Adapters, store: GatewayStore
) -> None:
    member = await new_member(store)

    listed = (await ask(adapters, store, CONTACTS, member))["viewer"]["contacts"]

    assert [(c["kind"], c["value"], c["activated"], c["isLogin"]) for c in listed] == [
        ("EMAIL", member.email, True, True)
    ]
    again = (await ask(adapters, store, CONTACTS, member))["viewer"]["contacts"]
    assert again == listed  # written once


async def test_an_unconfirmed_login_has_no_contact_until_confirmed(
    adapters: Adapters, store: GatewayStore
) -> None:
    member = await new_member(store, confirmed=False)

    assert (await ask(adapters, store, CONTACTS, member))["viewer"]["contacts"] == []


async def test_an_email_contact_is_activated_with_the_code_mailed_to_it(
    adapters: Adapters,
    store: GatewayStore,
    smtp_server: SmtpTestServer,
    sms_stand_in: SmsStandIn,
) -> None:
    member = await new_member(store)

    added = await add(adapters, store, member, "EMAIL", "  Pat.Second@Example.COM ")

    assert added["__typename"] == "ContactAdded", added
    contact = added["contact"]
    assert (contact["kind"], contact["value"], contact["activated"]) == (
        "EMAIL",
        "pat.second@example.com",
        False,
    )
    assert contact["consentText"] is None
    assert added["codeExpiresInMinutes"] == 15
    async with worker(store, smtp_server, sms_stand_in) as run:
        assert await run.run() == 1
        mails = run.emails_to("pat.second@example.com")
    assert len(mails) == 1
    code = code_in(mails[0])
    wrong = "000000" if code != "000000" else "111111"

    refused = await activate(adapters, store, member, contact["id"], wrong)
    activated = await activate(adapters, store, member, contact["id"], code)

    assert refused == {
        "__typename": "ActivationCodeInvalid",
        "expired": False,
        "message": "This code is not right.",
    }
    assert activated["__typename"] == "ContactActivated"
    assert activated["contact"]["activated"] is True
    listed = (await ask(adapters, store, CONTACTS, member))["viewer"]["contacts"]
    assert [(c["value"], c["activated"]) for c in listed] == [
        (member.email, True),
        ("pat.second@example.com", True),
    ]
    async with store.sessions() as session:
        stored = await session.scalar(select(ContactRow).where(ContactRow.id == int(contact["id"])))
    assert stored is not None
    assert code not in (stored.code_hash or "")  # the code itself is never kept
    assert stored.code_hash is None  # nor its hash, once used


async def test_a_text_number_is_activated_with_the_texted_code_and_consent_is_logged(
    adapters: Adapters,
    store: GatewayStore,
    smtp_server: SmtpTestServer,
    sms_stand_in: SmsStandIn,
) -> None:
    member = await new_member(store)

    added = await add(adapters, store, member, "SMS", "(505) 555-0142")

    assert added["__typename"] == "ContactAdded", added
    contact = added["contact"]
    assert contact["value"] == "+15055550142"
    assert contact["consentText"] == CONSENT_WORDING
    async with worker(store, smtp_server, sms_stand_in) as run:
        await run.run()
        texts = await run.texts_to("+15055550142")
    assert len(texts) == 1
    async with store.sessions() as session:
        before = await session.scalar(
            select(SmsConsentRow).where(SmsConsentRow.user_id == member.user_id)
        )
    assert before is None  # no consent until the code is entered

    activated = await activate(adapters, store, member, contact["id"], code_in(texts[0]))

    assert activated["__typename"] == "ContactActivated", activated
    async with store.sessions() as session:
        logged = list(
            await session.scalars(
                select(SmsConsentRow).where(SmsConsentRow.user_id == member.user_id)
            )
        )
    assert [(e.phone, e.change, e.method, e.actor, e.wording) for e in logged] == [
        (
            "+15055550142",
            "granted",
            "contact_activation",
            f"user:{member.user_id}",
            CONSENT_WORDING,
        )
    ]
    assert logged[0].source.startswith("request:")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("EMAIL", "not an address"),
        ("EMAIL", "pat@@example.com"),
        ("SMS", "555-0142"),
        ("SMS", "+44 20 7946 0958"),
        ("SMS", "1-800-FLOWERS"),
        ("SMS", "5" * 400),
    ],
)
async def test_values_the_rules_refuse_are_validation_errors(
    kind: str, value: str, adapters: Adapters, store: GatewayStore
) -> None:
    member = await new_member(store)

    answer = await add(adapters, store, member, kind, value)

    assert answer["__typename"] == "ValidationError"
    assert answer["field"] == "value"
    listed = (await ask(adapters, store, CONTACTS, member))["viewer"]["contacts"]
    assert len(listed) == 1  # the login's address only


async def test_the_logins_own_address_is_already_a_contact_and_cannot_be_removed(
    adapters: Adapters, store: GatewayStore
) -> None:
    member = await new_member(store)

    again = await add(adapters, store, member, "EMAIL", member.email.upper())
    listed = (await ask(adapters, store, CONTACTS, member))["viewer"]["contacts"]
    removed = await ask(adapters, store, REMOVE, member, id=listed[0]["id"])

    assert again["__typename"] == "ContactAlreadyAdded"
    assert again["contact"]["id"] == listed[0]["id"]
    assert removed["removeContact"]["__typename"] == "LoginContactNotRemovable"


async def test_adding_a_waiting_contact_again_sends_a_new_code_and_only_it_works(
    adapters: Adapters,
    store: GatewayStore,
    smtp_server: SmtpTestServer,
    sms_stand_in: SmsStandIn,
) -> None:
    member = await new_member(store)
    first = await add(adapters, store, member, "SMS", "505-555-0143")
    async with worker(store, smtp_server, sms_stand_in) as run:
        await run.run()
        second = await execute(
            adapters, store, ADD, member, input={"kind": "SMS", "value": "505 555 0143"}
        )
        await run.run()
        texts = await run.texts_to("+15055550143")
    assert second.data is not None
    assert second.data["addContact"]["contact"]["id"] == first["contact"]["id"]
    assert len(texts) == 2
    old, new = code_in(texts[0]), code_in(texts[1])
    contact_id = first["contact"]["id"]

    if old != new:
        stale = await activate(adapters, store, member, contact_id, old)
        assert stale["__typename"] == "ActivationCodeInvalid"
    fresh = await activate(adapters, store, member, contact_id, new)

    assert fresh["__typename"] == "ContactActivated"


async def test_wrong_codes_are_throttled_per_contact(
    adapters: Adapters,
    store: GatewayStore,
    smtp_server: SmtpTestServer,
    sms_stand_in: SmsStandIn,
) -> None:
    member = await new_member(store)
    added = await add(adapters, store, member, "EMAIL", "throttled@example.com")
    async with worker(store, smtp_server, sms_stand_in) as run:
        await run.run()
        code = code_in(run.emails_to("throttled@example.com")[0])
    wrong = "000000" if code != "000000" else "111111"

    answers = [
        (await activate(adapters, store, member, added["contact"]["id"], wrong))["__typename"]
        for _ in range(6)
    ]
    right = await activate(adapters, store, member, added["contact"]["id"], code)

    assert answers == ["ActivationCodeInvalid"] * 5 + ["ActivationThrottled"]
    assert right["__typename"] == "ActivationThrottled"
    assert right["retryAfterSeconds"] > 0


async def test_a_malformed_code_spends_no_attempt(adapters: Adapters, store: GatewayStore) -> None:
    member = await new_member(store)
    added = await add(adapters, store, member, "EMAIL", "typo@example.com")

    answers = {
        (await activate(adapters, store, member, added["contact"]["id"], typed))["__typename"]
        for typed in ["12345", "1234567", "１２３４５６", "12 345", "abcdef", "", "²²²²²²"] * 2
    }

    assert answers == {"ActivationCodeInvalid"}


async def test_another_logins_contact_reads_as_no_contact(
    adapters: Adapters, store: GatewayStore
) -> None:
    owner, stranger = await new_member(store), await new_member(store)
    added = await add(adapters, store, owner, "EMAIL", "owned@example.com")
    theirs = added["contact"]["id"]

    for contact_id in (theirs, "999999999", "１", "-1", "1" * 40, "abc"):
        tried = await activate(adapters, store, stranger, contact_id, "123456")
        removed = (await ask(adapters, store, REMOVE, stranger, id=contact_id))["removeContact"]
        assert tried == {
            "__typename": "ContactNotFound",
            "contactId": contact_id,
            "message": "No such contact was found.",
        }
        assert removed == {"__typename": "ContactNotFound", "contactId": contact_id}
    listed = (await ask(adapters, store, CONTACTS, owner))["viewer"]["contacts"]
    assert theirs in {c["id"] for c in listed}


async def test_a_removed_contact_is_gone_and_its_queued_code_is_never_sent(
    adapters: Adapters,
    store: GatewayStore,
    smtp_server: SmtpTestServer,
    sms_stand_in: SmsStandIn,
) -> None:
    member = await new_member(store)
    added = await add(adapters, store, member, "EMAIL", "changed-my-mind@example.com")

    removed = await ask(adapters, store, REMOVE, member, id=added["contact"]["id"])
    async with worker(store, smtp_server, sms_stand_in) as run:
        await run.run()
        mails = run.emails_to("changed-my-mind@example.com")

    assert removed["removeContact"] == {
        "__typename": "ContactRemoved",
        "contactId": added["contact"]["id"],
    }
    assert mails == []
    listed = (await ask(adapters, store, CONTACTS, member))["viewer"]["contacts"]
    assert [c["value"] for c in listed] == [member.email]


async def test_signed_out_callers_are_refused(adapters: Adapters, store: GatewayStore) -> None:
    result = await execute(adapters, store, ADD, None, input={"kind": "EMAIL", "value": "a@b.co"})

    assert codes(result) == ["UNAUTHENTICATED"]
