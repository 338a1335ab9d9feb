"""Bills (a cursor connection found from the billing cycle) and the balance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.support import codes, execute

BILLS = """
query ($number: String!, $first: Int, $after: String) {
  account(number: $number) {
    ... on Account {
      bills(first: $first, after: $after) {
        edges {
          cursor
          node {
            billDate dueDate amount kwh priorBalance paymentsReceived balanceAfterBilling
            servicePeriod { start end }
            lineItems { description amount serviceLocationId }
            lineItemsByLocation {
              serviceLocationId amount lineItems { description amount serviceLocationId }
            }
            usage { meterNo serviceLocationId previousReading presentReading kwh }
          }
        }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
}
"""


async def bills_page(
    adapters: Adapters, store: GatewayStore, members: Members, **variables: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, BILLS, members.demo, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    bills: dict[str, Any] = result.data["account"]["bills"]
    return bills


async def test_bills_page_newest_first_until_the_history_ends(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    expected = sorted(
        (b for b in world.bills if b.account_number == number),
        key=lambda b: b.bill_date,
        reverse=True,
    )
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = await bills_page(
            adapters, gateway_store, members, number=number, first=10, after=after
        )
        pages += 1
        seen += [edge["cursor"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == [b.bill_date.isoformat() for b in expected]


async def test_a_bill_has_money_as_strings_and_its_lines_and_reads(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    latest = max((b for b in world.bills if b.account_number == number), key=lambda b: b.bill_date)
    page = await bills_page(adapters, gateway_store, members, number=number, first=1)
    node = page["edges"][0]["node"]
    assert node["billDate"] == latest.bill_date.isoformat()
    assert node["amount"] == str(latest.amount)
    assert node["balanceAfterBilling"] == str(latest.balance_after_billing)
    assert node["servicePeriod"] == {
        "start": latest.period_start.isoformat(),
        "end": latest.period_end.isoformat(),
    }
    assert [line["amount"] for line in node["lineItems"]] != []
    assert sorted(line["amount"] for line in node["lineItems"]) == sorted(
        str(line.amount) for line in latest.charges
    )
    assert node["kwh"] == float(latest.kwh)
    assert {u["meterNo"] for u in node["usage"]} == {u.meter_no for u in latest.usage}
    assert page["pageInfo"]["startCursor"] == page["pageInfo"]["endCursor"] == node["billDate"]


async def test_a_bills_lines_are_grouped_per_service_location_with_the_accounts_own_last(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    latest = max((b for b in world.bills if b.account_number == number), key=lambda b: b.bill_date)
    billed = list(dict.fromkeys(u.location_id for u in latest.usage))
    assert len(billed) == 2  # the demo home and its well and shop

    page = await bills_page(adapters, gateway_store, members, number=number, first=1)

    node = page["edges"][0]["node"]
    groups = node["lineItemsByLocation"]
    assert [g["serviceLocationId"] for g in groups] == [*billed, None]
    for group in groups:
        expected = [c for c in latest.charges if c.location_id == group["serviceLocationId"]]
        assert [(line["description"], line["amount"]) for line in group["lineItems"]] == [
            (c.description, str(c.amount)) for c in expected
        ]
        assert {line["serviceLocationId"] for line in group["lineItems"]} == {
            group["serviceLocationId"]
        }
        assert group["amount"] == str(sum(c.amount for c in expected))
    assert sum(Decimal(g["amount"]) for g in groups) == Decimal(node["amount"])
    assert [line for g in groups for line in g["lineItems"]] == node["lineItems"]


async def test_bad_paging_arguments_are_bad_input(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    for variables in ({"first": 37}, {"first": -1}, {"after": "not-a-date"}):
        result = await execute(
            adapters, gateway_store, BILLS, members.demo, number=number, **variables
        )
        assert result.data == {"account": {"bills": None}}
        assert codes(result) == ["BAD_USER_INPUT"]


async def test_balance_of_a_past_due_account(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    owing = next(b for b in world.balances if b.past_due_amount > 0)
    query = """query ($n: String!) { account(number: $n) { ... on Account { balance {
        amountDue currentAmount pastDueAmount dueDate isPastDue disconnectDate
        lastPayment { amount date } } } } }"""
    result = await execute(adapters, gateway_store, query, members.staff, n=owing.account_number)
    assert result.errors is None
    assert result.data is not None
    balance = result.data["account"]["balance"]
    assert balance["amountDue"] == str(owing.current_amount + owing.past_due_amount)
    assert balance["pastDueAmount"] == str(owing.past_due_amount)
    assert balance["isPastDue"] is True
    if owing.last_payment_amount is not None:
        assert balance["lastPayment"]["amount"] == str(owing.last_payment_amount)
