"""payBill(scheduledFor:) and cancelScheduledPayment over GraphQL, against the fakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.payments import sandbox
from adapters.payments.fake import FakePaymentProcessor
from gateway.core.backends import Adapters
from gateway.core.clock import utc_now
from gateway.core.store.gateway_store import GatewayStore
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.payments.test_schema import payer
from tests.gateway.support import ZONE, execute

store = store_on_each_backend()

CANCEL = """
mutation Cancel($input: CancelScheduledPaymentInput!) {
  cancelScheduledPayment(input: $input) {
    __typename
    ... on ScheduledPaymentCancelled { payment { id status scheduledFor } }
    ... on PaymentNotCancellable { message payment { id status } }
    ... on PaymentNotFound { paymentId }
  }
}
"""
SCHEDULED = """
mutation Pay($input: PayBillInput!) { payBill(input: $input) {
  __typename ... on PaymentAccepted { payment { id status scheduledFor } }
  ... on ValidationError { field message } } }
"""


async def run(adapters: Adapters, store: GatewayStore, who: Any, query: str, **v: Any) -> Any:
    result = await execute(adapters, store, query, who, **v)
    assert result.errors is None, result.errors
    return result.data


async def test_a_scheduled_payment_is_cancelled_by_its_payer_only(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    processor = adapters.payments
    assert isinstance(processor, FakePaymentProcessor)
    member = await payer(store, world, account=6)
    stranger = await payer(store, world, account=7)
    tomorrow = (utc_now().astimezone(ZONE) + timedelta(days=1)).date().isoformat()
    paid = await run(
        adapters,
        store,
        member,
        SCHEDULED,
        input={
            "accountNumber": member.account_numbers[0],
            "amount": "30.00",
            "method": {"token": processor.tokenize_card(sandbox.APPROVED_CARD)},
            "idempotencyKey": "sched-1",
            "confirmDuplicate": True,
            "scheduledFor": tomorrow,
        },
    )
    payment = paid["payBill"]["payment"]
    assert (payment["status"], payment["scheduledFor"]) == ("SCHEDULED", tomorrow)

    theirs = await run(adapters, store, stranger, CANCEL, input={"paymentId": payment["id"]})
    assert theirs["cancelScheduledPayment"] == {
        "__typename": "PaymentNotFound",
        "paymentId": payment["id"],
    }
    mine = await run(adapters, store, member, CANCEL, input={"paymentId": payment["id"]})
    assert mine["cancelScheduledPayment"]["__typename"] == "ScheduledPaymentCancelled"
    assert mine["cancelScheduledPayment"]["payment"]["status"] == "CANCELLED"
    again = await run(adapters, store, member, CANCEL, input={"paymentId": payment["id"]})
    assert again["cancelScheduledPayment"]["__typename"] == "PaymentNotCancellable"


async def test_a_day_in_the_past_is_refused(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    processor = adapters.payments
    assert isinstance(processor, FakePaymentProcessor)
    member = await payer(store, world, account=6)
    yesterday = (utc_now().astimezone(ZONE) - timedelta(days=1)).date().isoformat()
    paid = await run(
        adapters,
        store,
        member,
        SCHEDULED,
        input={
            "accountNumber": member.account_numbers[0],
            "amount": "30.00",
            "method": {"token": processor.tokenize_card(sandbox.APPROVED_CARD)},
            "idempotencyKey": "sched-past",
            "confirmDuplicate": True,
            "scheduledFor": yesterday,
        },
    )
    assert paid["payBill"]["__typename"] == "ValidationError"
    assert paid["payBill"]["field"] == "scheduledFor"


async def test_cancelling_needs_a_sign_in(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    result = await execute(adapters, store, CANCEL, None, input={"paymentId": "pay_x"})
    assert result.errors is not None
    assert result.data is None or result.data.get("cancelScheduledPayment") is None
