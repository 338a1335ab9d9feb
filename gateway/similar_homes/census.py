"""Counting similar homes: every account's kWh per day in a month, grouped by weather
station and rate class, kept as each group's size and cut points only.

The CIS lists every service location (`adapters.cis.listing`); each account is placed
by its home location (`standing.home_location`), whose weather station the meter store
names. Meters and stations are reference data a member's request reads too, so they
are read through the loaders and the shared cache; the month of daily reads of every
meter is read straight from the meter store in batches, because no request asks for
the whole co-op and caching it would only crowd the cache. An account the CIS or the
meter store does not know (any more) is left out; a system that is down fails the count,
which the job tries again later.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, TypeVar

from adapters.cis.listing import all_service_locations
from adapters.cis.port import CisNotFound, CisPort, ServiceLocation
from adapters.meters.port import DailyReads, MeterDataNotFound, MeterDataPort
from gateway.core.loaders import DataLoaders
from gateway.similar_homes.standing import MIN_HOMES, cut_points, home_location, kwh_per_day
from gateway.similar_homes.store import GroupKey, HomeGroup

# Accounts whose meters and stations are asked for at once, and meters read per query:
# enough to keep the systems busy, few enough that members' requests beside the count
# keep answering (more at once made CIS calls queue past their timeout, and the CIS's
# breaker then turned members' requests away too).
ACCOUNTS_AT_ONCE: Final = 8
METERS_PER_QUERY: Final = 500

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class PlacedHome:
    """An account, its group and its meters: what a month's count needs of it."""

    account_number: str
    key: GroupKey
    meter_nos: tuple[str, ...]


def month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def ended_months(today: date, count: int) -> list[date]:
    """The first days of the `count` months before today's, the latest first."""
    index = today.year * 12 + today.month - 1
    return [date((index - back) // 12, (index - back) % 12 + 1, 1) for back in range(1, 1 + count)]


async def place_homes(*, cis: CisPort, loaders: DataLoaders) -> list[PlacedHome]:
    """Every account with an active location, its group and its meters."""
    by_account: dict[str, list[ServiceLocation]] = defaultdict(list)
    for location in await all_service_locations(cis):
        by_account[location.account_number].append(location)
    homes = {
        number: home
        for number, located in by_account.items()
        if (home := home_location(located)) is not None
    }
    numbers = sorted(homes)
    stations = await _in_chunks(
        [homes[n].location_id for n in numbers], loaders.weather_station.load, MeterDataNotFound
    )
    meters = await _in_chunks(numbers, loaders.meters.load, CisNotFound)
    return [
        PlacedHome(
            number,
            GroupKey(station, homes[number].rate_class),
            tuple(m.meter_no for m in meters[index] or ()),
        )
        for index, (number, station) in enumerate(zip(numbers, stations, strict=True))
        if station is not None and meters[index]
    ]


async def _in_chunks(
    keys: Sequence[K], load: Callable[[K], Awaitable[V]], missing: type[Exception]
) -> list[V | None]:
    """`load` for every key, `ACCOUNTS_AT_ONCE` at a time; None for a key it does not know."""

    async def one(key: K) -> V | None:
        try:
            return await load(key)
        except missing:
            return None

    found: list[V | None] = []
    for start in range(0, len(keys), ACCOUNTS_AT_ONCE):
        chunk = keys[start : start + ACCOUNTS_AT_ONCE]
        found.extend(await asyncio.gather(*(one(key) for key in chunk)))
    return found


async def count_month(
    *, meters: MeterDataPort, homes: Sequence[PlacedHome], month: date, computed_at: datetime
) -> list[HomeGroup]:
    """Every group's size and cut points in `month` (a month's first day)."""
    end = month_after(month)
    days = (end - month).days
    reads: dict[str, DailyReads] = {}
    meter_nos = sorted({m for home in homes for m in home.meter_nos})
    for batch in _batches(meter_nos, METERS_PER_QUERY):
        reads.update(await meters.daily_reads_many(batch, start=month, end=end))
    figures: dict[GroupKey, list[float]] = defaultdict(list)
    for home in homes:
        if not all(m in reads for m in home.meter_nos):
            continue
        figure = kwh_per_day([reads[m] for m in home.meter_nos], days=days)
        if figure is not None:
            figures[home.key].append(figure)
    return [
        HomeGroup(
            key=key,
            month=month,
            homes=len(group),
            cuts=cut_points(group) if len(group) >= MIN_HOMES else (),
            computed_at=computed_at,
        )
        for key, group in sorted(figures.items(), key=lambda item: _sort_key(item[0]))
    ]


def _sort_key(key: GroupKey) -> tuple[str, str]:
    return key.station_id, key.rate_class


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
