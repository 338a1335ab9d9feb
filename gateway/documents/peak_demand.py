"""When an account draws the most: the peak hour of each billing period (with that
day's mean temperature), the five highest hours, and the average day's shape on
weekdays and on weekends, from the account's hourly reads summed over its meters.

Hours are the co-op's local hours; on the days the clocks change a day has 23 or 25
of them, and the average day counts each local hour of the day with the days that
had it. The meter store keeps hourly reads for about thirteen months, so at most
that many billing periods are looked at (and a year of hours at most is read).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.cis.port import Bill
from gateway.billing.bills import bill_dates, existing_bills
from gateway.core.errors import BadUserInput
from gateway.core.loaders import DataLoaders
from gateway.usage.series import MAX_DAYS, Interval, UsagePoint
from gateway.usage.service import usage_series

MAX_PERIODS = 13
TOP_HOURS = 5
HOURS_PER_DAY = 24


@dataclass(frozen=True, slots=True)
class PeakHour:
    starts_at: datetime  # local
    kwh: float
    temperature_f: float | None  # the day's mean at the weather station


@dataclass(frozen=True, slots=True)
class PeriodPeak:
    bill_date: date
    start: date
    end: date
    peak: PeakHour | None  # None when the store has no hourly reads for the period


@dataclass(frozen=True, slots=True)
class PeakDemand:
    periods: tuple[PeriodPeak, ...]  # newest first, as bills are listed
    top_hours: tuple[PeakHour, ...]
    weekday_profile: tuple[float | None, ...]  # kWh by local hour of day, 0 to 23
    weekend_profile: tuple[float | None, ...]


def _hour(point: UsagePoint) -> PeakHour:
    return PeakHour(point.starts_at, point.kwh, point.temperature_f)


def day_profile(points: Sequence[UsagePoint], *, weekend: bool) -> tuple[float | None, ...]:
    sums = [0.0] * HOURS_PER_DAY
    counts = [0] * HOURS_PER_DAY
    for point in points:
        if (point.starts_at.weekday() >= 5) is weekend:
            sums[point.starts_at.hour] += point.kwh
            counts[point.starts_at.hour] += 1
    return tuple(
        round(total / count, 3) if count else None
        for total, count in zip(sums, counts, strict=True)
    )


def peak_demand_of(bills: Sequence[Bill], points: Sequence[UsagePoint]) -> PeakDemand:
    periods = []
    for bill in bills:
        inside = [p for p in points if bill.period_start <= p.starts_at.date() <= bill.period_end]
        peak = max(inside, key=lambda p: (p.kwh, p.starts_at)) if inside else None
        periods.append(
            PeriodPeak(
                bill.bill_date, bill.period_start, bill.period_end, _hour(peak) if peak else None
            )
        )
    top = sorted(points, key=lambda p: (-p.kwh, p.starts_at))[:TOP_HOURS]
    return PeakDemand(
        periods=tuple(periods),
        top_hours=tuple(_hour(point) for point in top),
        weekday_profile=day_profile(points, weekend=False),
        weekend_profile=day_profile(points, weekend=True),
    )


async def peak_demand(
    *, loaders: DataLoaders, zone: ZoneInfo, account_number: str, periods: int
) -> PeakDemand:
    if not 1 <= periods <= MAX_PERIODS:
        raise BadUserInput(f"`periods` must be between 1 and {MAX_PERIODS}.")
    dates = await bill_dates(loaders=loaders, account_number=account_number)
    bills = await existing_bills(
        loaders=loaders, account_number=account_number, dates=dates[:periods]
    )
    if not bills:
        return PeakDemand((), (), day_profile((), weekend=False), day_profile((), weekend=True))
    end = bills[0].period_end
    # Periods whose hours would take the read past a year are left out.
    bills = [b for b in bills if (end - b.period_start).days < MAX_DAYS[Interval.HOUR]]
    start = min(b.period_start for b in bills) if bills else end
    meters, locations = await asyncio.gather(
        loaders.meters.load(account_number), loaders.service_locations.load(account_number)
    )
    series = await usage_series(
        loaders=loaders,
        zone=zone,
        meter_nos=[m.meter_no for m in meters],
        weather_location_id=locations[0].location_id if locations else None,
        start=max(start, end - timedelta(days=MAX_DAYS[Interval.HOUR] - 1)),
        end=end,
        interval=Interval.HOUR,
    )
    return peak_demand_of(bills, series.points)
