"""The floor plans against the in-memory fakes: which calls, how many, which chains."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.cis.fake import FakeCis
from bench import floor
from bench.floor import CallLog, Ports, logged, measure_floor
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.world import World
from tests.fixtures.world import TEST_AS_OF

LAST_DAY = TEST_AS_OF - timedelta(days=1)
ZONE = ZoneInfo("America/Denver")


@pytest.fixture
def ports(world: World) -> Ports:
    return Ports(
        cis=fake_cis_from_world(world),
        oms=fake_oms_from_world(world),
        meters=fake_meters_from_world(world),
    )


def _demo_accounts(world: World) -> list[str]:
    demo = world.logins[0]
    return [a.account_number for a in world.accounts if a.customer_id in demo.customer_ids]


def _locations(world: World, accounts: list[str]) -> int:
    return sum(1 for loc in world.locations if loc.account_number in accounts)


async def test_the_dashboard_floor_asks_each_question_once(world: World, ports: Ports) -> None:
    accounts = _demo_accounts(world)
    plan = floor.dashboard_plan(
        accounts, start=LAST_DAY - timedelta(days=29), end=LAST_DAY, bills=13
    )
    result = await measure_floor(plan, ports, repetitions=2)
    assert result.calls == {
        "cis.get_balance": 2,
        "cis.get_bill": 2 * 14,  # 13 and one more: is there a next page?
        "cis.get_meters_by_account": 2,
        "cis.get_service_locations_by_account": 2,
        "meters.daily_reads_many": 2,
        "meters.daily_weather": 2,
        "meters.weather_station_for_location": 2,
        "oms.get_outage_status": _locations(world, accounts),
    }
    assert result.latency.samples == 2


async def test_every_chain_is_timed_together_and_alone(world: World, ports: Ports) -> None:
    plan = floor.dashboard_plan(
        _demo_accounts(world), start=LAST_DAY - timedelta(days=29), end=LAST_DAY, bills=13
    )
    result = await measure_floor(plan, ports, repetitions=1)
    chains = {
        "cis.get_balance",
        "cis.get_service_locations_by_account → cis.get_bill",
        "cis.get_service_locations_by_account → oms.get_outage_status",
        "cis.get_service_locations_by_account → meters.weather_station_for_location"
        " → meters.daily_weather",
        "cis.get_meters_by_account → meters.daily_reads_many",
    }
    assert set(result.chains_ms) == chains
    assert set(result.critical_paths_ms) == chains
    assert set(result.slowest_call_alone_ms) == set(result.calls)
    bills = "cis.get_service_locations_by_account → cis.get_bill"
    assert result.critical_paths_ms[bills] == pytest.approx(
        result.slowest_call_alone_ms["cis.get_service_locations_by_account"]
        + result.slowest_call_alone_ms["cis.get_bill"]
    )
    assert result.slowest_chain in chains


async def test_the_hourly_floor_reads_every_meter_in_one_query(world: World, ports: Ports) -> None:
    account = _demo_accounts(world)[0]
    plan = floor.hourly_usage_plan(
        account, start=LAST_DAY - timedelta(days=364), end=LAST_DAY, zone=ZONE
    )
    result = await measure_floor(plan, ports, repetitions=1)
    assert result.calls == {
        "cis.get_meters_by_account": 1,
        "cis.get_service_locations_by_account": 1,
        "meters.daily_weather": 1,
        "meters.hourly_reads_many": 1,
        "meters.weather_station_for_location": 1,
    }


async def test_the_account_list_floor_asks_for_a_shared_customer_once(
    world: World, ports: Ports
) -> None:
    accounts = _demo_accounts(world)  # two accounts of one customer
    others = [a.account_number for a in world.accounts if a.account_number not in accounts][:3]
    result = await measure_floor(floor.account_list_plan(accounts + others), ports, repetitions=1)
    customers = {a.customer_id for a in world.accounts if a.account_number in accounts + others}
    assert result.calls["cis.get_customer"] == len(customers) < len(accounts + others)
    assert result.calls["cis.get_balance"] == len(accounts + others)
    assert result.calls["oms.get_outage_status"] == _locations(world, accounts + others)


async def test_logged_calls_can_be_made_again_alone(world: World, ports: Ports) -> None:
    log = CallLog()
    accounts = _demo_accounts(world)
    for account in accounts:
        await logged(ports, log).cis.get_balance(account)
    assert log.counts() == {"cis.get_balance": 2}
    fake = ports.cis
    assert isinstance(fake, FakeCis)
    before = Counter(name for name, _ in fake.calls)
    slowest = await log.slowest_alone_ms()
    assert set(slowest) == {"cis.get_balance"}
    assert Counter(name for name, _ in fake.calls) - before == Counter({"get_balance": 2})


async def test_only_the_slowest_calls_of_an_operation_are_made_again(
    world: World, ports: Ports
) -> None:
    log = CallLog()
    for account in [a.account_number for a in world.accounts[:6]]:
        await logged(ports, log).cis.get_balance(account)
    fake = ports.cis
    assert isinstance(fake, FakeCis)
    first_six = list(fake.calls)  # in the order they were made, as the log's
    await log.slowest_alone_ms(per_operation=2)
    slowest_two = sorted(range(6), key=lambda index: log.calls[index].elapsed_ms)[-2:]
    assert sorted(map(str, fake.calls[6:])) == sorted(str(first_six[i]) for i in slowest_two)


async def test_a_bill_before_the_history_counts_as_asked_and_is_not_an_error(
    world: World, ports: Ports
) -> None:
    account = _demo_accounts(world)[0]
    plan = floor.dashboard_plan(
        [account], start=LAST_DAY - timedelta(days=6), end=LAST_DAY, bills=35
    )
    result = await measure_floor(plan, ports, repetitions=1)
    assert result.calls["cis.get_bill"] == 36
