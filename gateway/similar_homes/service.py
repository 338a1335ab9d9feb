"""Where an account stands among similar homes in a month that has ended.

The account's own kWh per day is read through the loaders (its meters' daily reads of
the month, as its usage is); the group is the one the worker counted
(`gateway.similar_homes.jobs`), read from the gateway's own database. Nothing of any
other home is read or given: only the group's size and three of its cut points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from gateway.core.errors import BadUserInput
from gateway.core.loaders import DailyReadRange, DataLoaders
from gateway.core.store.gateway_store import GatewayStore
from gateway.similar_homes.census import ended_months, month_after
from gateway.similar_homes.standing import (
    MIN_HOMES,
    home_location,
    kwh_per_day,
    percentile_of,
    quartiles,
)
from gateway.similar_homes.store import GroupKey, group_in
from gateway.usage.comparison import parse_month


@dataclass(frozen=True, slots=True)
class Standing:
    month: date  # its first day
    homes: int
    rate_class: str
    kwh_per_day: float
    percentile: int
    lower_quartile_kwh_per_day: float
    median_kwh_per_day: float
    upper_quartile_kwh_per_day: float
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class TooFewHomes:
    month: date
    homes: int


class Gap(Enum):
    NOT_COUNTED = "not_counted"  # the worker has not counted this month (yet)
    TOO_FEW_READS = "too_few_reads"  # the account's meters lack reads of the month
    NO_ACTIVE_SERVICE = "no_active_service"


@dataclass(frozen=True, slots=True)
class NoStanding:
    month: date  # the month asked for; by default the last that has ended
    gap: Gap


def ended_month(text: str, *, today: date) -> date:
    """The first day of the month `text` names ("2026-10"); `BadUserInput` unless it has
    ended by `today`."""
    year, month = parse_month(text, argument="month")
    first = date(year, month, 1)
    if month_after(first) > today:
        raise BadUserInput("`month` must be a month that has ended.")
    return first


async def similar_homes_standing(
    *,
    loaders: DataLoaders,
    store: GatewayStore,
    account_number: str,
    month: str | None,
    today: date,
) -> Standing | TooFewHomes | NoStanding:
    """In `month`, or by default in the latest month counted."""
    wanted = None if month is None else ended_month(month, today=today)
    # What a gap is reported for when no month was asked for.
    shown = wanted or ended_months(today, 1)[0]
    home = home_location(await loaders.service_locations.load(account_number))
    if home is None:
        return NoStanding(shown, Gap.NO_ACTIVE_SERVICE)
    station = await loaders.weather_station.load(home.location_id)
    group = await group_in(store, GroupKey(station, home.rate_class), wanted)
    if group is None:
        return NoStanding(shown, Gap.NOT_COUNTED)
    if group.homes < MIN_HOMES or not group.cuts:
        return TooFewHomes(group.month, group.homes)
    end = month_after(group.month)
    meters = await loaders.meters.load(account_number)
    reads = await loaders.daily_reads.load_many(
        [DailyReadRange(m.meter_no, group.month, end) for m in meters]
    )
    figure = kwh_per_day(reads, days=(end - group.month).days)
    if figure is None:
        return NoStanding(group.month, Gap.TOO_FEW_READS)
    lower, median, upper = quartiles(group.cuts)
    return Standing(
        month=group.month,
        homes=group.homes,
        rate_class=home.rate_class,
        kwh_per_day=figure,
        percentile=percentile_of(figure, group.cuts),
        lower_quartile_kwh_per_day=lower,
        median_kwh_per_day=median,
        upper_quartile_kwh_per_day=upper,
        computed_at=group.computed_at,
    )
