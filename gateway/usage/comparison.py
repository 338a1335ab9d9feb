"""Two billing periods side by side: usage, cost and the weather that explains them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import fmean

from adapters.cis.port import Bill
from adapters.meters.port import DailyWeather
from gateway.core.errors import BadUserInput

DEGREE_DAY_BASE_F = 65.0
# [0-9], not \d: in Python \d is any script's digits.
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True, slots=True)
class PeriodSummary:
    bill_date: date
    start: date
    end: date
    kwh: float
    cost: Decimal
    average_temperature_f: float | None
    heating_degree_days: float
    cooling_degree_days: float

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def average_daily_kwh(self) -> float:
        return round(self.kwh / self.days, 2)


@dataclass(frozen=True, slots=True)
class PeriodChange:
    kwh: float
    kwh_percent: float | None  # None when the earlier period used nothing
    cost: Decimal
    average_temperature_f: float | None
    heating_degree_days: float
    cooling_degree_days: float


def parse_month(text: str, *, argument: str) -> tuple[int, int]:
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise BadUserInput(f"`{argument}` must be a month written YYYY-MM, like 2026-10.")
    return int(match.group(1)), int(match.group(2))


def pick_bill_dates(
    dates: Sequence[date], *, month: str | None, compare_to: str | None
) -> tuple[date, date]:
    """The bill dates to compare (`dates` newest first): the chosen one and its baseline.

    Defaults: the latest bill, and the bill just before the chosen one.
    """
    if month is None:
        if not dates:
            raise BadUserInput("This account has no bills to compare.")
        current = dates[0]
    else:
        current = _bill_in(dates, parse_month(month, argument="month"), argument="month")
    if compare_to is None:
        earlier = [day for day in dates if day < current]
        if not earlier:
            raise BadUserInput("There is no earlier bill to compare with.")
        return current, earlier[0]
    return current, _bill_in(
        dates, parse_month(compare_to, argument="compareTo"), argument="compareTo"
    )


def _bill_in(dates: Sequence[date], month: tuple[int, int], *, argument: str) -> date:
    for day in dates:
        if (day.year, day.month) == month:
            return day
    year, number = month
    raise BadUserInput(f"No bill was cut in {year:04d}-{number:02d} (`{argument}`).")


def summarize_period(bill: Bill, weather: Sequence[DailyWeather]) -> PeriodSummary:
    """`weather`: the daily weather of the bill's service period (other days are ignored)."""
    means = [d.mean_f for d in weather if bill.period_start <= d.day <= bill.period_end]
    return PeriodSummary(
        bill_date=bill.bill_date,
        start=bill.period_start,
        end=bill.period_end,
        kwh=float(bill.kwh),
        cost=bill.amount,
        average_temperature_f=round(fmean(means), 1) if means else None,
        heating_degree_days=round(sum(max(0.0, DEGREE_DAY_BASE_F - m) for m in means), 1),
        cooling_degree_days=round(sum(max(0.0, m - DEGREE_DAY_BASE_F) for m in means), 1),
    )


def compare_periods(current: PeriodSummary, baseline: PeriodSummary) -> PeriodChange:
    kwh = round(current.kwh - baseline.kwh, 3)
    temperature = (
        round(current.average_temperature_f - baseline.average_temperature_f, 1)
        if current.average_temperature_f is not None and baseline.average_temperature_f is not None
        else None
    )
    return PeriodChange(
        kwh=kwh,
        kwh_percent=round(kwh / baseline.kwh * 100, 1) if baseline.kwh else None,
        cost=current.cost - baseline.cost,
        average_temperature_f=temperature,
        heating_degree_days=round(current.heating_degree_days - baseline.heating_degree_days, 1),
        cooling_degree_days=round(current.cooling_degree_days - baseline.cooling_degree_days, 1),
    )
