"""Accounts through the one policy: yours, someone else's, none, staff, nobody."""

from __future__ import annotations

import pytest

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.support import codes, execute

ACCOUNT = """
query ($number: String!) {
  account(number: $number) {
    __typename
    ... on AccountNotFound { number message }
    ... on Account {
      number
      customer { customerId firstName lastName email billingAddress { line1 city state zip } }
      serviceLocations {
        id rateClass isPrepay address { line1 line2 }
        meters { meterNo manufacturer meterType serialNumber }
      }
    }
  }
}
"""


async def test_a_member_sees_their_account_its_customer_locations_and_meters(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = next(n for n in members.demo.account_numbers if len(_locations(world, n)) == 2)
    result = await execute(adapters, gateway_store, ACCOUNT, members.demo, number=number)
    assert result.errors is None
    account = result.data["account"] if result.data else {}
    assert account["__typename"] == "Account"
    customer = next(c for c in world.customers if c.email == members.demo.email)
    assert account["customer"]["customerId"] == customer.customer_id
    assert account["customer"]["billingAddress"]["zip"] == customer.billing_address.zip_code
    locations = _locations(world, number)
    assert [loc["id"] for loc in account["serviceLocations"]] == [
        loc.location_id for loc in locations
    ]
    meters = [m["meterNo"] for loc in account["serviceLocations"] for m in loc["meters"]]
    assert meters == [m for loc in locations for m in loc.meter_nos]
    assert account["serviceLocations"][1]["address"]["line2"] == "Well and shop"


@pytest.mark.parametrize("number", ["neighbor", "9999999", "2000100; DROP", ""])
async def test_anything_but_your_own_account_is_not_found(
    number: str, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    if number == "neighbor":
        number = members.neighbor.account_numbers[0]
    result = await execute(adapters, gateway_store, ACCOUNT, members.demo, number=number)
    assert result.errors is None
    assert result.data == {
        "account": {
            "__typename": "AccountNotFound",
            "number": number.strip(),
            "message": "No account with this number was found.",
        }
    }


async def test_a_members_answer_comes_from_the_links_without_asking_the_cis(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    query = "query ($n: String!) { account(number: $n) { __typename } }"
    await execute(
        adapters, gateway_store, query, members.demo, n=members.neighbor.account_numbers[0]
    )
    assert adapters.cis.calls == []  # type: ignore[attr-defined]


async def test_staff_see_any_existing_account_and_only_those(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    someone = world.accounts[-1].account_number
    found = await execute(adapters, gateway_store, ACCOUNT, members.staff, number=someone)
    missing = await execute(adapters, gateway_store, ACCOUNT, members.staff, number="9999999")
    assert found.data
    assert found.data["account"]["number"] == someone
    assert missing.data
    assert missing.data["account"]["__typename"] == "AccountNotFound"


async def test_nobody_signed_in_gets_unauthenticated(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    result = await execute(adapters, gateway_store, ACCOUNT, None, number=number)
    assert result.data is None
    assert codes(result) == ["UNAUTHENTICATED"]


async def test_viewer_is_the_signed_in_user_with_linked_accounts(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    query = "{ viewer { email role accounts { number customer { lastName } } } }"
    demo = await execute(adapters, gateway_store, query, members.demo)
    nobody = await execute(adapters, gateway_store, query, None)
    staff = await execute(adapters, gateway_store, query, members.staff)
    assert demo.data == {
        "viewer": {
            "email": members.demo.email,
            "role": "MEMBER",
            "accounts": [
                {"number": n, "customer": {"lastName": "Baca"}}
                for n in sorted(members.demo.account_numbers)
            ],
        }
    }
    assert nobody.data == {"viewer": None}
    assert nobody.errors is None
    assert staff.data == {"viewer": {"email": members.staff.email, "role": "STAFF", "accounts": []}}


def _locations(world: World, number: str) -> list:  # type: ignore[type-arg]
    return [loc for loc in world.locations if loc.account_number == number]
