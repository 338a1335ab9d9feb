"""The projected bill of the open period: use so far from the meter store's reads,
the rest from the load model, priced like the latest bill, with a range around it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from gateway.core.backends import Adapters
from gateway.documents.projection import next_bill_date, projected_bill
from simulators.world import World
from tests.fixtures.world import TEST_AS_OF
from tests.gateway.conftest import Members
from tests.gateway.documents.conftest import DocumentsGateway
from tests.gateway.support import loaders_for

QUERY = """query ($n: String!) { account(number: $n) { ... on Account {
  projectedBill { periodStart periodEnd expectedBillDate computedOn daysWithReads
    daysRemaining kwhSoFar kwh kwhLow kwhHigh amount amountLow amountHigh confidence }
  bills(first: 1) { edges { node { billDate servicePeriod { end } } } } } } }"""


def test_the_next_bill_is_on_the_next_months_cycle_day() -> None:
    assert next_bill_date(date(2026, 10, 26), 26) == date(2026, 11, 26)
    assert next_bill_date(date(2026, 12, 31), 31) == date(2027, 1, 31)
    assert next_bill_date(date(2027, 1, 31), 31) == date(2027, 2, 28)


async def test_the_open_period_is_its_reads_so_far_and_a_range_for_the_rest(
    world: World, adapters: Adapters, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    latest = max((b for b in world.bills if b.account_number == number), key=lambda b: b.bill_date)
    meters = [m for loc in world.locations if loc.account_number == number for m in loc.meter_nos]

    found = await projected_bill(
        loaders=loaders_for(adapters), account_number=number, today=TEST_AS_OF
    )

    start = latest.period_end + timedelta(days=1)
    assert (found.period_start, found.computed_on) == (start, TEST_AS_OF)
    assert found.expected_bill_date.day == latest.bill_date.day
    assert found.period_end == found.expected_bill_date - (latest.bill_date - latest.period_end)
    # The store's reads end the day before the world's "today".
    known = [start + timedelta(days=i) for i in range((TEST_AS_OF - start).days)]
    assert found.days_with_reads == len(known)
    assert found.days_remaining == (found.period_end - start).days + 1 - len(known)
    so_far = sum(
        world.daily_kwh[m][(day - world.usage_start).days] for m in meters for day in known
    )
    assert abs(found.kwh_so_far - so_far) < 0.01
    assert found.kwh_so_far < found.kwh_low <= found.kwh <= found.kwh_high
    assert found.amount_low < found.amount < found.amount_high
    # A month of this home's use costs about what its recent bills did.
    recent = [b.amount for b in world.bills if b.account_number == number][-3:]
    assert min(recent) / 2 < found.amount < max(recent) * 2
    assert found.confidence == 0.9


async def test_graphql_projects_the_period_after_the_latest_bill(
    documents: DocumentsGateway, members: Members
) -> None:
    data = await documents.ok(QUERY, documents.member_token, n=members.demo.account_numbers[0])

    account = data["account"]
    found = account["projectedBill"]
    latest_end = date.fromisoformat(account["bills"]["edges"][0]["node"]["servicePeriod"]["end"])
    assert found["periodStart"] == (latest_end + timedelta(days=1)).isoformat()
    assert Decimal(found["amountLow"]) <= Decimal(found["amount"]) <= Decimal(found["amountHigh"])
    assert found["kwhLow"] <= found["kwh"] <= found["kwhHigh"]
    assert found["daysWithReads"] > 0
    assert date.fromisoformat(found["computedOn"]) >= TEST_AS_OF
