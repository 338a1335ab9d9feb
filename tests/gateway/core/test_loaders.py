"""Within one request each system is asked once per distinct thing."""

from __future__ import annotations

from collections import Counter
from typing import Any

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from tests.gateway.conftest import Members
from tests.gateway.support import execute, loaders_for

# Overlapping fields on purpose: two accounts, aliases asking the same again, usage
# and a comparison that need the same bills, locations and weather.
QUERY = """
query ($a: String!, $b: String!) {
  viewer { accounts { number customer { lastName } balance { amountDue } } }
  first: account(number: $a) { ...everything }
  again: account(number: $a) { ...everything }
  second: account(number: $b) { ...everything }
}
fragment everything on AccountResult { ... on Account {
  customer { firstName }
  balance { amountDue }
  bills(first: 3) { edges { cursor } }
  latest: bills(first: 1) { edges { cursor } }
  usageComparison { current { kwh } }
  outageStatus { isOut }
  serviceLocations {
    id meters { meterNo } outageStatus { isOut }
    usage(from: "2026-10-01", to: "2026-10-31", interval: DAY) { kwh }
  }
  daily: usage(from: "2026-10-01", to: "2026-10-31", interval: DAY) { kwh temperatureF }
  hourly: usage(from: "2026-10-30", to: "2026-10-31", interval: HOUR) { kwh }
  monthly: usage(from: "2026-10-01", to: "2026-10-31", interval: MONTH) { kwh }
} }
"""


async def test_each_system_is_asked_once_per_distinct_key(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    a, b = members.demo.account_numbers
    result = await execute(adapters, gateway_store, QUERY, members.demo, a=a, b=b)
    assert result.errors is None, result.errors
    assert result.data is not None
    assert result.data["first"] == result.data["again"]

    fakes: tuple[Any, ...] = (adapters.cis, adapters.oms, adapters.meters)
    for fake in fakes:
        asked = Counter(fake.calls)
        assert asked, fake
        repeated = {call: n for call, n in asked.items() if n > 1}
        assert repeated == {}, f"{type(fake).__name__} asked again: {repeated}"

    cis_methods = Counter(name for name, _ in adapters.cis.calls)  # type: ignore[attr-defined]
    assert cis_methods["get_service_locations_by_account"] == 2
    assert cis_methods["get_customer"] == 1  # both accounts belong to the same member
    assert cis_methods["get_balance"] == 2


async def test_a_requests_loaders_are_built_when_it_first_reads_them(adapters: Adapters) -> None:
    loaders = loaders_for(adapters)
    assert loaders.built == {}  # a request served from the response cache builds none

    balance = loaders.balance
    assert loaders.balance is balance  # one per request, remembered
    assert loaders.customer is not balance
    assert set(loaders.built) == {"balance", "customer"}
