from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest

from simulators.meters.series import (
    MIN_HOURLY_DAYS,
    Calendar,
    MeterSeries,
    SeriesSource,
    hourly_start,
    to_watt_hours,
)
from simulators.world import RateClass, World

DENVER = ZoneInfo("America/Denver")


@pytest.fixture(scope="module")
def source(world: World) -> SeriesSource:
    return SeriesSource(world)


@pytest.fixture(scope="module")
def every_series(source: SeriesSource) -> list[MeterSeries]:
    return [source.derive(meter_no) for meter_no in source.meter_nos]


def _day_slices(calendar: Calendar) -> list[tuple[int, slice]]:
    """(index into calendar.days, slice of calendar.hour_starts) per hourly day."""
    offsets = calendar.hourly_day_offsets
    return [
        (calendar.first_hourly_day + position, slice(offsets[position], offsets[position + 1]))
        for position in range(len(calendar.hourly_days))
    ]


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def test_daily_reads_cover_the_whole_usage_range(world: World, source: SeriesSource) -> None:
    calendar = source.calendar
    assert calendar.days[0] == world.usage_start
    assert calendar.days[-1] == world.as_of - timedelta(days=1)
    assert len(calendar.days) == len(next(iter(world.daily_kwh.values())))


def test_hourly_reads_cover_at_least_13_months_up_to_as_of(
    world: World, source: SeriesSource
) -> None:
    calendar = source.calendar
    first_day = calendar.hourly_days[0]
    assert (world.as_of - first_day).days >= MIN_HOURLY_DAYS
    assert calendar.hour_starts[0] == datetime(
        first_day.year, first_day.month, first_day.day, tzinfo=DENVER
    )
    last = calendar.hour_starts[-1] + timedelta(hours=1)
    assert last == datetime(world.as_of.year, world.as_of.month, world.as_of.day, tzinfo=DENVER)
    assert all(instant.tzinfo is UTC for instant in calendar.hour_starts)


def test_hour_starts_are_consecutive_utc_hours(source: SeriesSource) -> None:
    hours = source.calendar.hour_starts
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(hours))


def test_hourly_start_reaches_back_13_calendar_months_or_396_days(world: World) -> None:
    def first(as_of: date) -> date:
        return hourly_start(dataclasses.replace(world, as_of=as_of, usage_start=date(2000, 1, 1)))

    assert first(date(2026, 11, 15)) == date(2025, 10, 15)
    assert first(date(2026, 3, 31)) == date(2025, 2, 28)  # no 31 February: clamped
    # 13 months before 15 March 2026 span only 393 days (February is short).
    assert first(date(2026, 3, 15)) == date(2025, 2, 12)
    # Never before the first day of usage.
    late = dataclasses.replace(world, as_of=date(2026, 11, 15), usage_start=date(2026, 6, 1))
    assert hourly_start(late) == date(2026, 6, 1)


def test_dst_days_have_23_and_25_local_hours(source: SeriesSource) -> None:
    calendar = source.calendar
    lengths = {
        calendar.days[index]: len(calendar.local_hours[index - calendar.first_hourly_day])
        for index, _ in _day_slices(calendar)
    }
    years = {day.year for day in lengths}
    spring = {_nth_sunday(y, 3, 2) for y in years} & lengths.keys()
    autumn = {_nth_sunday(y, 11, 1) for y in years} & lengths.keys()
    assert spring
    assert autumn
    for day, hours in lengths.items():
        assert hours == (23 if day in spring else 25 if day in autumn else 24), day
    for day in spring:
        local = calendar.local_hours[calendar.days.index(day) - calendar.first_hourly_day]
        assert 2 not in local
        assert local.count(1) == 1
    for day in autumn:
        local = calendar.local_hours[calendar.days.index(day) - calendar.first_hourly_day]
        assert local.count(1) == 2
        assert len(set(local)) == 24


def test_every_day_s_hours_sum_exactly_to_its_daily_read(
    source: SeriesSource, every_series: list[MeterSeries]
) -> None:
    slices = _day_slices(source.calendar)
    for series in every_series:
        daily_kwh, hourly_kwh = series.daily_kwh, series.hourly_kwh
        for day_index, hours in slices:
            assert sum(series.hourly_wh[hours]) == series.daily_wh[day_index]
            assert round(sum(hourly_kwh[hours]), 3) == daily_kwh[day_index]


def test_daily_reads_are_the_world_s_daily_kwh_to_the_watt_hour(
    world: World, every_series: list[MeterSeries]
) -> None:
    for series in every_series:
        expected = [round(kwh, 3) for kwh in world.daily_kwh[series.meter_no]]
        assert series.daily_kwh == pytest.approx(expected, abs=0.0011)
        assert series.daily_wh == [to_watt_hours(kwh) for kwh in world.daily_kwh[series.meter_no]]


def test_to_watt_hours_rounds_half_up() -> None:
    assert to_watt_hours(1.0005) == 1001
    assert to_watt_hours(2.0004) == 2000
    assert to_watt_hours(0.0) == 0


def test_hourly_reads_are_never_negative(every_series: list[MeterSeries]) -> None:
    assert all(min(series.hourly_wh) >= 0 for series in every_series)


def test_derivation_is_deterministic_and_independent_of_order(world: World) -> None:
    meter_nos = SeriesSource(world).meter_nos[:3]
    forwards = SeriesSource(world)
    backwards = SeriesSource(world)
    first = [forwards.derive(m) for m in meter_nos]
    second = [backwards.derive(m) for m in reversed(meter_nos)]
    assert first == list(reversed(second))


def test_the_world_s_seed_changes_the_hourly_shape_but_not_the_days(world: World) -> None:
    meter_no = SeriesSource(world).meter_nos[0]
    original = SeriesSource(world).derive(meter_no)
    reseeded = SeriesSource(dataclasses.replace(world, seed=world.seed + 1)).derive(meter_no)
    assert reseeded.daily_wh == original.daily_wh
    assert reseeded.hourly_wh != original.hourly_wh


def test_every_meter_has_a_few_estimated_gaps(
    source: SeriesSource, every_series: list[MeterSeries]
) -> None:
    calendar = source.calendar
    total_hours = 0
    for series in every_series:
        estimated = sum(series.hourly_estimated)
        assert 1 <= estimated <= 3 * 12
        total_hours += len(series.hourly_estimated)
        for day_index, hours in _day_slices(calendar):
            flags = series.hourly_estimated[hours]
            # A day is estimated exactly when one of its hours is.
            assert series.daily_estimated[day_index] == any(flags)
    gaps = sum(sum(s.hourly_estimated) for s in every_series)
    assert gaps < 0.01 * total_hours


def test_estimated_hours_are_filled_flat(
    source: SeriesSource, every_series: list[MeterSeries]
) -> None:
    flat_days = 0
    for series in every_series:
        for _day_index, hours in _day_slices(source.calendar):
            values = [
                wh
                for wh, flag in zip(
                    series.hourly_wh[hours], series.hourly_estimated[hours], strict=True
                )
                if flag
            ]
            if len(values) >= 2:
                flat_days += 1
                assert max(values) - min(values) <= 1  # one Wh of rounding at most
    assert flat_days > 0


def test_homes_peak_in_the_evening_and_businesses_on_weekdays(
    world: World, source: SeriesSource, every_series: list[MeterSeries]
) -> None:
    rate = {loc.location_id: loc.rate_class for loc in world.locations}
    meter_rate = {m.meter_no: rate[m.location_id] for m in world.meters}
    calendar = source.calendar
    hours = calendar.hour_starts
    local = [instant.astimezone(DENVER) for instant in hours]
    homes = [s for s in every_series if meter_rate[s.meter_no] is RateClass.RESIDENTIAL]
    businesses = [s for s in every_series if meter_rate[s.meter_no] is RateClass.COMMERCIAL]
    assert homes
    assert businesses

    def average(series: list[MeterSeries], keep: list[bool]) -> float:
        return mean(wh for s in series for wh, k in zip(s.hourly_wh, keep, strict=True) if k)

    small_hours = [t.hour in (2, 3, 4) for t in local]
    evening = [t.hour in (18, 19, 20) for t in local]
    assert average(homes, evening) > 1.5 * average(homes, small_hours)
    weekday_noon = [t.weekday() < 5 and t.hour in (11, 12, 13) for t in local]
    night = [t.hour in (1, 2, 3) for t in local]
    assert average(businesses, weekday_noon) > 2 * average(businesses, night)


def test_a_world_with_the_wrong_number_of_days_is_refused(world: World) -> None:
    meter_no = next(iter(world.daily_kwh))
    broken = dataclasses.replace(
        world, daily_kwh={**world.daily_kwh, meter_no: world.daily_kwh[meter_no][:-1]}
    )
    with pytest.raises(ValueError, match=meter_no):
        SeriesSource(broken)


def test_unknown_meters_cannot_be_derived(source: SeriesSource) -> None:
    with pytest.raises(KeyError):
        source.derive("NO-SUCH-METER")


def test_calendar_instants_are_local_midnights_in_utc(source: SeriesSource) -> None:
    calendar = source.calendar
    for day, start in zip(calendar.days, calendar.day_starts, strict=False):
        assert start.tzinfo is UTC
        local = start.astimezone(DENVER)
        assert (local.date(), local.hour, local.minute) == (day, 0, 0)
