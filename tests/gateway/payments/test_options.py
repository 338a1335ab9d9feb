"""Account.paymentOptions, and payBill keeping to the same rules: bounds, methods, fees."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from adapters.cis.fake import FakeCis
from adapters.cis.port import Balance
from adapters.payments import sandbox
from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.port import MethodKind
from gateway.core.backends import Adapters
from gateway.core.payment_rules import ConvenienceFee, PaymentRules
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.payments.options import payment_options
from gateway.schema import schema
from simulators.world import World
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.test_schema import PAY, run_worker_step
from tests.gateway.support import Member, context_for

store = store_on_each_backend()

RULES = PaymentRules(
    min_amount=Decimal("5.00"),
    max_amount=Decimal("500.00"),
    methods=(MethodKind.CARD, MethodKind.BANK_ACCOUNT),
    fees={
        MethodKind.CARD: ConvenienceFee(flat=Decimal("1.50"), percent=Decimal("2.5")),
        MethodKind.BANK_ACCOUNT: ConvenienceFee(flat=Decimal("0.25")),
    },
)
CARDS_ONLY = PaymentRules(methods=(MethodKind.CARD,))
TODAY = date(2026, 12, 3)

OPTIONS = """
query Options($number: String!) { account(number: $number) { ... on Account {
  paymentOptions { amountDue minimumAmount maximumAmount latestScheduledDate
    methods { kind flatFee percentFee feeOnAmountDue } } } } }
"""


def balance(due: str) -> Balance:
    return Balance(
        account_number="A1",
        current_amount=Decimal(due),
        past_due_amount=Decimal("0.00"),
        due_date=date(2026, 12, 20),
        last_payment_amount=None,
        last_payment_date=None,
        disconnect_date=None,
    )


def test_a_fee_is_flat_plus_percent_rounded_half_up_to_cents() -> None:
    card = ConvenienceFee(flat=Decimal("1.50"), percent=Decimal("2.5"))
    assert card.on(Decimal("100.00")) == Decimal("4.00")
    assert card.on(Decimal("84.50")) == Decimal("3.61")  # 1.50 + 2.1125
    assert card.on(Decimal("0.10")) == Decimal("1.50")  # 1.5025
    assert ConvenienceFee().on(Decimal("84.50")) == Decimal("0.00")
    with pytest.raises(ValueError, match="zero or more"):
        ConvenienceFee(flat=Decimal("-1"))


def test_the_rules_refuse_a_minimum_above_the_maximum() -> None:
    with pytest.raises(ValueError, match="minimum"):
        PaymentRules(min_amount=Decimal("20.00"), max_amount=Decimal("10.00"))


def test_options_show_the_amount_due_and_each_methods_fee_on_it() -> None:
    options = payment_options(balance=balance("84.50"), rules=RULES, today=TODAY)
    assert options.amount_due == Decimal("84.50")
    assert (options.min_amount, options.max_amount) == (Decimal("5.00"), Decimal("500.00"))
    assert [(m.kind, m.fee_on_amount_due) for m in options.methods] == [
        (MethodKind.CARD, Decimal("3.61")),
        (MethodKind.BANK_ACCOUNT, Decimal("0.25")),
    ]
    assert options.latest_scheduled_date == date(2027, 1, 2)  # 30 days ahead by default
    nothing_due = payment_options(balance=balance("0.00"), rules=RULES, today=TODAY)
    assert [m.fee_on_amount_due for m in nothing_due.methods] == [None, None]


async def payer(store: GatewayStore, world: World, account: int) -> Member:
    number = world.accounts[account].account_number
    user_id = await add_user(store, account_numbers=(number,))
    return Member(user_id, f"user-{user_id}@example.com", "", Role.MEMBER, (number,))


async def run(
    adapters: Adapters,
    store: GatewayStore,
    member: Member,
    query: str,
    rules: PaymentRules,
    **variables: Any,
) -> dict[str, Any]:
    context = replace(context_for(adapters, store, member), payment_rules=rules)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def pay_input(member: Member, token: str, amount: str, key: str) -> dict[str, Any]:
    return {
        "accountNumber": member.account_numbers[0],
        "amount": amount,
        "method": {"token": token},
        "idempotencyKey": key,
        "confirmDuplicate": True,
    }


async def test_payment_options_over_graphql(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    member = await payer(store, world, account=4)
    number = member.account_numbers[0]
    assert isinstance(adapters.cis, FakeCis)
    due = (await adapters.cis.get_balance(number)).amount_due

    data = await run(adapters, store, member, OPTIONS, RULES, number=number)

    options = data["account"]["paymentOptions"]
    assert options["amountDue"] == str(due)
    assert (options["minimumAmount"], options["maximumAmount"]) == ("5.00", "500.00")
    card, bank = options["methods"]
    assert (card["kind"], card["flatFee"], card["percentFee"]) == ("CARD", "1.50", "2.5")
    expected = str(RULES.fee(MethodKind.CARD, due)) if due > 0 else None
    assert card["feeOnAmountDue"] == expected
    assert (bank["kind"], bank["flatFee"], bank["percentFee"]) == ("BANK_ACCOUNT", "0.25", "0")


async def test_pay_bill_charges_the_fee_and_posts_it_to_the_cis_as_the_convenience_fee(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    processor = adapters.payments
    assert isinstance(processor, FakePaymentProcessor)
    member = await payer(store, world, account=5)
    token = processor.tokenize_card(sandbox.APPROVED_CARD)

    data = await run(
        adapters, store, member, PAY, RULES, input=pay_input(member, token, "84.50", "fee-1")
    )

    payment = data["payBill"]["payment"]
    assert (payment["amount"], payment["fee"], payment["total"]) == ("84.50", "3.61", "88.11")
    await run_worker_step(adapters, store, payment["id"])
    charge = await processor.find_charge(payment["id"])
    assert charge is not None
    assert charge.amount == Decimal("88.11")  # the member is charged the total
    assert isinstance(adapters.cis, FakeCis)
    posting = adapters.cis.payment_book.postings[payment["id"]].posting
    # The account is credited the amount; the fee travels beside it, never on the bill.
    assert (posting.amount, posting.convenience_fee, posting.total) == (
        Decimal("84.50"),
        Decimal("3.61"),
        Decimal("88.11"),
    )


async def test_pay_bill_refuses_amounts_outside_the_bounds_before_charging(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    processor = adapters.payments
    assert isinstance(processor, FakePaymentProcessor)
    member = await payer(store, world, account=5)
    for amount, key, message in (
        ("4.99", "low", "at least $5.00"),
        ("500.01", "high", "at most $500.00"),
    ):
        token = processor.tokenize_card(sandbox.APPROVED_CARD)
        data = await run(
            adapters, store, member, PAY, RULES, input=pay_input(member, token, amount, key)
        )
        answer = data["payBill"]
        assert (answer["__typename"], answer["field"]) == ("ValidationError", "amount")
        assert message in answer["message"]
        # Refused before the token was spent: the member can correct and pay with it.
        method = await processor.create_payment_method(token=token, customer_ref="check")
        assert method.last4 == "4242"


async def test_pay_bill_refuses_a_method_the_co_op_does_not_take(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    processor = adapters.payments
    assert isinstance(processor, FakePaymentProcessor)
    member = await payer(store, world, account=5)
    token = processor.tokenize_bank_account(sandbox.SETTLING_ACCOUNT)

    data = await run(
        adapters, store, member, PAY, CARDS_ONLY, input=pay_input(member, token, "20.00", "ach")
    )

    answer = data["payBill"]
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "method")
    assert "bank account" in answer["message"]
