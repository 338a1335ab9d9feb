"""What the bill for the period still open will likely be, and how sure that is.

The open period starts the day after the latest bill's period ended and ends as far
before the next bill date (the next cycle day) as the latest one did before its
own. Its use so far is the meter store's daily reads; each remaining day is the
account's load model (`gateway.documents.load_model`) at that calendar day's mean
temperature a year earlier, a stand-in for a normal day. The range is the model's
daily spread over the remaining days (independent days: it grows with the square
root of their number) at 90% confidence, priced like the latest bill: its fixed
charges plus its variable price per kWh. Weather that turns out unlike last year's
is outside the range's reckoning.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from gateway.billing.bills import bill_dates
from gateway.billing.calendar import cycle_day_of, month_day
from gateway.core.errors import BadUserInput
from gateway.core.loaders import BillKey, DailyReadRange, DataLoaders
from gateway.documents.bill_change import MODEL_DAYS, cents, fixed_charges
from gateway.documents.load_model import degree_days, fit_load_model
from gateway.usage.service import location_weather

CONFIDENCE: Final = 0.90
Z_90: Final = 1.645  # two-sided 90% of a normal distribution
YEAR: Final = timedelta(days=364)  # 52 weeks: the same weekday a year before


@dataclass(frozen=True, slots=True)
class Projection:
    period_start: date
    period_end: date
    expected_bill_date: date
    computed_on: date
    days_with_reads: int
    days_remaining: int
    kwh_so_far: float
    kwh: float
    kwh_low: float
    kwh_high: float
    amount: Decimal
    amount_low: Decimal
    amount_high: Decimal
    confidence: float = CONFIDENCE


def next_bill_date(latest: date, cycle_day: int) -> date:
    index = latest.year * 12 + latest.month  # the month after the latest bill's
    return month_day(index // 12, index % 12 + 1, cycle_day)


async def projected_bill(*, loaders: DataLoaders, account_number: str, today: date) -> Projection:
    """`BadUserInput` for an account without a bill, or too little history."""
    dates, locations, meters = await asyncio.gather(
        bill_dates(loaders=loaders, account_number=account_number),
        loaders.service_locations.load(account_number),
        loaders.meters.load(account_number),
    )
    if len(dates) < 2:
        raise BadUserInput("This account has no billing history to project from.")
    latest, earlier = await loaders.bill.load_many(
        [BillKey(account_number, dates[0]), BillKey(account_number, dates[1])]
    )
    cycle = cycle_day_of(locations[0].billing_cycle, fallback=latest.bill_date.day)
    expected = next_bill_date(latest.bill_date, cycle)
    start = latest.period_end + timedelta(days=1)
    end = expected - (latest.bill_date - latest.period_end)
    history_start = start - timedelta(days=MODEL_DAYS)
    reads, weather = await asyncio.gather(
        loaders.daily_reads.load_many(
            [DailyReadRange(m.meter_no, history_start, end + timedelta(days=1)) for m in meters]
        ),
        location_weather(
            loaders=loaders,
            location_id=locations[0].location_id,
            start=history_start - YEAR,
            end=end,
        ),
    )
    kwh_by_day: dict[date, float] = {}
    for meter_reads in reads:
        for read in meter_reads:
            kwh_by_day[read.day] = kwh_by_day.get(read.day, 0.0) + read.kwh
    means = {day.day: day.mean_f for day in weather}
    model = fit_load_model(
        {day: kwh for day, kwh in kwh_by_day.items() if day < start},
        {day: mean for day, mean in means.items() if day < start},
    )
    period = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    known = [day for day in period if day in kwh_by_day and day < today]
    remaining = [day for day in period if day not in known]
    so_far = sum(kwh_by_day[day] for day in known)
    expected_rest = 0.0
    for day in remaining:
        hdd, cdd = degree_days(means.get(day - YEAR, 65.0))
        expected_rest += model.kwh(days=1, hdd=hdd, cdd=cdd)
    spread = Z_90 * model.residual_kwh_per_day * math.sqrt(len(remaining))
    kwh = so_far + expected_rest
    fixed = fixed_charges(latest, earlier)
    price = (latest.amount - fixed) / latest.kwh if latest.kwh > 0 else Decimal(0)

    def priced(energy: float) -> Decimal:
        return cents(fixed + price * Decimal(repr(round(max(energy, 0.0), 3))))

    low, high = max(so_far, kwh - spread), kwh + spread
    return Projection(
        period_start=start,
        period_end=end,
        expected_bill_date=expected,
        computed_on=today,
        days_with_reads=len(known),
        days_remaining=len(remaining),
        kwh_so_far=round(so_far, 3),
        kwh=round(kwh, 1),
        kwh_low=round(low, 1),
        kwh_high=round(high, 1),
        amount=priced(kwh),
        amount_low=priced(low),
        amount_high=priced(high),
    )
