"""Staff search: what each kind of query finds, the order and pages, and who may search."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from simulators.world import World, WorldAccount, WorldCustomer
from tests.gateway.conftest import Members
from tests.gateway.support import Member, codes, execute

SEARCH = """
query ($q: String!, $first: Int = 20, $after: String) {
  searchAccounts(query: $q, first: $first, after: $after) {
    edges { cursor node { accountNumber customerName serviceAddress { line1 city zip } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""


def _demo(world: World) -> WorldCustomer:
    return next(c for c in world.customers if c.email == "demo@example.com")


def _accounts_of(world: World, customer: WorldCustomer) -> list[WorldAccount]:
    return sorted(
        (a for a in world.accounts if a.customer_id == customer.customer_id),
        key=lambda a: a.account_number,
    )


async def _search(
    adapters: Adapters, store: GatewayStore, who: Member, query: str, **variables: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, SEARCH, who, q=query, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    found: dict[str, Any] = result.data["searchAccounts"]
    return found


def _numbers(found: dict[str, Any]) -> list[str]:
    return [edge["node"]["accountNumber"] for edge in found["edges"]]


async def test_a_last_name_finds_every_account_of_those_customers(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    demo = _demo(world)
    bacas = sorted(
        (c for c in world.customers if c.last_name.startswith("Baca") and not c.business_name),
        key=lambda c: (c.first_name, c.customer_id),
    )

    found = await _search(adapters, gateway_store, members.staff, "baca")

    expected = [a.account_number for c in bacas for a in _accounts_of(world, c)]
    assert _numbers(found)[: len(expected)] == expected
    first = found["edges"][0]["node"]
    assert first["customerName"] == f"{bacas[0].first_name} {bacas[0].last_name}"
    assert demo in bacas


async def test_first_and_last_name_narrow_it_down(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    demo = _demo(world)
    for query in (f"{demo.first_name} {demo.last_name}", f"{demo.last_name}, {demo.first_name}"):
        found = await _search(adapters, gateway_store, members.staff, query)
        names = {edge["node"]["customerName"] for edge in found["edges"]}
        assert names == {f"{demo.first_name} {demo.last_name}"}


async def test_an_account_number_a_meter_and_a_phone_find_their_account(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    demo = _demo(world)
    account = _accounts_of(world, demo)[0]
    location = next(loc for loc in world.locations if loc.account_number == account.account_number)
    assert demo.home_phone is not None

    by_number = await _search(adapters, gateway_store, members.staff, account.account_number)
    by_meter = await _search(adapters, gateway_store, members.staff, location.meter_nos[0])
    by_phone = await _search(
        adapters, gateway_store, members.staff, f"({demo.home_phone[:3]}) {demo.home_phone[3:]}"
    )

    assert _numbers(by_number) == [account.account_number]
    assert _numbers(by_meter) == [account.account_number]
    assert _numbers(by_phone) == [a.account_number for a in _accounts_of(world, demo)]
    node = by_number["edges"][0]["node"]
    assert node["serviceAddress"] == {
        "line1": location.address.line1,
        "city": location.address.city,
        "zip": location.address.zip_code,
    }


async def test_a_street_address_finds_the_accounts_there(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    location = world.locations[3]

    found = await _search(adapters, gateway_store, members.staff, location.address.line1.lower())

    assert location.account_number in _numbers(found)


async def test_pages_follow_each_other_without_gaps_or_repeats(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    everything = await _search(adapters, gateway_store, members.staff, "Rd", first=100)
    assert len(everything["edges"]) > 3

    seen: list[str] = []
    after = None
    while True:
        page = await _search(adapters, gateway_store, members.staff, "Rd", first=2, after=after)
        seen.extend(_numbers(page))
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == _numbers(everything)


async def test_results_open_the_account_members_see(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.neighbor.account_numbers[0]
    query = """query ($q: String!) { searchAccounts(query: $q) { edges { node {
      account { number balance { amountDue } } } } } }"""

    result = await execute(adapters, gateway_store, query, members.staff, q=number)

    assert result.errors is None
    assert result.data is not None
    account = result.data["searchAccounts"]["edges"][0]["node"]["account"]
    assert account["number"] == number
    assert account["balance"]["amountDue"]


@pytest.mark.parametrize(("query", "first"), [("x", 20), (" ", 20), ("Baca", -1), ("Baca", 101)])
async def test_bad_arguments_are_bad_user_input(
    query: str, first: int, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    result = await execute(adapters, gateway_store, SEARCH, members.staff, q=query, first=first)
    assert codes(result) == ["BAD_USER_INPUT"]


async def test_a_cursor_from_elsewhere_is_bad_user_input(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    result = await execute(adapters, gateway_store, SEARCH, members.staff, q="Baca", after="2026")
    assert codes(result) == ["BAD_USER_INPUT"]


async def test_members_are_forbidden_and_nobody_is_unauthenticated(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    member = await execute(adapters, gateway_store, SEARCH, members.demo, q="Baca")
    nobody = await execute(adapters, gateway_store, SEARCH, None, q="Baca")

    assert codes(member) == ["FORBIDDEN"]
    assert member.data is None
    assert codes(nobody) == ["UNAUTHENTICATED"]
    assert adapters.cis.calls == []  # type: ignore[attr-defined]
