"""Autopay over GraphQL: enrolled with a saved method, shown on the account with its
next draft, refused a second time, skipped above the maximum, cancelled."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.cis.fake import FakeCis
from adapters.payments.fake import FakePaymentProcessor
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from simulators.world import World
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.autopay.support import balance, saved_card
from tests.gateway.support import Member, execute

store = store_on_each_backend()

ENROLL = """
mutation Enroll($input: EnrollAutopayInput!) { enrollAutopay(input: $input) {
  __typename
  ... on AutopayEnrolled { autopay { ...Shown } }
  ... on AlreadyEnrolledInAutopay { autopay { ...Shown } }
  ... on ValidationError { field }
  ... on AccountNotFound { number }
} }
fragment Shown on Autopay {
  status draftRule daysBeforeDue dayOfMonth maxAmount nextDraftDate nextDraftAmount
  skippedReason method { id label }
}
"""
AUTOPAY = """
query Autopay($number: String!) { account(number: $number) { ... on Account {
  autopay { status draftRule nextDraftDate nextDraftAmount skippedReason maxAmount }
} } }
"""
CANCEL = """
mutation Cancel($number: String!) { cancelAutopay(input: {accountNumber: $number}) {
  __typename
} }
"""


@pytest.fixture(scope="module")
def processor(store: GatewayStore) -> FakePaymentProcessor:
    return FakePaymentProcessor()


@pytest.fixture
def wired(adapters: Adapters, processor: FakePaymentProcessor) -> Adapters:
    return dataclasses.replace(adapters, payments=processor)


async def ask(
    adapters: Adapters, store: GatewayStore, query: str, who: Member, **variables: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, query, who, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def today() -> date:
    return datetime.now(ZoneInfo("America/Denver")).date()


async def test_enrolled_shown_refused_again_and_cancelled(
    wired: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    number = world.accounts[5].account_number
    user_id = await add_user(store, account_numbers=(number,))
    member = Member(user_id, "m@example.com", "", Role.MEMBER, (number,))
    card = await saved_card(store, processor, user_id)
    assert isinstance(wired.cis, FakeCis)
    due = today() + timedelta(days=20)
    wired.cis.balances[number] = balance(number, "97.10", due)
    enrolling = {
        "accountNumber": number,
        "paymentMethodId": card.id,
        "draft": {"rule": "DAYS_BEFORE_DUE", "days": 3},
        "maxAmount": "150.00",
    }

    enrolled = (await ask(wired, store, ENROLL, member, input=enrolling))["enrollAutopay"]

    assert enrolled["__typename"] == "AutopayEnrolled"
    shown = enrolled["autopay"]
    assert (shown["status"], shown["draftRule"], shown["daysBeforeDue"], shown["dayOfMonth"]) == (
        "ACTIVE",
        "DAYS_BEFORE_DUE",
        3,
        None,
    )
    expected_day = max(due - timedelta(days=3), today())
    assert shown["nextDraftDate"] == expected_day.isoformat()
    assert (shown["nextDraftAmount"], shown["maxAmount"]) == ("97.10", "150.00")
    assert shown["skippedReason"] is None
    assert shown["method"] == {"id": card.id, "label": "Visa ending 4242"}

    again = (await ask(wired, store, ENROLL, member, input=enrolling))["enrollAutopay"]
    assert again["__typename"] == "AlreadyEnrolledInAutopay"

    wired.cis.balances[number] = balance(number, "151.00", due)
    over = (await ask(wired, store, AUTOPAY, member, number=number))["account"]["autopay"]
    assert (over["nextDraftDate"], over["nextDraftAmount"]) == (None, None)
    assert "$151.00" in over["skippedReason"]

    cancelled = await ask(wired, store, CANCEL, member, number=number)
    assert cancelled["cancelAutopay"]["__typename"] == "AutopayCancelled"
    assert (await ask(wired, store, AUTOPAY, member, number=number))["account"]["autopay"] is None
    twice = await ask(wired, store, CANCEL, member, number=number)
    assert twice["cancelAutopay"]["__typename"] == "NotEnrolledInAutopay"


async def test_a_rule_out_of_range_is_a_validation_error(
    wired: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    number = world.accounts[6].account_number
    user_id = await add_user(store, account_numbers=(number,))
    member = Member(user_id, "m@example.com", "", Role.MEMBER, (number,))
    card = await saved_card(store, processor, user_id)

    answer = await ask(
        wired,
        store,
        ENROLL,
        member,
        input={
            "accountNumber": number,
            "paymentMethodId": card.id,
            "draft": {"rule": "DAY_OF_MONTH", "dayOfMonth": 31},
        },
    )

    assert answer["enrollAutopay"] == {"__typename": "ValidationError", "field": "draft.dayOfMonth"}


PAY = """
mutation Pay($input: PayBillInput!) { payBill(input: $input) {
  __typename
  ... on AutopayDraftPendingWarning { message draftDate amount }
  ... on PaymentAccepted { payment { amount } }
} }
"""


async def test_paying_by_hand_a_bill_autopay_will_draft_asks_to_confirm(
    wired: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    number = world.accounts[7].account_number
    user_id = await add_user(store, account_numbers=(number,))
    member = Member(user_id, "m@example.com", "", Role.MEMBER, (number,))
    card = await saved_card(store, processor, user_id)
    assert isinstance(wired.cis, FakeCis)
    due = today() + timedelta(days=12)
    wired.cis.balances[number] = balance(number, "64.00", due)
    await ask(
        wired,
        store,
        ENROLL,
        member,
        input={"accountNumber": number, "paymentMethodId": card.id, "draft": {"rule": "DUE_DATE"}},
    )

    def paying(confirm: bool) -> dict[str, Any]:
        return {
            "accountNumber": number,
            "amount": "64.00",
            "method": {"savedMethodId": card.id},
            "idempotencyKey": f"by-hand-{confirm}",
            "confirmDuplicate": confirm,
        }

    warned = (await ask(wired, store, PAY, member, input=paying(False)))["payBill"]
    paid = (await ask(wired, store, PAY, member, input=paying(True)))["payBill"]

    assert warned == {
        "__typename": "AutopayDraftPendingWarning",
        "message": "Autopay will pay this bill.",
        "draftDate": due.isoformat(),
        "amount": "64.00",
    }
    assert paid == {"__typename": "PaymentAccepted", "payment": {"amount": "64.00"}}
