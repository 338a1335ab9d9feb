"""Compare two of an account's billing periods (usage, cost, weather)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from adapters.cis.port import Bill
from gateway.billing.bills import bill_dates
from gateway.core.loaders import BillKey, DataLoaders
from gateway.usage.comparison import (
    PeriodChange,
    PeriodSummary,
    compare_periods,
    pick_bill_dates,
    summarize_period,
)
from gateway.usage.service import location_weather


@dataclass(frozen=True, slots=True)
class Comparison:
    current: PeriodSummary
    baseline: PeriodSummary
    change: PeriodChange


async def compare_bills(
    *, loaders: DataLoaders, account_number: str, month: str | None, compare_to: str | None
) -> Comparison:
    dates = await bill_dates(loaders=loaders, account_number=account_number)
    current_date, baseline_date = pick_bill_dates(dates, month=month, compare_to=compare_to)
    locations = await loaders.service_locations.load(account_number)
    weather_location = locations[0].location_id if locations else None
    current, baseline = await asyncio.gather(
        loaders.bill.load(BillKey(account_number, current_date)),
        loaders.bill.load(BillKey(account_number, baseline_date)),
    )
    current_summary, baseline_summary = await asyncio.gather(
        _summary(loaders, current, weather_location), _summary(loaders, baseline, weather_location)
    )
    return Comparison(
        current_summary, baseline_summary, compare_periods(current_summary, baseline_summary)
    )


async def _summary(loaders: DataLoaders, bill: Bill, location_id: str | None) -> PeriodSummary:
    weather = await location_weather(
        loaders=loaders, location_id=location_id, start=bill.period_start, end=bill.period_end
    )
    return summarize_period(bill, weather)
