"""When an account's bills were cut, since the CIS has no "list bills" call.

A MultiSpeak 3.0 service location carries its billing cycle (the day of the month
bills are cut) and its last bill date: the earlier bills are on the cycle day of each
month before it. A cycle day past the end of a short month falls on its last day.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from adapters.cis.port import ServiceLocation
from adapters.rules.numbers import parse_natural

MAX_BILLS_BACK = 36


def cycle_day_of(billing_cycle: str, *, fallback: int) -> int:
    """The day of the month in a cycle code like "05"; `fallback` when it is not one."""
    day = parse_natural(billing_cycle.strip(), max_digits=2)
    return day if day is not None and 1 <= day <= 31 else fallback


def month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def bill_dates_back(*, last_bill_date: date, cycle_day: int, count: int) -> list[date]:
    """`count` bill dates, newest first, starting with `last_bill_date`."""
    dates: list[date] = []
    month_index = last_bill_date.year * 12 + last_bill_date.month - 1
    for back in range(count):
        if back == 0:
            dates.append(last_bill_date)
            continue
        index = month_index - back
        dates.append(month_day(index // 12, index % 12 + 1, cycle_day))
    return dates


def account_bill_dates(
    locations: Sequence[ServiceLocation], *, count: int = MAX_BILLS_BACK
) -> list[date]:
    """Newest first, from the location billed most recently (bills cover the whole account)."""
    billed = [loc for loc in locations if loc.last_bill_date is not None]
    if not billed:
        return []
    latest = max(billed, key=lambda loc: (loc.last_bill_date or date.min, loc.location_id))
    assert latest.last_bill_date is not None
    day = cycle_day_of(latest.billing_cycle, fallback=latest.last_bill_date.day)
    return bill_dates_back(
        last_bill_date=latest.last_bill_date, cycle_day=day, count=min(count, MAX_BILLS_BACK)
    )
