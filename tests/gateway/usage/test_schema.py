"""Usage series (compact arrays) and billing periods compared, against the world's data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any

import pytest

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.support import execute

USAGE = """
query ($n: String!, $from: Date!, $to: Date!, $interval: UsageInterval!) {
  account(number: $n) { ... on Account {
    usage(from: $from, to: $to, interval: $interval) {
      interval from to timeZone unit totalKwh startsAt kwh temperatureF estimated
    }
    serviceLocations { id usage(from: $from, to: $to, interval: $interval) { totalKwh kwh } }
  } }
}
"""


def two_location_account(world: World, members: Members) -> str:
    return next(
        n
        for n in members.demo.account_numbers
        if sum(1 for loc in world.locations if loc.account_number == n) == 2
    )


def daily_kwh(world: World, meter_no: str, day: date) -> float:
    return world.daily_kwh[meter_no][(day - world.usage_start).days]


def daily_mean(world: World, station: str, day: date) -> float:
    return world.daily_weather[station][(day - world.usage_start).days][2]


async def usage(
    adapters: Adapters, store: GatewayStore, members: Members, number: str, **variables: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, USAGE, members.demo, n=number, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    account: dict[str, Any] = result.data["account"]
    return account


async def test_daily_usage_sums_the_accounts_meters_with_the_first_locations_weather(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = two_location_account(world, members)
    locations = [loc for loc in world.locations if loc.account_number == number]
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(5)]
    account = await usage(
        adapters,
        gateway_store,
        members,
        number,
        **{"from": "2026-10-01", "to": "2026-10-05", "interval": "DAY"},
    )
    series = account["usage"]
    assert (series["interval"], series["from"], series["to"]) == ("DAY", "2026-10-01", "2026-10-05")
    assert (series["timeZone"], series["unit"]) == ("America/Denver", "kWh")
    assert series["startsAt"] == [f"{day.isoformat()}T00:00:00-06:00" for day in days]
    expected = [
        sum(daily_kwh(world, m, d) for loc in locations for m in loc.meter_nos) for d in days
    ]
    assert series["kwh"] == pytest.approx(expected, abs=0.01)
    assert series["totalKwh"] == pytest.approx(sum(expected), abs=0.05)
    station = locations[0].weather_station
    assert series["temperatureF"] == pytest.approx(
        [daily_mean(world, station, d) for d in days], abs=0.051
    )
    assert len(series["estimated"]) == len(days)
    per_location = [loc["usage"]["totalKwh"] for loc in account["serviceLocations"]]
    assert sum(per_location) == pytest.approx(series["totalKwh"], abs=0.05)


async def test_hourly_usage_is_local_hours_of_the_days_asked(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    account = await usage(
        adapters,
        gateway_store,
        members,
        number,
        **{"from": "2026-11-01", "to": "2026-11-02", "interval": "HOUR"},
    )
    series = account["usage"]
    starts = [datetime.fromisoformat(s) for s in series["startsAt"]]
    assert 0 < len(starts) <= 49  # 25 hours on the day clocks fall back, 24 the next
    assert starts == sorted(starts)
    assert {s.date() for s in starts} == {date(2026, 11, 1), date(2026, 11, 2)}
    assert {s.utcoffset() for s in starts} == {timedelta(hours=-6), timedelta(hours=-7)}
    assert len(series["kwh"]) == len(series["temperatureF"]) == len(starts)
    station = next(loc for loc in world.locations if loc.account_number == number).weather_station
    first_day = [t for s, t in zip(starts, series["temperatureF"], strict=True) if s.day == 1]
    assert set(first_day) == {round(daily_mean(world, station, date(2026, 11, 1)), 1)}


async def test_monthly_usage_and_mean_of_daily_means(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    location = next(loc for loc in world.locations if loc.account_number == number)
    account = await usage(
        adapters,
        gateway_store,
        members,
        number,
        **{"from": "2026-08-15", "to": "2026-10-31", "interval": "MONTH"},
    )
    series = account["usage"]
    assert series["startsAt"] == [
        "2026-08-15T00:00:00-06:00",
        "2026-09-01T00:00:00-06:00",
        "2026-10-01T00:00:00-06:00",
    ]
    september = [date(2026, 9, 1) + timedelta(days=i) for i in range(30)]
    meters = [m for loc in world.locations if loc.account_number == number for m in loc.meter_nos]
    assert series["kwh"][1] == pytest.approx(
        sum(daily_kwh(world, m, d) for m in meters for d in september), abs=0.1
    )
    assert series["temperatureF"][1] == pytest.approx(
        fmean(daily_mean(world, location.weather_station, d) for d in september), abs=0.051
    )


async def test_comparing_the_latest_bill_with_the_one_before(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    bills = sorted(
        (b for b in world.bills if b.account_number == number), key=lambda b: b.bill_date
    )
    latest, before = bills[-1], bills[-2]
    query = """query ($n: String!, $month: String, $compareTo: String) {
      account(number: $n) { ... on Account {
        usageComparison(month: $month, compareTo: $compareTo) {
          current { billDate start end days kwh cost averageDailyKwh averageTemperatureF
                    heatingDegreeDays coolingDegreeDays }
          compareTo { billDate kwh cost }
          change { kwh kwhPercent cost averageTemperatureF heatingDegreeDays coolingDegreeDays }
        } } } }"""
    default = await execute(adapters, gateway_store, query, members.demo, n=number)
    assert default.errors is None
    assert default.data is not None
    comparison = default.data["account"]["usageComparison"]
    current = comparison["current"]
    assert (current["billDate"], comparison["compareTo"]["billDate"]) == (
        latest.bill_date.isoformat(),
        before.bill_date.isoformat(),
    )
    assert current["cost"] == str(latest.amount)
    assert current["kwh"] == float(latest.kwh)
    days = (latest.period_end - latest.period_start).days + 1
    assert current["days"] == days
    station = next(loc for loc in world.locations if loc.account_number == number).weather_station
    means = [
        daily_mean(world, station, latest.period_start + timedelta(days=i)) for i in range(days)
    ]
    assert current["heatingDegreeDays"] == pytest.approx(
        sum(max(0, 65 - m) for m in means), abs=0.1
    )
    assert current["coolingDegreeDays"] == pytest.approx(
        sum(max(0, m - 65) for m in means), abs=0.1
    )
    assert comparison["change"]["kwh"] == pytest.approx(float(latest.kwh - before.kwh))
    assert comparison["change"]["cost"] == str(latest.amount - before.amount)

    year_ago = next(
        b
        for b in bills
        if b.bill_date.year == latest.bill_date.year - 1
        and b.bill_date.month == latest.bill_date.month
    )
    chosen = await execute(
        adapters,
        gateway_store,
        query,
        members.demo,
        n=number,
        month=f"{latest.bill_date:%Y-%m}",
        compareTo=f"{year_ago.bill_date:%Y-%m}",
    )
    assert chosen.data is not None
    assert (
        chosen.data["account"]["usageComparison"]["compareTo"]["billDate"]
        == year_ago.bill_date.isoformat()
    )
