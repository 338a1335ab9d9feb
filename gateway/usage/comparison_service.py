"""Compare two of an account's billing periods (usage, cost, weather)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from adapters.cis.port import Bill
from gateway.api.context import GatewayContext
from gateway.billing.bills import bill_dates
from gateway.core.loaders import BillKey
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
    context: GatewayContext, account_number: str, *, month: str | None, compare_to: str | None
) -> Comparison:
    dates = await bill_dates(loaders=context.loaders, account_number=account_number)
    current_date, baseline_date = pick_bill_dates(dates, month=month, compare_to=compare_to)
    locations = await context.loaders.service_locations.load(account_number)
    weather_location = locations[0].location_id if locations else None
    current, baseline = await asyncio.gather(
        context.loaders.bill.load(BillKey(account_number, current_date)),
        context.loaders.bill.load(BillKey(account_number, baseline_date)),
    )
    current_summary, baseline_summary = await asyncio.gather(
        _summary(context, current, weather_location), _summary(context, baseline, weather_location)
    )
    return Comparison(
        current_summary, baseline_summary, compare_periods(current_summary, baseline_summary)
    )


async def _summary(context: GatewayContext, bill: Bill, location_id: str | None) -> PeriodSummary:
    weather = await location_weather(context, location_id, bill.period_start, bill.period_end)
    return summarize_period(bill, weather)
