"""Notification preferences over GraphQL: SmartHub's defaults (on, to the login's email),
the types an account is offered (prepay or not), each type's settings and their bounds,
and only the viewer's activated contacts."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.notifications.contacts_store import ContactKind
from simulators.world import World
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.notifications.support import contact_of, new_member
from tests.gateway.support import Member, execute

store = store_on_each_backend()

PREFERENCES = """
query($n: String!) { account(number: $n) { __typename ... on Account {
  notificationPreferences {
    type enabled isDefault contacts { id value }
    daysBefore lowBalanceAmount lowBalanceDays outagePhases highUsageKwhPerDay highUsageAmount
  }
} } }
"""
SET = """
mutation($input: SetNotificationPreferenceInput!) { setNotificationPreference(input: $input) {
  __typename
  ... on NotificationPreferenceSet { accountNumber preference {
    type enabled isDefault contacts { id value }
    daysBefore lowBalanceAmount lowBalanceDays outagePhases highUsageKwhPerDay highUsageAmount
  } }
  ... on ValidationError { field message }
  ... on AccountNotFound { number }
} }
"""


@pytest.fixture
def postpaid(world: World) -> str:
    return next(a.account_number for a in world.accounts if not a.is_prepay)


@pytest.fixture
def prepaid(world: World) -> str:
    return next(a.account_number for a in world.accounts if a.is_prepay)


async def read(
    adapters: Adapters, store: GatewayStore, who: Member, number: str
) -> dict[str, dict[str, Any]] | None:
    result = await execute(adapters, store, PREFERENCES, who, n=number)
    assert result.errors is None, result.errors
    assert result.data is not None
    found = result.data["account"]
    if found["__typename"] != "Account":
        return None
    listed = found["notificationPreferences"]
    return None if listed is None else {p["type"]: p for p in listed}


async def choose(
    adapters: Adapters, store: GatewayStore, who: Member, number: str, **given: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, SET, who, input={"accountNumber": number, **given})
    assert result.errors is None, result.errors
    assert result.data is not None
    answer: dict[str, Any] = result.data["setNotificationPreference"]
    return answer


async def test_by_default_every_offered_notification_goes_to_the_logins_email(
    adapters: Adapters, store: GatewayStore, postpaid: str
) -> None:
    member = await new_member(store, postpaid)

    found = await read(adapters, store, member, postpaid)

    assert found is not None
    assert list(found) == [
        "BILL_AVAILABLE",
        "PAYMENT_DUE",
        "PAYMENT_CONFIRMATION",
        "PAYMENT_FAILED",
        "AUTOPAY_UPCOMING",
        "DELINQUENT",
        "CARD_EXPIRING",
        "OUTAGE",
        "HIGH_USAGE",
    ]
    assert all(p["isDefault"] for p in found.values())
    assert {t for t, p in found.items() if not p["enabled"]} == {"HIGH_USAGE"}
    assert all([c["value"] for c in p["contacts"]] == [member.email] for p in found.values())
    assert found["PAYMENT_DUE"]["daysBefore"] == 3
    assert found["OUTAGE"]["outagePhases"] == ["STARTED", "ESTIMATE_CHANGED", "RESTORED"]
    assert found["HIGH_USAGE"]["highUsageKwhPerDay"] == 50
    assert found["BILL_AVAILABLE"]["daysBefore"] is None


async def test_prepay_accounts_get_the_low_credit_warning_and_no_delinquency_notice(
    adapters: Adapters, store: GatewayStore, prepaid: str, postpaid: str
) -> None:
    member = await new_member(store, prepaid, postpaid)

    prepay = await read(adapters, store, member, prepaid)
    delinquent_on_prepay = await choose(
        adapters, store, member, prepaid, type="DELINQUENT", enabled=False
    )
    low_on_postpaid = await choose(
        adapters, store, member, postpaid, type="PREPAY_LOW_BALANCE", enabled=False
    )

    assert prepay is not None
    assert "DELINQUENT" not in prepay
    assert prepay["PREPAY_LOW_BALANCE"]["lowBalanceAmount"] == "20.00"
    for refused in (delinquent_on_prepay, low_on_postpaid):
        assert refused == {
            "__typename": "ValidationError",
            "field": "type",
            "message": "This notification is not offered for this account.",
        }


async def test_a_choice_is_kept_with_its_contacts_and_settings(
    adapters: Adapters, store: GatewayStore, postpaid: str
) -> None:
    member = await new_member(store, postpaid)
    await read(adapters, store, member, postpaid)  # the login's contact is written
    phone = await contact_of(store, member, ContactKind.SMS, "+15055550301")

    answer = await choose(
        adapters,
        store,
        member,
        postpaid,
        type="PAYMENT_DUE",
        contactIds=[str(phone)],
        daysBefore=5,
    )
    found = await read(adapters, store, member, postpaid)

    assert answer["__typename"] == "NotificationPreferenceSet", answer
    assert found is not None
    due = found["PAYMENT_DUE"]
    assert due == answer["preference"]
    assert (due["enabled"], due["isDefault"], due["daysBefore"]) == (True, False, 5)
    assert [c["value"] for c in due["contacts"]] == ["+15055550301"]
    assert found["BILL_AVAILABLE"]["isDefault"] is True  # the others stay as they were


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"type": "PAYMENT_DUE", "daysBefore": 0}, "daysBefore"),
        ({"type": "PAYMENT_DUE", "daysBefore": 11}, "daysBefore"),
        ({"type": "AUTOPAY_UPCOMING", "daysBefore": -3}, "daysBefore"),
        ({"type": "BILL_AVAILABLE", "daysBefore": 3}, "daysBefore"),
        ({"type": "OUTAGE", "highUsageAmount": "5.00"}, "highUsageAmount"),
        ({"type": "OUTAGE", "outagePhases": []}, "outagePhases"),
        ({"type": "HIGH_USAGE", "highUsageKwhPerDay": 0}, "highUsageKwhPerDay"),
        ({"type": "HIGH_USAGE", "highUsageAmount": "0.00"}, "highUsageAmount"),
        (
            {"type": "HIGH_USAGE", "highUsageKwhPerDay": 40, "highUsageAmount": "9.00"},
            "highUsageAmount",
        ),
        ({"type": "BILL_AVAILABLE", "enabled": True, "contactIds": []}, "contactIds"),
        ({"type": "BILL_AVAILABLE", "contactIds": ["１"]}, "contactIds"),
        ({"type": "BILL_AVAILABLE", "contactIds": ["999999999"]}, "contactIds"),
    ],
)
async def test_settings_out_of_bounds_or_of_another_type_are_refused(
    given: dict[str, Any], field: str, adapters: Adapters, store: GatewayStore, postpaid: str
) -> None:
    member = await new_member(store, postpaid)

    answer = await choose(adapters, store, member, postpaid, **given)

    assert answer["__typename"] == "ValidationError"
    assert answer["field"] == field
    found = await read(adapters, store, member, postpaid)
    assert found is not None
    assert all(p["isDefault"] for p in found.values())  # nothing was kept


async def test_only_the_viewers_activated_contacts_may_be_chosen(
    adapters: Adapters, store: GatewayStore, postpaid: str
) -> None:
    member, other = await new_member(store, postpaid), await new_member(store)
    pending = await contact_of(store, member, ContactKind.EMAIL, "p@example.com", activated=False)
    theirs = await contact_of(store, other, ContactKind.EMAIL, "o@example.com")

    answers = [
        await choose(adapters, store, member, postpaid, type="OUTAGE", contactIds=[str(c)])
        for c in (pending, theirs)
    ]

    assert [(a["__typename"], a["field"]) for a in answers] == [
        ("ValidationError", "contactIds")
    ] * 2
    assert answers[0]["message"] == answers[1]["message"]


async def test_a_removed_contact_leaves_every_choice(
    adapters: Adapters, store: GatewayStore, postpaid: str
) -> None:
    member = await new_member(store, postpaid)
    found = await read(adapters, store, member, postpaid)
    assert found is not None
    login = found["OUTAGE"]["contacts"][0]["id"]
    phone = await contact_of(store, member, ContactKind.SMS, "+15055550302")
    await choose(adapters, store, member, postpaid, type="OUTAGE", contactIds=[login, str(phone)])

    removed = await execute(
        adapters,
        store,
        "mutation($i: ID!) { removeContact(input: {contactId: $i}) { __typename } }",
        member,
        i=str(phone),
    )
    after = await read(adapters, store, member, postpaid)

    assert removed.data == {"removeContact": {"__typename": "ContactRemoved"}}
    assert after is not None
    assert [c["id"] for c in after["OUTAGE"]["contacts"]] == [login]


async def test_a_notification_turned_off_needs_no_contact_and_either_or_settings_swap(
    adapters: Adapters, store: GatewayStore, prepaid: str
) -> None:
    member = await new_member(store, prepaid)

    off = await choose(
        adapters, store, member, prepaid, type="BILL_AVAILABLE", enabled=False, contactIds=[]
    )
    by_days = await choose(
        adapters, store, member, prepaid, type="PREPAY_LOW_BALANCE", lowBalanceDays=4
    )

    assert off["preference"]["enabled"] is False
    assert off["preference"]["contacts"] == []
    low = by_days["preference"]
    assert (low["lowBalanceDays"], low["lowBalanceAmount"]) == (4, None)


async def test_staff_and_other_members_choose_nothing_on_an_account(
    adapters: Adapters, store: GatewayStore, postpaid: str
) -> None:
    holder, stranger = await new_member(store, postpaid), await new_member(store)
    staff_id = await add_user(store, role=Role.STAFF)
    staff = Member(staff_id, "desk@example.com", "", Role.STAFF, ())

    staff_reads = await execute(adapters, store, PREFERENCES, staff, n=postpaid)
    stranger_reads = await read(adapters, store, stranger, postpaid)
    tried = [
        await choose(adapters, store, who, postpaid, type="OUTAGE", enabled=False)
        for who in (staff, stranger)
    ]

    assert staff_reads.data is not None
    assert staff_reads.data["account"]["notificationPreferences"] is None
    assert stranger_reads is None  # no such account, as far as they can tell
    assert tried == [{"__typename": "AccountNotFound", "number": postpaid}] * 2
    found = await read(adapters, store, holder, postpaid)
    assert found is not None
    assert found["OUTAGE"]["isDefault"] is True
