"""Usage series: meters' reads summed per point, with the temperature beside each point.

Ranges are local calendar dates of the co-op, both ends included. Points are the ones
some meter has a read for, so a range reaching into the future simply ends early.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from statistics import fmean
from zoneinfo import ZoneInfo

from adapters.meters.port import DailyRead, DailyWeather, IntervalRead
from gateway.core.errors import BadUserInput


class Interval(Enum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


# The longest range each interval may ask for, in days (366 covers a leap year).
MAX_DAYS: Mapping[Interval, int] = {
    Interval.HOUR: 366,
    Interval.DAY: 3 * 366,
    Interval.MONTH: 5 * 366,
}


@dataclass(frozen=True, slots=True)
class UsagePoint:
    starts_at: datetime  # aware, in the co-op's time zone
    kwh: float
    estimated: bool
    temperature_f: float | None


@dataclass(frozen=True, slots=True)
class UsageSeries:
    interval: Interval
    start: date
    end: date
    zone: ZoneInfo
    points: tuple[UsagePoint, ...]

    @property
    def total_kwh(self) -> float:
        return round(sum(point.kwh for point in self.points), 3)


# The dates a range may name: the day after its end (the half-open bound the stores
# take) and its local midnights in UTC, whatever the zone, must still be dates.
EARLIEST = date.min + timedelta(days=1)
LATEST = date.max - timedelta(days=2)


def check_range(interval: Interval, start: date, end: date) -> None:
    if start < EARLIEST or end > LATEST:
        raise BadUserInput(f"Usage dates must be between {EARLIEST} and {LATEST}.")
    if end < start:
        raise BadUserInput("`to` must not be before `from`.")
    days = (end - start).days + 1
    if days > MAX_DAYS[interval]:
        raise BadUserInput(
            f"{interval.name} usage covers at most {MAX_DAYS[interval]} days; this asks for {days}."
        )


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def utc_bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants of local midnight starting `start` and ending `end` (half-open), in UTC."""
    return (
        local_midnight(start, zone).astimezone(UTC),
        local_midnight(end + timedelta(days=1), zone).astimezone(UTC),
    )


def daily_means(weather: Iterable[DailyWeather]) -> dict[date, float]:
    return {day.day: day.mean_f for day in weather}


def hourly_series(
    reads_per_meter: Sequence[Sequence[IntervalRead]],
    means: Mapping[date, float],
    *,
    start: date,
    end: date,
    zone: ZoneInfo,
) -> UsageSeries:
    # A year of hours is 8,760 points per meter: one pass, one dict, no lists per hour.
    # Aware datetimes hash and compare by instant, whatever zone a store reports in.
    kwh_at: dict[datetime, float] = {}
    estimated_at: set[datetime] = set()
    for reads in reads_per_meter:
        for read in reads:
            at = read.starts_at
            kwh_at[at] = kwh_at.get(at, 0) + read.kwh
            if read.estimated:
                estimated_at.add(at)
    points = []
    for at in sorted(kwh_at):
        local = at.astimezone(zone)
        points.append(
            UsagePoint(
                local,
                round(kwh_at[at], 3),
                at in estimated_at,
                _round(means.get(local.date())),
            )
        )
    return UsageSeries(Interval.HOUR, start, end, zone, tuple(points))


def daily_series(
    reads_per_meter: Sequence[Sequence[DailyRead]],
    means: Mapping[date, float],
    *,
    start: date,
    end: date,
    zone: ZoneInfo,
) -> UsageSeries:
    sums, estimated = _per_day(reads_per_meter)
    points = tuple(
        UsagePoint(
            local_midnight(day, zone), _kwh(sums[day]), estimated[day], _round(means.get(day))
        )
        for day in sorted(sums)
    )
    return UsageSeries(Interval.DAY, start, end, zone, points)


def monthly_series(
    reads_per_meter: Sequence[Sequence[DailyRead]],
    means: Mapping[date, float],
    *,
    start: date,
    end: date,
    zone: ZoneInfo,
) -> UsageSeries:
    """One point per calendar month, starting at its first day inside the range."""
    sums, estimated = _per_day(reads_per_meter)
    months: dict[tuple[int, int], list[date]] = {}
    for day in sorted(sums):
        months.setdefault((day.year, day.month), []).append(day)
    points = []
    for (year, month), days in months.items():
        first = max(start, date(year, month, 1))
        temperatures = [
            means[day] for day in _days_of_month(year, month, start, end) if day in means
        ]
        points.append(
            UsagePoint(
                local_midnight(first, zone),
                _kwh([kwh for day in days for kwh in sums[day]]),
                any(estimated[day] for day in days),
                _round(fmean(temperatures)) if temperatures else None,
            )
        )
    return UsageSeries(Interval.MONTH, start, end, zone, tuple(points))


def _per_day(
    reads_per_meter: Sequence[Sequence[DailyRead]],
) -> tuple[dict[date, list[float]], dict[date, bool]]:
    sums: dict[date, list[float]] = {}
    estimated: dict[date, bool] = {}
    for reads in reads_per_meter:
        for read in reads:
            sums.setdefault(read.day, []).append(read.kwh)
            estimated[read.day] = estimated.get(read.day, False) or read.estimated
    return sums, estimated


def _days_of_month(year: int, month: int, start: date, end: date) -> Iterable[date]:
    day = max(start, date(year, month, 1))
    while day <= end and day.month == month:
        yield day
        day += timedelta(days=1)


def _kwh(values: Iterable[float]) -> float:
    return round(sum(values), 3)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
