"""Percentiles read back through the cut points land within a point of a home's exact
position; the minimum group, the read coverage rule and the home location."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from adapters.cis.port import PostalAddress, ServiceLocation
from adapters.meters.port import DailyRead, DailyReads
from gateway.similar_homes.standing import (
    MIN_HOMES,
    cut_points,
    home_location,
    kwh_per_day,
    percentile_of,
    quartiles,
)


def exact_position(figure: float, figures: list[float]) -> float:
    """100 * (how many others used less) / (others), ties counted half."""
    others = len(figures) - 1
    less = sum(1 for f in figures if f < figure)
    same = sum(1 for f in figures if f == figure) - 1
    return 100 * (less + same / 2) / others


@pytest.mark.parametrize("homes", [MIN_HOMES, 21, 57, 400])
def test_every_homes_percentile_is_within_a_point_of_its_position(homes: int) -> None:
    rng = random.Random(homes)
    figures = [rng.lognormvariate(3, 0.5) for _ in range(homes)]

    cuts = cut_points(figures)

    for figure in figures:
        assert abs(percentile_of(figure, cuts) - exact_position(figure, figures)) <= 1
    assert percentile_of(min(figures), cuts) == 0
    assert percentile_of(max(figures), cuts) == 100
    assert percentile_of(min(figures) - 1, cuts) == 0
    assert percentile_of(max(figures) + 1, cuts) == 100


def test_equal_figures_stand_in_the_middle_of_their_run() -> None:
    figures = [10.0] * 10 + [20.0] * 20 + [30.0] * 10

    cuts = cut_points(figures)

    assert percentile_of(20.0, cuts) == 50
    assert quartiles(cuts) == (pytest.approx(17.5), 20.0, pytest.approx(22.5))


def test_a_group_under_the_minimum_has_no_cut_points() -> None:
    with pytest.raises(ValueError, match="under 20"):
        cut_points([1.0] * (MIN_HOMES - 1))
    with pytest.raises(ValueError, match="99 cut points"):
        percentile_of(1.0, [1.0, 2.0])


def reads(first: date, kwh: list[float]) -> DailyReads:
    return DailyReads.from_rows(
        DailyRead(first + timedelta(days=i), value, False) for i, value in enumerate(kwh)
    )


def test_kwh_per_day_sums_each_meters_average_day_and_needs_nine_tenths_of_the_month() -> None:
    first = date(2026, 9, 1)
    house, well = reads(first, [30.0] * 27), reads(first, [2.0, 4.0] * 15)

    assert kwh_per_day([house, well], days=30) == pytest.approx(30.0 + 3.0)
    assert kwh_per_day([reads(first, [30.0] * 26), well], days=30) is None
    assert kwh_per_day([], days=30) is None


def location(location_id: str, status: str) -> ServiceLocation:
    return ServiceLocation(
        location_id=location_id,
        account_number="2000100",
        customer_id="C1",
        address=PostalAddress("1 Main St", "Moriarty", "NM", "87035"),
        rate_class="residential",
        service_status=status,
        is_prepay=False,
        billing_cycle="05",
        last_bill_date=None,
        substation=None,
        feeder=None,
    )


def test_the_home_location_is_the_first_active_one_by_id() -> None:
    shop, house, gone = location("L2", "active"), location("L1", "Active"), location("L0", "x")

    assert home_location([shop, house, gone]) == house
    assert home_location([gone]) is None
    assert home_location([replace(shop, service_status="inactive")]) is None
