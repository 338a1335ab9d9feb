"""The fake CIS records what it was asked (its answers are held by the contract suite)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.cis.fake import FakeCis, FakeCisData
from adapters.cis.fake_payments import FakePaymentBook
from adapters.cis.payments import PaymentMode, PaymentPosting
from adapters.cis.port import CisNotFound, Meter
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.world import World
from tests.fixtures.cis import CisScenario


async def test_every_question_is_recorded_in_order(world: World, cis_scenario: CisScenario) -> None:
    cis = fake_cis_from_world(world)
    bill = cis_scenario.two_location_bill

    await cis.get_customer(cis_scenario.demo.customer_id)
    await cis.get_bill(bill.account_number, bill.bill_date)
    await cis.find_customers_by_name(first_name="Maria", last_name=None)
    with pytest.raises(CisNotFound):
        await cis.get_balance(cis_scenario.unknown_account)

    assert cis.calls == [
        ("get_customer", (cis_scenario.demo.customer_id,)),
        ("get_bill", (bill.account_number, bill.bill_date)),
        ("find_customers_by_name", ("Maria", None)),
        ("get_balance", (cis_scenario.unknown_account,)),
    ]


async def test_the_due_date_follows_the_payment_terms_setting(
    world: World, cis_scenario: CisScenario
) -> None:
    source = cis_scenario.two_location_bill
    cis = fake_cis_from_world(world, payment_terms_days=25)

    bill = await cis.get_bill(source.account_number, source.bill_date)

    assert (bill.due_date - bill.bill_date).days == 25


def test_a_meter_at_no_known_location_is_refused() -> None:
    stray = Meter("M-1", None, None, None, location_id="L-NOWHERE")

    with pytest.raises(ValueError, match="no known service location"):
        FakeCis.from_data(FakeCisData(meters=(stray,)))


async def test_payments_are_dated_by_the_fakes_clock_and_recorded(
    world: World, cis_scenario: CisScenario
) -> None:
    cis = fake_cis_from_world(world)
    moment = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
    cis.payment_book = FakePaymentBook(clock=lambda: moment)
    account = cis_scenario.two_location_account.account_number
    posting = PaymentPosting(
        financial_transaction_id="pay-1",
        account_number=account,
        amount=Decimal("10.00"),
        authorization_code="A1",
        payment_mode=PaymentMode.CARD,
        masked_method="************4242",
    )

    result = await cis.post_payment(posting)

    assert result.posted_at == moment
    assert (await cis.get_balance(account)).last_payment_date == moment.date()
    assert cis.calls[0] == ("post_payment", (posting,))
    assert cis.payment_book.postings["pay-1"].posting == posting
