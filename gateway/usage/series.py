"""Usage series: meters' reads summed per point, with the temperature beside each point.

Ranges are local calendar dates of the co-op, both ends included. Points are the ones
some meter has a read for, so a range reaching into the future simply ends early.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from itertools import repeat
from statistics import fmean
from zoneinfo import ZoneInfo

from adapters.meters.port import DailyReads, DailyWeather, HourlyReads
from gateway.core.errors import BadUserInput

_MICROSECONDS_PER_SECOND = 1_000_000
# Series of local hours kept (a year's weighs under a megabyte).
LOCAL_HOURS_KEPT = 8


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
    """Points as parallel columns, oldest first, as the API answers them: a year of hours
    is 8,760 points, which need no object each on their way from the store to the answer.

    `starts_at` are aware, in the co-op's time zone.
    """

    interval: Interval
    start: date
    end: date
    zone: ZoneInfo
    starts_at: tuple[datetime, ...] = ()
    kwh: tuple[float, ...] = ()
    estimated: tuple[bool, ...] = ()
    temperature_f: tuple[float | None, ...] = ()

    def __post_init__(self) -> None:
        columns = (self.starts_at, self.kwh, self.estimated, self.temperature_f)
        if len({len(column) for column in columns}) > 1:
            raise ValueError("a usage series' columns must be equally long")

    @property
    def total_kwh(self) -> float:
        return round(sum(self.kwh), 3)

    @property
    def points(self) -> tuple[UsagePoint, ...]:
        """One object per point, for callers that want them (a few dozen, not a year)."""
        return tuple(map(UsagePoint, self.starts_at, self.kwh, self.estimated, self.temperature_f))


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
    reads_per_meter: Sequence[HourlyReads],
    means: Mapping[date, float],
    *,
    start: date,
    end: date,
    zone: ZoneInfo,
) -> UsageSeries:
    # A year of hours is 8,760 points per meter: column operations, no object per point.
    instants, sums, estimated = _hourly_sums(reads_per_meter)
    starts_at, days = _local_hours(instants, zone)
    temperatures = {day: _round(mean) for day, mean in means.items()}
    return UsageSeries(
        Interval.HOUR,
        start,
        end,
        zone,
        starts_at,
        tuple(map(round, sums, repeat(3))),
        estimated,
        tuple(map(temperatures.get, days)),
    )


def _hourly_sums(
    reads_per_meter: Sequence[HourlyReads],
) -> tuple[tuple[int, ...], tuple[float, ...], tuple[bool, ...]]:
    """Every hour some meter has a read for (epoch microseconds, in order), the meters'
    kWh summed in meter order, and whether any of them was estimated."""
    if not reads_per_meter:
        return (), (), ()
    first = reads_per_meter[0].starts_at_us
    if all(reads.starts_at_us == first for reads in reads_per_meter):
        # An account's meters are read the same hours: sum the columns side by side.
        # sum() starts from 0 and adds in meter order, as the general case below does.
        return (
            first,
            tuple(map(sum, zip(*(reads.kwh for reads in reads_per_meter), strict=True))),
            tuple(map(any, zip(*(reads.estimated for reads in reads_per_meter), strict=True))),
        )
    kwh_at: dict[int, float] = {}
    estimated_at: set[int] = set()
    for reads in reads_per_meter:
        for at, kwh, estimated in zip(reads.starts_at_us, reads.kwh, reads.estimated, strict=True):
            kwh_at[at] = kwh_at.get(at, 0) + kwh
            if estimated:
                estimated_at.add(at)
    instants = tuple(sorted(kwh_at))
    return (
        instants,
        tuple(kwh_at[at] for at in instants),
        tuple(at in estimated_at for at in instants),
    )


@lru_cache(maxsize=LOCAL_HOURS_KEPT)
def _local_hours(
    instants: tuple[int, ...], zone: ZoneInfo
) -> tuple[tuple[datetime, ...], tuple[date, ...]]:
    """The instants in `zone`, and the local day of each. Kept for the next caller: the
    same hours (a year of them costs milliseconds to convert) are asked for again and
    again, for every account read over the same range and every repeat of a request;
    datetimes and dates are immutable."""
    hours = tuple(map(_local_hour, instants, repeat(zone)))
    days: dict[date, date] = {}  # one object per day, not per hour
    return hours, tuple(days.setdefault(day, day) for day in map(datetime.date, hours))


def _local_hour(microseconds: int, zone: ZoneInfo) -> datetime:
    """The instant `microseconds` after the epoch, in `zone` (as `astimezone` gives it)."""
    seconds, rest = divmod(microseconds, _MICROSECONDS_PER_SECOND)
    local = datetime.fromtimestamp(seconds, zone)
    return local.replace(microsecond=rest) if rest else local


def daily_series(
    reads_per_meter: Sequence[DailyReads],
    means: Mapping[date, float],
    *,
    start: date,
    end: date,
    zone: ZoneInfo,
) -> UsageSeries:
    sums, estimated = _per_day(reads_per_meter)
    days = sorted(sums)
    return UsageSeries(
        Interval.DAY,
        start,
        end,
        zone,
        tuple(local_midnight(day, zone) for day in days),
        tuple(_kwh(sums[day]) for day in days),
        tuple(estimated[day] for day in days),
        tuple(_round(means.get(day)) for day in days),
    )


def monthly_series(
    reads_per_meter: Sequence[DailyReads],
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
    return _of_points(Interval.MONTH, start, end, zone, points)


def _of_points(
    interval: Interval, start: date, end: date, zone: ZoneInfo, points: Sequence[UsagePoint]
) -> UsageSeries:
    return UsageSeries(
        interval,
        start,
        end,
        zone,
        tuple(point.starts_at for point in points),
        tuple(point.kwh for point in points),
        tuple(point.estimated for point in points),
        tuple(point.temperature_f for point in points),
    )


def _per_day(
    reads_per_meter: Sequence[DailyReads],
) -> tuple[dict[date, list[float]], dict[date, bool]]:
    sums: dict[date, list[float]] = {}
    estimated: dict[date, bool] = {}
    for reads in reads_per_meter:
        for day, kwh, was_estimated in zip(reads.days, reads.kwh, reads.estimated, strict=True):
            sums.setdefault(day, []).append(kwh)
            estimated[day] = estimated.get(day, False) or was_estimated
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
