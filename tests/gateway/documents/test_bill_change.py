"""Why a bill changed: the regression recovers the seed's own coefficients, and the
parts add up to the change, to the cent, for every pair of an account's bills."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from adapters.cis.port import Bill, BilledUsage, ChargeLine
from gateway.core.backends import Adapters
from gateway.documents.bill_change import (
    PeriodWeather,
    bill_change,
    explain_change,
    fixed_charges,
)
from gateway.documents.load_model import LoadModel, NotEnoughData, fit_load_model
from simulators.seed.usage import LoadProfile, daily_kwh
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.documents.conftest import DocumentsGateway
from tests.gateway.support import loaders_for

PROFILES = [
    LoadProfile(base_kwh=18.0, kwh_per_hdd=1.3, kwh_per_cdd=1.1, weekend_factor=1.0, noise=0.12),
    LoadProfile(base_kwh=24.0, kwh_per_hdd=0.2, kwh_per_cdd=1.6, weekend_factor=1.08, noise=0.12),
    LoadProfile(base_kwh=150.0, kwh_per_hdd=3.0, kwh_per_cdd=8.0, weekend_factor=1.0, noise=0.08),
]


def station_year(world: World) -> tuple[date, tuple[float, ...]]:
    station = world.locations[0].weather_station
    means = tuple(day[2] for day in world.daily_weather[station])
    return world.usage_start, means[-365:]


@pytest.mark.parametrize("noise_seed", range(5))
@pytest.mark.parametrize("profile", PROFILES, ids=["electric heat", "gas heat", "business"])
def test_the_fit_recovers_the_generators_coefficients_within_ten_percent(
    world: World, profile: LoadProfile, noise_seed: int
) -> None:
    _, means = station_year(world)
    start = date(2025, 11, 1)
    used = daily_kwh(profile, start=start, mean_temperatures=means, rng=random.Random(noise_seed))
    days = [start + timedelta(days=i) for i in range(len(means))]

    model = fit_load_model(dict(zip(days, used, strict=True)), dict(zip(days, means, strict=True)))

    assert model.days == 365
    assert model.base_kwh_per_day == pytest.approx(profile.base_kwh, rel=0.10)
    assert model.kwh_per_cdd == pytest.approx(profile.kwh_per_cdd, rel=0.10)
    if profile.kwh_per_hdd >= 0.5:
        assert model.kwh_per_hdd == pytest.approx(profile.kwh_per_hdd, rel=0.10)
    else:
        # A furnace fan's 0.2 kWh per degree day on a 24 kWh base is within a year's
        # noise (12% a day): its standard error is about a tenth of it, so a tenth
        # is not a bound one year of data keeps every time. Half as much again is.
        assert model.kwh_per_hdd == pytest.approx(profile.kwh_per_hdd, abs=0.05)
    assert 0 < model.r_squared <= 1


def test_too_short_a_history_is_said_so() -> None:
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(30)]
    with pytest.raises(NotEnoughData):
        fit_load_model(dict.fromkeys(days, 10.0), dict.fromkeys(days, 40.0))


def bill(day: date, kwh: int, lines: list[tuple[str, str]], days: int = 30) -> Bill:
    return Bill(
        account_number="1",
        bill_date=day,
        period_start=day - timedelta(days=days + 1),
        period_end=day - timedelta(days=2),
        due_date=day + timedelta(days=20),
        prior_balance=Decimal("0.00"),
        payments_received=Decimal("0.00"),
        charges=tuple(ChargeLine(text, Decimal(amount)) for text, amount in lines),
        usage=(
            BilledUsage(
                "M1", "L1", Decimal(0), Decimal(kwh), Decimal(1), day - timedelta(days=31), day
            ),
        ),
        balance_after_billing=Decimal("0.00"),
    )


def test_a_price_change_alone_is_all_rates_and_fixed_lines_are_found() -> None:
    earlier = bill(date(2026, 9, 1), 500, [("Availability", "32.00"), ("Energy 500", "50.00")])
    current = bill(date(2026, 10, 1), 500, [("Availability", "32.00"), ("Energy 500b", "60.00")])
    model = LoadModel(20.0, 1.0, 1.0, 365, 0.9)
    same = PeriodWeather(30, 100.0, 0.0)

    explained = explain_change(
        current, earlier, model=model, current_weather=same, earlier_weather=same
    )

    assert fixed_charges(current, earlier) == Decimal("32.00")
    assert (explained.amount, explained.rates) == (Decimal("10.00"), Decimal("10.00"))
    assert explained.days == explained.weather == explained.remainder == Decimal("0.00")


def test_colder_and_longer_periods_are_weather_and_days() -> None:
    earlier = bill(date(2026, 9, 1), 600, [("Availability", "32.00"), ("Energy 600", "60.00")])
    current = bill(
        date(2026, 10, 1), 750, [("Availability", "32.00"), ("Energy 750", "75.00")], days=31
    )
    model = LoadModel(20.0, 1.3, 1.0, 365, 0.9)

    explained = explain_change(
        current,
        earlier,
        model=model,
        current_weather=PeriodWeather(31, 200.0, 0.0),
        earlier_weather=PeriodWeather(30, 100.0, 0.0),
    )

    # 20 kWh for the extra day and 130 for 100 more degree days, at $0.10 a kWh.
    assert (explained.days, explained.weather) == (Decimal("2.00"), Decimal("13.00"))
    assert (explained.rates, explained.remainder) == (Decimal("0.00"), Decimal("0.00"))
    assert explained.days + explained.weather + explained.rates + explained.remainder == Decimal(
        "15.00"
    )


async def test_every_pair_of_bills_adds_up_to_the_cent(
    world: World, adapters: Adapters, members: Members
) -> None:
    loaders = loaders_for(adapters)
    number = members.demo.account_numbers[0]
    dates = sorted(b.bill_date for b in world.bills if b.account_number == number)[-13:]
    months = [f"{day:%Y-%m}" for day in dates]
    for month in months[1:]:
        explained = await bill_change(
            loaders=loaders, account_number=number, month=month, compare_to=None
        )
        parts = explained.rates + explained.days + explained.weather + explained.remainder
        assert parts == explained.amount
        assert all(p == p.quantize(Decimal("0.01")) for p in (explained.rates, explained.weather))
        assert explained.days_kwh + explained.weather_kwh + explained.remainder_kwh == (
            pytest.approx(explained.kwh, abs=0.2)
        )


QUERY = """query ($n: String!) { account(number: $n) { ... on Account {
  billChange { currentBillDate compareToBillDate amount rates days weather remainder
    kwh daysKwh weatherKwh remainderKwh
    model { baseKwhPerDay kwhPerHeatingDegreeDay kwhPerCoolingDegreeDay fittedDays rSquared } }
  bills(first: 2) { edges { node { billDate amount kwh } } } } } }"""


async def test_graphql_explains_the_latest_bill_over_the_stand_ins(
    documents: DocumentsGateway, members: Members
) -> None:
    data = await documents.ok(QUERY, documents.member_token, n=members.demo.account_numbers[0])

    account: dict[str, Any] = data["account"]
    latest, before = (edge["node"] for edge in account["bills"]["edges"])
    change = account["billChange"]
    assert (change["currentBillDate"], change["compareToBillDate"]) == (
        latest["billDate"],
        before["billDate"],
    )
    amount = Decimal(latest["amount"]) - Decimal(before["amount"])
    assert Decimal(change["amount"]) == amount
    assert sum(Decimal(change[p]) for p in ("rates", "days", "weather", "remainder")) == amount
    assert change["kwh"] == pytest.approx(latest["kwh"] - before["kwh"], abs=0.001)
    assert change["model"]["fittedDays"] >= 300
    assert change["model"]["baseKwhPerDay"] > 0
