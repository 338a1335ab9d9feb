"""The wallet over GraphQL: saved, listed masked with `expired`, made the default,
removed; `payBill(saveMethod: true)` saves the card it paid with."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.payments.fake import FakePaymentProcessor
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from simulators.world import World
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.support import APPROVED_CARD
from tests.gateway.support import Member, execute

store = store_on_each_backend()

ADD = """
mutation Add($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) {
    __typename
    ... on PaymentMethodSaved { paymentMethod { id label nickname last4 isDefault expired } }
    ... on ValidationError { field message }
  }
}
"""
METHODS = """
query { viewer { paymentMethods {
  id kind label nickname brand last4 expMonth expYear bankName isDefault expired
} } }
"""
REMOVE = """
mutation Remove($id: ID!) { removePaymentMethod(input: {id: $id}) {
  __typename ... on PaymentMethodRemoved { id } ... on PaymentMethodNotFound { id }
  ... on PaymentMethodInUse { accountNumbers }
} }
"""
DEFAULT = """
mutation Default($id: ID!) { setDefaultPaymentMethod(input: {id: $id}) {
  __typename ... on PaymentMethodSaved { paymentMethod { id isDefault } }
} }
"""
PAY = """
mutation Pay($input: PayBillInput!) { payBill(input: $input) {
  __typename ... on PaymentAccepted { payment { id method { label } } }
} }
"""


@pytest.fixture(scope="module")
def processor(store: GatewayStore) -> FakePaymentProcessor:
    """One per store: method ids never repeat among the store's logins."""
    return FakePaymentProcessor(start=datetime(2025, 1, 1, tzinfo=UTC))


@pytest.fixture
def wired(adapters: Adapters, processor: FakePaymentProcessor) -> Adapters:
    return dataclasses.replace(adapters, payments=processor)


async def member_of(store: GatewayStore, *accounts: str) -> Member:
    user_id = await add_user(store, account_numbers=accounts)
    return Member(user_id, f"user-{user_id}@example.com", "", Role.MEMBER, accounts)


async def ask(
    adapters: Adapters, store: GatewayStore, query: str, who: Member, **variables: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, query, who, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def test_saved_listed_defaulted_and_removed(
    wired: Adapters, store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    member = await member_of(store)
    # Expired by now: the processor took it when its clock was in 2025.
    old = processor.tokenize_card(APPROVED_CARD, exp_month=1, exp_year=2026)
    bank = processor.tokenize_bank_account("000123456789")

    first = await ask(wired, store, ADD, member, input={"token": old, "nickname": "Old visa"})
    second = await ask(wired, store, ADD, member, input={"token": bank, "makeDefault": True})

    card_id = first["addPaymentMethod"]["paymentMethod"]["id"]
    bank_id = second["addPaymentMethod"]["paymentMethod"]["id"]
    listed = (await ask(wired, store, METHODS, member))["viewer"]["paymentMethods"]
    assert [(m["id"], m["isDefault"], m["expired"]) for m in listed] == [
        (bank_id, True, False),
        (card_id, False, True),
    ]
    assert listed[1]["label"] == "Visa ending 4242"
    assert listed[1]["nickname"] == "Old visa"
    assert listed[0]["kind"] == "BANK_ACCOUNT"
    assert listed[0]["last4"] == "6789"
    assert "000123456789" not in str(listed)

    made = await ask(wired, store, DEFAULT, member, id=card_id)
    assert made["setDefaultPaymentMethod"]["paymentMethod"] == {"id": card_id, "isDefault": True}

    removed = await ask(wired, store, REMOVE, member, id=card_id)
    assert removed["removePaymentMethod"] == {"__typename": "PaymentMethodRemoved", "id": card_id}
    listed = (await ask(wired, store, METHODS, member))["viewer"]["paymentMethods"]
    assert [(m["id"], m["isDefault"]) for m in listed] == [(bank_id, True)]


async def test_another_logins_method_is_not_found(wired: Adapters, store: GatewayStore) -> None:
    owner, stranger = await member_of(store), await member_of(store)
    assert wired.payments is not None
    token = wired.payments.tokenize_card(APPROVED_CARD)  # type: ignore[attr-defined]
    saved = await ask(wired, store, ADD, owner, input={"token": token})
    method_id = saved["addPaymentMethod"]["paymentMethod"]["id"]

    removed = await ask(wired, store, REMOVE, stranger, id=method_id)
    made = await ask(wired, store, DEFAULT, stranger, id=method_id)

    assert removed["removePaymentMethod"]["__typename"] == "PaymentMethodNotFound"
    assert made["setDefaultPaymentMethod"]["__typename"] == "PaymentMethodNotFound"
    assert len((await ask(wired, store, METHODS, owner))["viewer"]["paymentMethods"]) == 1


async def test_a_bad_token_is_a_validation_error(wired: Adapters, store: GatewayStore) -> None:
    member = await member_of(store)

    answer = await ask(wired, store, ADD, member, input={"token": "4242424242424242"})

    assert answer["addPaymentMethod"]["__typename"] == "ValidationError"
    assert answer["addPaymentMethod"]["field"] == "token"


async def test_pay_bill_saves_the_card_when_asked(
    wired: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    number = world.accounts[4].account_number
    member = await member_of(store, number)

    def paying(key: str, save: bool) -> dict[str, Any]:
        return {
            "accountNumber": number,
            "amount": "20.00",
            "method": {"token": processor.tokenize_card(APPROVED_CARD)},
            "idempotencyKey": key,
            "confirmDuplicate": True,
            "saveMethod": save,
        }

    await ask(wired, store, PAY, member, input=paying("not-saved", False))
    paid = await ask(wired, store, PAY, member, input=paying("saved", True))

    assert paid["payBill"]["__typename"] == "PaymentAccepted"
    listed = (await ask(wired, store, METHODS, member))["viewer"]["paymentMethods"]
    assert [(m["label"], m["isDefault"]) for m in listed] == [("Visa ending 4242", True)]
