"""account.prepay over GraphQL, against the fakes: null for a postpaid account; for a
prepay account the CIS's credit, the last 30 days' kWh per day at the latest bill's
charges per kWh, and the whole days the credit lasts; with the meter store down only
the cost and the days are lost."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from strawberry.types import ExecutionResult

from adapters.cis.fake import FakeCis
from adapters.cis.soap import SoapCis
from adapters.meters.fake import FakeMeterData
from adapters.payments.fake import FakePaymentProcessor
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.payments import prepay_schema
from gateway.schema import schema
from simulators.soap import MultiSpeakCredentials
from simulators.world import World, WorldAccount
from tests.fixtures.cis import cis_endpoint_for
from tests.gateway.conftest import Members
from tests.gateway.core.store.databases import add_user
from tests.gateway.payments.support import APPROVED_CARD
from tests.gateway.payments.test_schema import pay, pay_input, run_worker_step
from tests.gateway.support import Member, context_for

PREPAY = """
query Prepay($number: String!) { account(number: $number) { ... on Account {
  prepay { balance averageDailyCost daysRemaining }
} } }
"""


def prepay_account(world: World) -> WorldAccount:
    return next(a for a in world.accounts if a.is_prepay)


def expected_daily_cost(world: World, account: WorldAccount) -> Decimal:
    """Worked out from the demo co-op's own records, not through the gateway."""
    meters = [
        m
        for loc in world.locations
        if loc.account_number == account.account_number
        for m in loc.meter_nos
    ]
    first = (world.as_of - timedelta(days=30) - world.usage_start).days
    kwh = sum(
        (Decimal(str(world.daily_kwh[m][first + i])) for m in meters for i in range(30)),
        Decimal(0),
    )
    latest = max(
        (b for b in world.bills if b.account_number == account.account_number),
        key=lambda b: b.bill_date,
    )
    charges = sum((c.amount for c in latest.charges), Decimal(0))
    rate = charges / sum((u.kwh for u in latest.usage), Decimal(0))
    return (kwh / 30 * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.fixture(autouse=True)
def on_the_demo_coops_today(monkeypatch: pytest.MonkeyPatch, world: World) -> None:
    noon = datetime.combine(world.as_of, datetime.min.time(), tzinfo=UTC) + timedelta(hours=19)
    monkeypatch.setattr(prepay_schema, "utc_now", lambda: noon)


async def ask(adapters: Adapters, store: GatewayStore, who: Member, number: str) -> ExecutionResult:
    context = context_for(adapters, store, who)
    return await schema.execute(PREPAY, variable_values={"number": number}, context_value=context)


async def holder(store: GatewayStore, number: str) -> Member:
    user_id = await add_user(store, account_numbers=(number,))
    return Member(user_id, "p@example.com", "", Role.MEMBER, (number,))


def with_credit(cis: FakeCis, number: str, credit: str) -> None:
    cis.balances[number] = dataclasses.replace(
        cis.balances[number], current_amount=-Decimal(credit), past_due_amount=Decimal("0.00")
    )


async def test_a_postpaid_account_has_no_prepay(
    adapters: Adapters, gateway_store: GatewayStore, members: Members, world: World
) -> None:
    prepaid = {a.account_number for a in world.accounts if a.is_prepay}
    number = next(n for n in members.demo.account_numbers if n not in prepaid)

    result = await ask(adapters, gateway_store, members.demo, number)

    assert result.errors is None, result.errors
    assert result.data == {"account": {"prepay": None}}


async def test_a_prepay_accounts_credit_cost_and_days_left(
    adapters: Adapters, gateway_store: GatewayStore, world: World
) -> None:
    assert isinstance(adapters.cis, FakeCis)
    account = prepay_account(world)
    cost = expected_daily_cost(world, account)
    credit = cost * 7 + Decimal("0.01")  # a cent over a week
    with_credit(adapters.cis, account.account_number, str(credit))

    result = await ask(
        adapters,
        gateway_store,
        await holder(gateway_store, account.account_number),
        account.account_number,
    )

    assert result.errors is None, result.errors
    assert result.data is not None
    assert result.data["account"]["prepay"] == {
        "balance": str(credit),
        "averageDailyCost": str(cost),
        "daysRemaining": 7,
    }
    assert cost > 0


async def test_a_used_up_credit_has_no_days_left(
    adapters: Adapters, gateway_store: GatewayStore, world: World
) -> None:
    assert isinstance(adapters.cis, FakeCis)
    account = prepay_account(world)
    with_credit(adapters.cis, account.account_number, "-3.00")

    result = await ask(
        adapters,
        gateway_store,
        await holder(gateway_store, account.account_number),
        account.account_number,
    )

    assert result.data is not None
    prepay = result.data["account"]["prepay"]
    assert (prepay["balance"], prepay["daysRemaining"]) == ("-3.00", 0)


async def test_the_meter_store_down_costs_only_the_cost_and_the_days(
    adapters: Adapters, gateway_store: GatewayStore, world: World
) -> None:
    assert isinstance(adapters.cis, FakeCis)
    account = prepay_account(world)
    with_credit(adapters.cis, account.account_number, "25.00")
    assert isinstance(adapters.meters, FakeMeterData)
    adapters.meters.unavailable = True

    result = await ask(
        adapters,
        gateway_store,
        await holder(gateway_store, account.account_number),
        account.account_number,
    )

    assert result.data == {
        "account": {"prepay": {"balance": "25.00", "averageDailyCost": None, "daysRemaining": None}}
    }
    assert result.errors is not None
    assert sorted(tuple(e.path or ()) for e in result.errors) == [
        ("account", "prepay", "averageDailyCost"),
        ("account", "prepay", "daysRemaining"),
    ]


async def test_a_top_up_through_pay_bill_adds_to_the_credit(
    adapters: Adapters, gateway_store: GatewayStore, world: World
) -> None:
    assert isinstance(adapters.cis, FakeCis)
    assert isinstance(adapters.payments, FakePaymentProcessor)
    account = prepay_account(world)
    with_credit(adapters.cis, account.account_number, "5.00")
    member = await holder(gateway_store, account.account_number)
    token = adapters.payments.tokenize_card(APPROVED_CARD)

    paid = await pay(
        adapters, gateway_store, member, **pay_input(member, token, amount="20.00", key="top-up")
    )
    await run_worker_step(adapters, gateway_store, paid["payment"]["id"])
    result = await ask(adapters, gateway_store, member, account.account_number)

    assert paid["__typename"] == "PaymentAccepted"
    assert result.data is not None
    assert result.data["account"]["prepay"]["balance"] == "25.00"


async def test_the_credit_comes_from_the_cis_stand_in_over_soap(
    adapters: Adapters,
    gateway_store: GatewayStore,
    world: World,
    cis_url: str,
    cis_credentials: MultiSpeakCredentials,
) -> None:
    account = prepay_account(world)
    owed = next(b for b in world.balances if b.account_number == account.account_number)
    cis = await SoapCis.create(endpoint=cis_endpoint_for(cis_url, cis_credentials))
    try:
        soap = dataclasses.replace(adapters, cis=cis, cis_payments=cis)
        member = await holder(gateway_store, account.account_number)
        result = await ask(soap, gateway_store, member, account.account_number)
    finally:
        await cis.aclose()

    assert result.errors is None, result.errors
    assert result.data is not None
    prepay = result.data["account"]["prepay"]
    credit = -(owed.current_amount + owed.past_due_amount)
    assert Decimal(prepay["balance"]) == credit
    assert prepay["averageDailyCost"] == str(expected_daily_cost(world, account))
