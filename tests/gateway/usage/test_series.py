from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.meters.port import DailyRead, DailyReads, HourlyReads, IntervalRead
from gateway.core.errors import BadUserInput
from gateway.usage.series import (
    Interval,
    UsagePoint,
    check_range,
    daily_series,
    hourly_series,
    monthly_series,
    utc_bounds,
)

DENVER = ZoneInfo("America/Denver")


def test_hourly_points_sum_meters_and_carry_the_days_mean_temperature() -> None:
    start = datetime(2026, 7, 1, 6, tzinfo=UTC)  # local midnight (MDT, UTC-6)
    house = [IntervalRead(start + timedelta(hours=h), 1.5, False) for h in range(2)]
    well = [IntervalRead(start + timedelta(hours=1), 0.25, True)]
    series = hourly_series(
        [HourlyReads.from_rows(house), HourlyReads.from_rows(well)],
        {date(2026, 7, 1): 81.04},
        start=date(2026, 7, 1),
        end=date(2026, 7, 1),
        zone=DENVER,
    )
    assert [p.starts_at.isoformat() for p in series.points] == [
        "2026-07-01T00:00:00-06:00",
        "2026-07-01T01:00:00-06:00",
    ]
    assert [p.kwh for p in series.points] == [1.5, 1.75]
    assert [p.estimated for p in series.points] == [False, True]
    assert [p.temperature_f for p in series.points] == [81.0, 81.0]
    assert series.total_kwh == 3.25


def points_row_by_row(
    reads_per_meter: list[list[IntervalRead]], means: dict[date, float], zone: ZoneInfo
) -> list[UsagePoint]:
    """The hourly points as they were made from one object per read, before columns."""
    kwh_at: dict[datetime, float] = {}
    estimated_at: set[datetime] = set()
    for reads in reads_per_meter:
        for read in reads:
            kwh_at[read.starts_at] = kwh_at.get(read.starts_at, 0) + read.kwh
            if read.estimated:
                estimated_at.add(read.starts_at)
    points = []
    for at in sorted(kwh_at):
        local = at.astimezone(zone)
        mean = means.get(local.date())
        points.append(
            UsagePoint(
                local,
                round(kwh_at[at], 3),
                at in estimated_at,
                None if mean is None else round(mean, 1),
            )
        )
    return points


def a_year_of_reads(meter: int, *, every: int = 1) -> list[IntervalRead]:
    """Local midnight 2025-12-01 on for 366 days: through both DST changes of 2026."""
    first = datetime(2025, 12, 1, 7, tzinfo=UTC)
    return [
        IntervalRead(
            first + timedelta(hours=hour),
            (hour * 7919 + meter * 104729) % 1000 / 997,
            (hour + meter) % 61 == 0,
        )
        for hour in range(0, 366 * 24, every)
    ]


@pytest.mark.parametrize("every", [1, 7], ids=["same hours", "other hours"])
def test_hourly_points_are_those_summed_row_by_row_across_dst(every: int) -> None:
    meters = [a_year_of_reads(1), a_year_of_reads(2, every=every), a_year_of_reads(3)]
    means = {date(2025, 12, 1) + timedelta(days=d): d * 0.37 - 20.05 for d in range(0, 366, 2)}

    series = hourly_series(
        [HourlyReads.from_rows(reads) for reads in meters],
        means,
        start=date(2025, 12, 1),
        end=date(2026, 12, 1),
        zone=DENVER,
    )

    expected = points_row_by_row(meters, means, DENVER)
    assert len(series.points) == 366 * 24
    # Equal datetimes may still differ in offset or fold (the repeated hour of November).
    assert [(at.isoformat(), at.fold) for at in series.starts_at] == [
        (p.starts_at.isoformat(), p.starts_at.fold) for p in expected
    ]
    assert series.points == tuple(expected)
    assert [p.kwh.hex() for p in series.points] == [p.kwh.hex() for p in expected]
    fall_back = [p for p in series.points if p.starts_at.date() == date(2026, 11, 1)]
    assert len(fall_back) == 25


def test_the_day_clocks_fall_back_has_25_local_hours() -> None:
    begin, end = utc_bounds(date(2026, 11, 1), date(2026, 11, 1), DENVER)
    assert end - begin == timedelta(hours=25)


def test_daily_points_leave_out_days_without_reads_and_temperature_may_be_missing() -> None:
    reads = [DailyRead(date(2026, 1, 1), 30.0, False), DailyRead(date(2026, 1, 3), 20.0, False)]
    series = daily_series(
        [DailyReads.from_rows(reads)],
        {date(2026, 1, 1): 30.0},
        start=date(2026, 1, 1),
        end=date(2026, 1, 3),
        zone=DENVER,
    )
    assert [p.starts_at.date() for p in series.points] == [date(2026, 1, 1), date(2026, 1, 3)]
    assert [p.temperature_f for p in series.points] == [30.0, None]


def test_months_start_inside_the_range_and_average_daily_means() -> None:
    days = [date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1)]
    reads = [DailyRead(day, 10.0, day.day == 31) for day in days]
    means = {date(2026, 1, 30): 20.0, date(2026, 1, 31): 30.0, date(2026, 2, 1): 40.0}
    series = monthly_series(
        [DailyReads.from_rows(reads)],
        means,
        start=date(2026, 1, 30),
        end=date(2026, 2, 1),
        zone=DENVER,
    )
    assert [(p.starts_at.date(), p.kwh, p.estimated, p.temperature_f) for p in series.points] == [
        (date(2026, 1, 30), 20.0, True, 25.0),
        (date(2026, 2, 1), 10.0, False, 40.0),
    ]


@pytest.mark.parametrize(
    ("interval", "days"), [(Interval.HOUR, 367), (Interval.DAY, 1099), (Interval.MONTH, 1831)]
)
def test_ranges_longer_than_the_interval_allows_are_bad_input(
    interval: Interval, days: int
) -> None:
    start = date(2020, 1, 1)
    check_range(interval, start, start + timedelta(days=days - 2))
    with pytest.raises(BadUserInput, match="at most"):
        check_range(interval, start, start + timedelta(days=days - 1))


def test_a_range_that_ends_before_it_starts_is_bad_input() -> None:
    with pytest.raises(BadUserInput, match="before"):
        check_range(Interval.DAY, date(2026, 2, 2), date(2026, 2, 1))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(9999, 12, 31), date(9999, 12, 31)),
        (date(9999, 12, 30), date(9999, 12, 30)),
        (date(1, 1, 1), date(1, 1, 1)),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_bad_input(start: date, end: date) -> None:
    # Found by tests/fuzz: the day after 9999-12-31 does not exist (OverflowError).
    with pytest.raises(BadUserInput, match="between 0001-01-02 and 9999-12-29"):
        check_range(Interval.DAY, start, end)
    check_range(Interval.DAY, date(1, 1, 2), date(1, 1, 2))
    check_range(Interval.DAY, date(9999, 12, 29), date(9999, 12, 29))
