"""Everything a bill's PDF prints, read through the loaders: the CIS's bill, customer
and service locations, and thirteen months of usage with the temperature beside it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from adapters.cis.port import Bill, CisNotFound, Customer, ServiceLocation
from adapters.meters.port import MeterDataError
from gateway.core.loaders import BillKey, DataLoaders
from gateway.documents.coop import CoopIdentity
from gateway.usage.series import Interval
from gateway.usage.service import usage_series

HISTORY_MONTHS = 13


@dataclass(frozen=True, slots=True)
class MonthUsage:
    month: date  # its first day
    kwh: float
    temperature_f: float | None


@dataclass(frozen=True, slots=True)
class BillStatement:
    coop: CoopIdentity
    account_number: str
    customer: Customer
    locations: tuple[ServiceLocation, ...]
    bill: Bill
    # Oldest first, up to the bill's last month; None when the meter data store could
    # not be read (the bill is still worth printing, without its chart).
    history: tuple[MonthUsage, ...] | None


def history_start(period_end: date) -> date:
    """The first day of the month `HISTORY_MONTHS - 1` months before the period's last."""
    index = period_end.year * 12 + period_end.month - 1 - (HISTORY_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1)


async def bill_statement(
    *,
    loaders: DataLoaders,
    zone: ZoneInfo,
    coop: CoopIdentity,
    account_number: str,
    bill_date: date,
) -> BillStatement:
    """`CisNotFound` when the CIS has no such bill; other CIS errors as they come."""
    bill, locations = await asyncio.gather(
        loaders.bill.load(BillKey(account_number, bill_date)),
        loaders.service_locations.load(account_number),
    )
    if not locations:
        raise CisNotFound(f"account {account_number!r} has no service locations")
    customer, history = await asyncio.gather(
        loaders.customer.load(locations[0].customer_id),
        _history(loaders, zone, account_number, locations, bill),
    )
    return BillStatement(
        coop=coop,
        account_number=account_number,
        customer=customer,
        locations=tuple(locations),
        bill=bill,
        history=history,
    )


async def _history(
    loaders: DataLoaders,
    zone: ZoneInfo,
    account_number: str,
    locations: Sequence[ServiceLocation],
    bill: Bill,
) -> tuple[MonthUsage, ...] | None:
    meters = await loaders.meters.load(account_number)
    try:
        series = await usage_series(
            loaders=loaders,
            zone=zone,
            meter_nos=[meter.meter_no for meter in meters],
            weather_location_id=locations[0].location_id if locations else None,
            start=history_start(bill.period_end),
            end=bill.period_end,
            interval=Interval.MONTH,
        )
    except MeterDataError:
        return None
    return tuple(
        MonthUsage(point.starts_at.date().replace(day=1), point.kwh, point.temperature_f)
        for point in series.points
    )
