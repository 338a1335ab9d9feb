"""payBill and Account.payments over GraphQL, against the fakes."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.payments.fake import FakePaymentProcessor
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.payments.processing import process_payment
from simulators.world import World
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.support import APPROVED_CARD, DECLINED_CARD
from tests.gateway.support import Member, execute

store = store_on_each_backend()

PAY = """
mutation Pay($input: PayBillInput!) {
  payBill(input: $input) {
    __typename
    ... on PaymentAccepted { payment { ...Paid } }
    ... on PaymentDeclined { reason payment { ...Paid } }
    ... on DuplicatePaymentWarning { message recentPayment { id amount status } }
    ... on ValidationError { field message }
    ... on AccountNotFound { number }
  }
}
fragment Paid on AccountPayment {
  id accountNumber amount fee total status confirmationNumber postedAt declineReason
  method { kind label last4 }
}
"""

PAYMENTS = """
query Payments($number: String!, $first: Int!, $after: String) {
  account(number: $number) {
    ... on Account {
      payments(first: $first, after: $after) {
        edges { cursor node { id amount status confirmationNumber method { label } } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }
  }
}
"""


@pytest.fixture
def processor(adapters: Adapters) -> FakePaymentProcessor:
    assert isinstance(adapters.payments, FakePaymentProcessor)
    return adapters.payments


async def payer(store: GatewayStore, world: World, account: int = 2) -> Member:
    """A member holding the world's `account`-th account (tests that list an account's
    payments take one of their own: the module's store keeps every test's payments)."""
    number = world.accounts[account].account_number
    user_id = await add_user(store, account_numbers=(number,))
    return Member(user_id, f"user-{user_id}@example.com", "", Role.MEMBER, (number,))


def pay_input(
    member: Member, token: str, *, amount: str = "55.25", key: str = "k-1"
) -> dict[str, Any]:
    return {
        "accountNumber": member.account_numbers[0],
        "amount": amount,
        "method": {"token": token},
        "idempotencyKey": key,
        # The tests of other rules pay one account many times.
        "confirmDuplicate": True,
    }


async def pay(
    adapters: Adapters, store: GatewayStore, member: Member, **input: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, PAY, member, input=input)
    assert result.errors is None, result.errors
    assert result.data is not None
    answer: dict[str, Any] = result.data["payBill"]
    return answer


async def run_worker_step(adapters: Adapters, store: GatewayStore, payment_id: str) -> None:
    assert adapters.payments is not None
    assert adapters.cis_payments is not None

    async def forget(account_number: str) -> None:
        return None

    await process_payment(
        store=store,
        processor=adapters.payments,
        cis=adapters.cis_payments,
        forget_balance=forget,
        payment_id=payment_id,
        last_attempt=False,
    )


async def test_a_paid_bill_is_accepted_then_listed_posted(
    adapters: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    member = await payer(store, world, account=3)
    token = processor.tokenize_card(APPROVED_CARD)

    answer = await pay(adapters, store, member, **pay_input(member, token))

    assert answer["__typename"] == "PaymentAccepted"
    payment = answer["payment"]
    assert (payment["amount"], payment["fee"], payment["total"]) == ("55.25", "0.00", "55.25")
    assert payment["status"] == "PROCESSING"
    assert payment["method"] == {"kind": "CARD", "label": "Visa ending 4242", "last4": "4242"}
    assert payment["confirmationNumber"] is None

    await run_worker_step(adapters, store, payment["id"])
    listed = await execute(
        adapters, store, PAYMENTS, member, number=member.account_numbers[0], first=5
    )

    assert listed.errors is None
    assert listed.data is not None
    [edge] = listed.data["account"]["payments"]["edges"]
    assert edge["node"]["id"] == payment["id"]
    assert edge["node"]["status"] == "POSTED"
    assert edge["node"]["confirmationNumber"]


async def test_the_same_key_answers_the_first_payment(
    adapters: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    member = await payer(store, world)
    first = await pay(
        adapters, store, member, **pay_input(member, processor.tokenize_card(APPROVED_CARD))
    )
    again = await pay(
        adapters, store, member, **pay_input(member, processor.tokenize_card(APPROVED_CARD))
    )

    assert again == first


async def test_a_repeat_of_a_declined_payment_answers_declined_with_the_reason(
    adapters: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    member = await payer(store, world)
    first = await pay(
        adapters, store, member, **pay_input(member, processor.tokenize_card(DECLINED_CARD))
    )
    await run_worker_step(adapters, store, first["payment"]["id"])

    again = await pay(
        adapters, store, member, **pay_input(member, processor.tokenize_card(DECLINED_CARD))
    )

    assert again["__typename"] == "PaymentDeclined"
    assert again["payment"]["status"] == "DECLINED"
    assert again["reason"] == again["payment"]["declineReason"]
    assert "declined" in again["reason"].lower()


async def test_validation_errors_name_the_input_field(
    adapters: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    member = await payer(store, world)
    answer = await pay(
        adapters,
        store,
        member,
        **pay_input(member, processor.tokenize_card(APPROVED_CARD), amount="0.00"),
    )

    assert answer == {
        "__typename": "ValidationError",
        "field": "amount",
        "message": "Enter an amount above zero.",
    }


async def test_payments_page_newest_first(
    adapters: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    member = await payer(store, world, account=4)
    ids = []
    for n in range(3):
        answer = await pay(
            adapters,
            store,
            member,
            **pay_input(member, processor.tokenize_card(APPROVED_CARD), key=f"page-{n}"),
        )
        ids.append(answer["payment"]["id"])
    number = member.account_numbers[0]

    first = await execute(adapters, store, PAYMENTS, member, number=number, first=2)
    assert first.data is not None
    page = first.data["account"]["payments"]
    after = page["pageInfo"]["endCursor"]
    rest = await execute(adapters, store, PAYMENTS, member, number=number, first=2, after=after)
    assert rest.data is not None
    last = rest.data["account"]["payments"]

    seen = [e["node"]["id"] for e in page["edges"] + last["edges"]]
    assert seen == list(reversed(ids))
    assert page["pageInfo"]["hasNextPage"] is True
    assert last["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": ids[0],
    }


async def test_a_processor_that_is_down_fails_the_payment_before_anything_is_written(
    adapters: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    member = await payer(store, world, account=5)
    token = processor.tokenize_card(APPROVED_CARD)
    processor.down = True

    result = await execute(adapters, store, PAY, member, input=pay_input(member, token))

    assert result.data is None
    assert [(e.message, (e.extensions or {}).get("code")) for e in result.errors or ()] == [
        ("The payment processor is not available right now.", "BACKEND_UNAVAILABLE")
    ]
    listed = await execute(
        adapters, store, PAYMENTS, member, number=member.account_numbers[0], first=5
    )
    assert listed.data is not None
    assert listed.data["account"]["payments"]["edges"] == []


async def test_a_second_payment_soon_after_another_is_a_warning_until_confirmed(
    adapters: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> None:
    member = await payer(store, world, account=6)
    first = await pay(
        adapters,
        store,
        member,
        **pay_input(member, processor.tokenize_card(APPROVED_CARD), key="first"),
    )
    token = processor.tokenize_card(APPROVED_CARD)
    unconfirmed = pay_input(member, token, key="second") | {"confirmDuplicate": False}

    warned = await pay(adapters, store, member, **unconfirmed)
    confirmed = await pay(adapters, store, member, **unconfirmed | {"confirmDuplicate": True})

    assert warned == {
        "__typename": "DuplicatePaymentWarning",
        "message": "A payment to this account was made in the last few days.",
        "recentPayment": {"id": first["payment"]["id"], "amount": "55.25", "status": "PROCESSING"},
    }
    assert confirmed["__typename"] == "PaymentAccepted"
    assert confirmed["payment"]["id"] != first["payment"]["id"]
