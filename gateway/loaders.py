"""Per-request DataLoaders: the only code that reads from the co-op's systems.

Resolvers ask loaders, never adapters, so that within one request no system is
asked the same thing twice and independent reads run concurrently. The batch
functions below are the single place that calls adapters (a shared cache slots in
between here). SOAP cannot ask for several keys in one call, so those batches fan
out with `asyncio.gather`; the meter store has batch queries and gets one call per
range. A failure is returned for its key only, so one bad key costs one field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Generic, NamedTuple, TypeVar, cast

from aiodataloader import DataLoader

from adapters.cis.port import Balance, Bill, CisPort, Customer, Meter, ServiceLocation
from adapters.meters.port import (
    DailyRead,
    DailyWeather,
    IntervalRead,
    MeterDataNotFound,
    MeterDataPort,
)
from adapters.oms.port import LocationOutageStatus, OmsPort

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")
BatchFn = Callable[[list[K]], Coroutine[Any, Any, list[V | Exception]]]


class BillKey(NamedTuple):
    account_number: str
    bill_date: date


class WeatherRange(NamedTuple):
    station_id: str
    start: date  # included
    end: date  # excluded


class DailyReadRange(NamedTuple):
    meter_no: str
    start: date  # included
    end: date  # excluded


class HourlyReadRange(NamedTuple):
    meter_no: str
    start: datetime  # included, aware
    end: datetime  # excluded, aware


class Loader(Generic[K, V]):
    """A typed face on aiodataloader's DataLoader (which is untyped)."""

    def __init__(self, batch: BatchFn[K, V]) -> None:
        # A value that is an exception fails that key's load (aiodataloader's rule).
        self._inner: DataLoader[K, V | Exception] = DataLoader(batch_load_fn=batch)

    async def load(self, key: K) -> V:
        return cast(V, await self._inner.load(key))

    async def load_many(self, keys: Sequence[K]) -> list[V]:
        return list(await asyncio.gather(*(self.load(key) for key in keys)))

    def clear(self, key: K) -> None:
        """Forget `key`, so the next load asks the system again (after a write)."""
        self._inner.clear(key)


async def each(keys: Sequence[K], fetch: Callable[[K], Awaitable[T]]) -> list[T | Exception]:
    """`fetch` every key concurrently; a key that fails gets its exception as its value."""
    results = await asyncio.gather(*(fetch(key) for key in keys), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result  # cancellation and interpreter exits are not per-key results
    return cast(list[T | Exception], results)


def customer_loader(cis: CisPort) -> Loader[str, Customer]:
    async def batch(ids: list[str]) -> list[Customer | Exception]:
        return await each(ids, cis.get_customer)

    return Loader(batch)


def service_locations_loader(cis: CisPort) -> Loader[str, Sequence[ServiceLocation]]:
    async def batch(accounts: list[str]) -> list[Sequence[ServiceLocation] | Exception]:
        return await each(accounts, cis.get_service_locations_by_account)

    return Loader(batch)


def meters_loader(cis: CisPort) -> Loader[str, Sequence[Meter]]:
    async def batch(accounts: list[str]) -> list[Sequence[Meter] | Exception]:
        return await each(accounts, cis.get_meters_by_account)

    return Loader(batch)


def bill_loader(cis: CisPort) -> Loader[BillKey, Bill]:
    async def batch(keys: list[BillKey]) -> list[Bill | Exception]:
        return await each(keys, lambda key: cis.get_bill(key.account_number, key.bill_date))

    return Loader(batch)


def balance_loader(cis: CisPort) -> Loader[str, Balance]:
    async def batch(accounts: list[str]) -> list[Balance | Exception]:
        return await each(accounts, cis.get_balance)

    return Loader(batch)


def outage_status_loader(oms: OmsPort) -> Loader[str, LocationOutageStatus]:
    async def batch(location_ids: list[str]) -> list[LocationOutageStatus | Exception]:
        return await each(location_ids, oms.get_outage_status)

    return Loader(batch)


def weather_station_loader(meters: MeterDataPort) -> Loader[str, str]:
    async def batch(location_ids: list[str]) -> list[str | Exception]:
        return await each(location_ids, meters.weather_station_for_location)

    return Loader(batch)


def daily_weather_loader(meters: MeterDataPort) -> Loader[WeatherRange, Sequence[DailyWeather]]:
    async def batch(keys: list[WeatherRange]) -> list[Sequence[DailyWeather] | Exception]:
        return await each(
            keys, lambda key: meters.daily_weather(key.station_id, start=key.start, end=key.end)
        )

    return Loader(batch)


def daily_reads_loader(meters: MeterDataPort) -> Loader[DailyReadRange, Sequence[DailyRead]]:
    async def batch(keys: list[DailyReadRange]) -> list[Sequence[DailyRead] | Exception]:
        async def fetch(
            meter_nos: list[str], start: date, end: date
        ) -> Mapping[str, Sequence[DailyRead]]:
            return await meters.daily_reads_many(meter_nos, start=start, end=end)

        return await _by_range(keys, fetch)

    return Loader(batch)


def hourly_reads_loader(meters: MeterDataPort) -> Loader[HourlyReadRange, Sequence[IntervalRead]]:
    async def batch(keys: list[HourlyReadRange]) -> list[Sequence[IntervalRead] | Exception]:
        async def fetch(
            meter_nos: list[str], start: datetime, end: datetime
        ) -> Mapping[str, Sequence[IntervalRead]]:
            return await meters.hourly_reads_many(meter_nos, start=start, end=end)

        return await _by_range(keys, fetch)

    return Loader(batch)


R = TypeVar("R")
P = TypeVar("P", date, datetime)


async def _by_range(
    keys: Sequence[tuple[str, P, P]],
    fetch: Callable[[list[str], P, P], Awaitable[Mapping[str, Sequence[R]]]],
) -> list[Sequence[R] | Exception]:
    """One batch query per distinct range, all ranges concurrently."""
    ranges: dict[tuple[P, P], list[str]] = {}
    for meter_no, start, end in keys:
        ranges.setdefault((start, end), []).append(meter_no)
    spans = list(ranges)
    answers = await each(spans, lambda span: fetch(ranges[span], span[0], span[1]))
    by_span = dict(zip(spans, answers, strict=True))
    results: list[Sequence[R] | Exception] = []
    for meter_no, start, end in keys:
        answer = by_span[(start, end)]
        if isinstance(answer, Exception):
            results.append(answer)
        elif meter_no in answer:
            results.append(answer[meter_no])
        else:
            results.append(MeterDataNotFound(f"no meter {meter_no!r} in the meter data store"))
    return results
