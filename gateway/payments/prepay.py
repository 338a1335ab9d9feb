"""A prepay account's credit and how long it lasts at the rate the account uses it.

The CIS gives the credit (`prepay_balance`). The meter store has no cost per day, only
kWh, so a day's cost is its kWh at the rate the CIS last billed the account: the latest
bill's charges divided by its kWh. That rate folds fixed charges and taxes into each
kWh, which is what a prepay credit is drawn down by in the end; a single energy rate
would overstate the days left. The average is over the last 30 whole local days
(yesterday back), divided by the days that have reads, so a new account is not
averaged over days before it was connected.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from adapters.cis.payments import PrepayBalance
from gateway.billing.bills import bill_dates, existing_bills
from gateway.core.loaders import DailyReadRange, DataLoaders

AVERAGED_DAYS: Final = 30
CENTS: Final = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PrepayAccount:
    """An account the CIS bills as prepay; its credit is read when asked for."""

    account_number: str


async def prepay_account(*, loaders: DataLoaders, account_number: str) -> PrepayAccount | None:
    """None for an account billed the usual way (none of its locations is prepay)."""
    locations = await loaders.service_locations.load(account_number)
    if not any(location.is_prepay for location in locations):
        return None
    return PrepayAccount(account_number)


async def prepay_balance(*, loaders: DataLoaders, account_number: str) -> PrepayBalance:
    return await loaders.prepay_balance.load(account_number)


async def average_daily_cost(
    *, loaders: DataLoaders, account_number: str, today: date
) -> Decimal | None:
    """To the cent; None without reads in the last 30 days or a bill with kWh to rate them."""
    kwh_per_day, rate = await asyncio.gather(
        _average_daily_kwh(loaders, account_number, today),
        billed_rate(loaders, account_number),
    )
    if kwh_per_day is None or rate is None:
        return None
    return (kwh_per_day * rate).quantize(CENTS, ROUND_HALF_UP)


def days_remaining(balance: Decimal, daily_cost: Decimal | None) -> int | None:
    """Whole days the credit lasts; 0 once it is used up; None when nothing is used."""
    if daily_cost is None or daily_cost <= 0:
        return None
    if balance <= 0:
        return 0
    return math.floor(balance / daily_cost)


async def _average_daily_kwh(
    loaders: DataLoaders, account_number: str, today: date
) -> Decimal | None:
    meters = await loaders.meters.load(account_number)
    start = today - timedelta(days=AVERAGED_DAYS)
    reads = await loaders.daily_reads.load_many(
        [DailyReadRange(meter.meter_no, start, today) for meter in meters]
    )
    per_day: dict[date, Decimal] = {}
    for meter_reads in reads:
        for day, kwh in zip(meter_reads.days, meter_reads.kwh, strict=True):
            per_day[day] = per_day.get(day, Decimal(0)) + Decimal(str(kwh))
    if not per_day:
        return None
    return sum(per_day.values(), Decimal(0)) / len(per_day)


async def billed_rate(loaders: DataLoaders, account_number: str) -> Decimal | None:
    """The latest bill's charges per kWh; None without a bill that billed kWh."""
    dates = await bill_dates(loaders=loaders, account_number=account_number)
    latest = await existing_bills(loaders=loaders, account_number=account_number, dates=dates[:1])
    if not latest or latest[0].kwh <= 0:
        return None
    return latest[0].amount / latest[0].kwh
