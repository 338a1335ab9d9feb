"""Usage as compact parallel arrays, and billing periods compared."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum

import strawberry

from gateway.api.scalars import Money, money
from gateway.usage import series as domain
from gateway.usage.comparison import PeriodChange, PeriodSummary
from gateway.usage.comparison_service import Comparison


@strawberry.enum
class UsageInterval(Enum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"

    @property
    def domain(self) -> domain.Interval:
        return domain.Interval(self.value)


@strawberry.type(
    description=(
        "Energy use as parallel arrays, one entry per point: a year of hours is 8,760"
        " points, too many for one object each. Points without reads are left out."
    )
)
class UsageSeries:
    interval: UsageInterval
    from_: date = strawberry.field(name="from")
    to: date
    time_zone: str
    unit: str
    total_kwh: float
    # Sequences: the series' own tuples are answered, not copies (the executor completes
    # a tuple of local hours it has seen before from what it made of it then).
    starts_at: Sequence[datetime]
    kwh: Sequence[float]
    temperature_f: Sequence[float | None] = strawberry.field(
        description="Daily mean at the weather station (of the day; for a month, its mean)."
    )
    estimated: Sequence[bool]

    @classmethod
    def of(cls, series: domain.UsageSeries) -> UsageSeries:
        return cls(
            interval=UsageInterval(series.interval.value),
            from_=series.start,
            to=series.end,
            time_zone=series.zone.key,
            unit="kWh",
            total_kwh=series.total_kwh,
            starts_at=series.starts_at,
            kwh=series.kwh,
            temperature_f=series.temperature_f,
            estimated=series.estimated,
        )


@strawberry.type(description="One billing period: the bill cut at its end, and its weather.")
class BillingPeriodUsage:
    bill_date: date
    start: date
    end: date
    days: int
    kwh: float
    cost: Money
    average_daily_kwh: float
    average_temperature_f: float | None
    heating_degree_days: float = strawberry.field(description="Base 65 °F.")
    cooling_degree_days: float = strawberry.field(description="Base 65 °F.")

    @classmethod
    def of(cls, period: PeriodSummary) -> BillingPeriodUsage:
        return cls(
            bill_date=period.bill_date,
            start=period.start,
            end=period.end,
            days=period.days,
            kwh=period.kwh,
            cost=money(period.cost),
            average_daily_kwh=period.average_daily_kwh,
            average_temperature_f=period.average_temperature_f,
            heating_degree_days=period.heating_degree_days,
            cooling_degree_days=period.cooling_degree_days,
        )


@strawberry.type(description="`current` minus `compareTo`.")
class UsageChange:
    kwh: float
    kwh_percent: float | None
    cost: Money
    average_temperature_f: float | None
    heating_degree_days: float
    cooling_degree_days: float

    @classmethod
    def of(cls, change: PeriodChange) -> UsageChange:
        return cls(
            kwh=change.kwh,
            kwh_percent=change.kwh_percent,
            cost=money(change.cost),
            average_temperature_f=change.average_temperature_f,
            heating_degree_days=change.heating_degree_days,
            cooling_degree_days=change.cooling_degree_days,
        )


@strawberry.type
class UsageComparison:
    current: BillingPeriodUsage
    compare_to: BillingPeriodUsage
    change: UsageChange

    @classmethod
    def of(cls, comparison: Comparison) -> UsageComparison:
        return cls(
            current=BillingPeriodUsage.of(comparison.current),
            compare_to=BillingPeriodUsage.of(comparison.baseline),
            change=UsageChange.of(comparison.change),
        )
