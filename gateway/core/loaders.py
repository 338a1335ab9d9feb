"""Per-request DataLoaders: the only code that reads from the co-op's systems.

Resolvers ask loaders, never adapters, so that within one request no system is
asked the same thing twice and independent reads run concurrently. Each batch reads
the shared cache first (one round trip for all its keys) and asks the adapters only
for the misses, all of them together; what comes back is cached for as long as its
kind of data stays true (`gateway.core.cache.policy`). SOAP cannot ask for several keys
in one call, so those misses fan out with `asyncio.gather`; the meter store has batch
queries and gets one call per range. A failure is returned for its key only, so one
bad key costs one field.

Two switches exist for the benchmark's baseline (settings `cache_enabled` and
`batching_enabled`): without a cache the batches go straight to the adapters; without
batching every load is a batch of its own and nothing is remembered within the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, cast

from aiodataloader import DataLoader

from adapters.cis.payments import CisPayments, NotPrepay, PrepayBalance
from adapters.cis.port import (
    Balance,
    Bill,
    CisNotFound,
    CisPort,
    CisUnavailable,
    Customer,
    Meter,
    ServiceLocation,
)
from adapters.meters.port import (
    DailyReads,
    DailyWeather,
    HourlyReads,
    MeterDataNotFound,
    MeterDataPort,
)
from adapters.oms.port import LocationOutageStatus, OmsPort
from gateway.core.cache import kinds, policy
from gateway.core.cache.background import BackgroundWrites
from gateway.core.cache.cached import LoadMissing, TtlRule, load_through_cache
from gateway.core.cache.keys import CacheKind, key_parts
from gateway.core.cache.port import Cache, CacheStats
from gateway.core.response_cache.sources import AnswerSources

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
V_co = TypeVar("V_co", covariant=True)
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


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class LoaderOptions:
    """How one request's loaders reach the adapters."""

    cache: Cache | None = None  # None: straight to the adapters
    batching: bool = True
    # The co-op's time zone: whether a usage range includes "today" is a local question.
    zone: tzinfo = UTC
    stats: CacheStats | None = None
    clock: Callable[[], datetime] = field(default=_utc_now)
    # Where cache writes go to be made after the answer; None: before it.
    writes: BackgroundWrites | None = None
    # What this request's answer is built from (for the response cache); None: not noted.
    sources: AnswerSources | None = None

    def today(self) -> date:
        return self.clock().astimezone(self.zone).date()

    def today_starts_at(self) -> datetime:
        return datetime.combine(self.today(), time.min, tzinfo=self.zone)


DIRECT = LoaderOptions()


class Loader(Generic[K, V_co]):
    """A typed face on aiodataloader's DataLoader (which is untyped)."""

    def __init__(self, batch: BatchFn[K, V_co], *, batching: bool = True) -> None:
        # A value that is an exception fails that key's load (aiodataloader's rule).
        # Without batching, the loader also forgets every answer: each load is a call.
        self._inner: DataLoader[K, V_co | Exception] = DataLoader(
            batch_load_fn=batch, batch=batching, cache=batching
        )

    def load(self, key: K) -> Awaitable[V_co]:
        # The DataLoader's own future, not a coroutine around it: gathering futures
        # schedules no task per key (a dashboard loads dozens of keys per request).
        return cast(Awaitable[V_co], self._inner.load(key))

    async def load_many(self, keys: Sequence[K]) -> list[V_co]:
        return list(await asyncio.gather(*(self.load(key) for key in keys)))

    def clear(self, key: K) -> None:
        """Forget `key`, so the next load asks again (after a write)."""
        self._inner.clear(key)


async def each(keys: Sequence[K], fetch: Callable[[K], Awaitable[T]]) -> list[T | Exception]:
    """`fetch` every key concurrently; a key that fails gets its exception as its value."""
    results = await asyncio.gather(*(fetch(key) for key in keys), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result  # cancellation and interpreter exits are not per-key results
    return cast(list[T | Exception], results)


def cached_loader(
    options: LoaderOptions,
    *,
    kind: CacheKind[V],
    key_to_str: Callable[[K], str],
    load_missing: LoadMissing[K, V],
    ttl_s: TtlRule[K, V],
) -> Loader[K, V]:
    """A loader whose batches read through `options.cache` (if any) into `load_missing`."""

    async def batch(keys: list[K]) -> list[V | Exception]:
        if options.cache is None:
            results = list(await load_missing(keys))
        else:
            results = await load_through_cache(
                options.cache,
                kind=kind,
                keys=keys,
                key_to_str=key_to_str,
                load_missing=load_missing,
                ttl_s=ttl_s,
                stats=options.stats,
                writes=options.writes,
            )
        if options.sources is not None:
            options.sources.saw(
                kind.name, keys=keys, key_to_str=key_to_str, results=results, ttl_s=ttl_s
            )
        return results

    return Loader(batch, batching=options.batching)


def _per_key(
    options: LoaderOptions,
    fetch: Callable[[K], Awaitable[V]],
    *,
    kind: CacheKind[V],
    key_to_str: Callable[[K], str],
    ttl_s: TtlRule[K, V],
) -> Loader[K, V]:
    """A cached loader that asks `fetch` once per missing key, all keys concurrently
    (SOAP has no call for several keys)."""

    async def load(keys: Sequence[K]) -> list[V | Exception]:
        return await each(keys, fetch)

    return cached_loader(options, kind=kind, key_to_str=key_to_str, load_missing=load, ttl_s=ttl_s)


def customer_loader(cis: CisPort, options: LoaderOptions = DIRECT) -> Loader[str, Customer]:
    return _per_key(
        options,
        cis.get_customer,
        kind=kinds.CUSTOMER,
        key_to_str=key_parts,
        ttl_s=policy.REFERENCE_TTL_S,
    )


def service_locations_loader(
    cis: CisPort, options: LoaderOptions = DIRECT
) -> Loader[str, tuple[ServiceLocation, ...]]:
    return _per_key(
        options,
        lambda account: _as_tuple(cis.get_service_locations_by_account(account)),
        kind=kinds.SERVICE_LOCATIONS_BY_ACCOUNT,
        key_to_str=key_parts,
        ttl_s=policy.REFERENCE_TTL_S,
    )


def meters_loader(cis: CisPort, options: LoaderOptions = DIRECT) -> Loader[str, tuple[Meter, ...]]:
    return _per_key(
        options,
        lambda account: _as_tuple(cis.get_meters_by_account(account)),
        kind=kinds.METERS_BY_ACCOUNT,
        key_to_str=key_parts,
        ttl_s=policy.REFERENCE_TTL_S,
    )


def bill_loader(cis: CisPort, options: LoaderOptions = DIRECT) -> Loader[BillKey, Bill]:
    return _per_key(
        options,
        lambda key: cis.get_bill(key.account_number, key.bill_date),
        kind=kinds.BILL,
        key_to_str=lambda key: key_parts(key.account_number, key.bill_date),
        ttl_s=policy.BILL_TTL_S,
    )


def balance_loader(cis: CisPort, options: LoaderOptions = DIRECT) -> Loader[str, Balance]:
    return _per_key(
        options,
        cis.get_balance,
        kind=kinds.BALANCE,
        key_to_str=key_parts,
        ttl_s=policy.BALANCE_TTL_S,
    )


class NotPrepayAccount(CisNotFound):
    """The CIS has no prepay balance for an account billed the usual way."""


def prepay_balance_loader(
    cis: CisPayments | None, options: LoaderOptions = DIRECT
) -> Loader[str, PrepayBalance]:
    """`cis` None: the CIS's payment half is not wired, and every load fails.

    Only prepay balances are cached (as long as a balance): an account billed the usual
    way fails with `NotPrepayAccount`, and callers ask only for accounts whose service
    locations say prepay, so that answer is rare.
    """

    async def fetch(account_number: str) -> PrepayBalance:
        if cis is None:
            raise CisUnavailable("the CIS's payment calls are not configured")
        answer = await cis.prepay_balance(account_number)
        if isinstance(answer, NotPrepay):
            raise NotPrepayAccount(f"account {account_number!r} is not prepay")
        return answer

    return _per_key(
        options,
        fetch,
        kind=kinds.PREPAY_BALANCE,
        key_to_str=key_parts,
        ttl_s=policy.BALANCE_TTL_S,
    )


def outage_status_loader(
    oms: OmsPort, options: LoaderOptions = DIRECT
) -> Loader[str, LocationOutageStatus]:
    return _per_key(
        options,
        oms.get_outage_status,
        kind=kinds.OUTAGE_STATUS,
        key_to_str=key_parts,
        ttl_s=policy.OUTAGE_TTL_S,
    )


def weather_station_loader(
    meters: MeterDataPort, options: LoaderOptions = DIRECT
) -> Loader[str, str]:
    return _per_key(
        options,
        meters.weather_station_for_location,
        kind=kinds.WEATHER_STATION,
        key_to_str=key_parts,
        ttl_s=policy.REFERENCE_TTL_S,
    )


def daily_weather_loader(
    meters: MeterDataPort, options: LoaderOptions = DIRECT
) -> Loader[WeatherRange, Sequence[DailyWeather]]:
    def ttl_s(key: WeatherRange, _: Sequence[DailyWeather]) -> float:
        return policy.daily_usage_ttl_s(key.end, today=options.today(), has_estimates=False)

    return _per_key(
        options,
        lambda key: _as_tuple(meters.daily_weather(key.station_id, start=key.start, end=key.end)),
        kind=kinds.DAILY_WEATHER,
        key_to_str=lambda key: key_parts(key.station_id, key.start, key.end),
        ttl_s=ttl_s,
    )


def daily_reads_loader(
    meters: MeterDataPort, options: LoaderOptions = DIRECT
) -> Loader[DailyReadRange, DailyReads]:
    async def load(keys: Sequence[DailyReadRange]) -> list[DailyReads | Exception]:
        return await _by_range(keys, meters.daily_reads_many)

    def ttl_s(key: DailyReadRange, reads: DailyReads) -> float:
        return policy.daily_usage_ttl_s(
            key.end, today=options.today(), has_estimates=any(reads.estimated)
        )

    return cached_loader(
        options,
        kind=kinds.DAILY_READS,
        key_to_str=lambda key: key_parts(key.meter_no, key.start, key.end),
        load_missing=load,
        ttl_s=ttl_s,
    )


def hourly_reads_loader(
    meters: MeterDataPort, options: LoaderOptions = DIRECT
) -> Loader[HourlyReadRange, HourlyReads]:
    async def load(keys: Sequence[HourlyReadRange]) -> list[HourlyReads | Exception]:
        return await _by_range(keys, meters.hourly_reads_many)

    def ttl_s(key: HourlyReadRange, reads: HourlyReads) -> float:
        return policy.hourly_usage_ttl_s(
            key.end,
            today_starts_at=options.today_starts_at(),
            has_estimates=any(reads.estimated),
        )

    def key_to_str(key: HourlyReadRange) -> str:
        # The same instants written with another offset are the same question.
        return key_parts(key.meter_no, key.start.astimezone(UTC), key.end.astimezone(UTC))

    return cached_loader(
        options, kind=kinds.HOURLY_READS, key_to_str=key_to_str, load_missing=load, ttl_s=ttl_s
    )


async def _as_tuple(call: Awaitable[Sequence[T]]) -> tuple[T, ...]:
    # Cached lists come back as tuples; answering tuples always keeps both paths alike.
    return tuple(await call)


R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
P = TypeVar("P", date, datetime)
P_contra = TypeVar("P_contra", contravariant=True)


class _RangeQuery(Protocol[P_contra, R_co]):
    """A meter store query for several meters over one range (`daily_reads_many`)."""

    def __call__(
        self, meter_nos: Sequence[str], /, *, start: P_contra, end: P_contra
    ) -> Awaitable[Mapping[str, R_co]]: ...


async def _by_range(
    keys: Sequence[tuple[str, P, P]], fetch: _RangeQuery[P, R]
) -> list[R | Exception]:
    """One batch query per distinct range, all ranges concurrently."""
    ranges: dict[tuple[P, P], list[str]] = {}
    for meter_no, start, end in keys:
        ranges.setdefault((start, end), []).append(meter_no)
    spans = list(ranges)
    answers = await each(spans, lambda span: fetch(ranges[span], start=span[0], end=span[1]))
    by_span = dict(zip(spans, answers, strict=True))
    results: list[R | Exception] = []
    for meter_no, start, end in keys:
        answer = by_span[(start, end)]
        if isinstance(answer, Exception):
            results.append(answer)
        elif meter_no in answer:
            results.append(answer[meter_no])
        else:
            results.append(MeterDataNotFound(f"no meter {meter_no!r} in the meter data store"))
    return results


class _Built(Generic[T]):
    """A `DataLoaders` attribute made by `build` the first time a request reads it."""

    def __init__(self, build: Callable[[DataLoaders], T]) -> None:
        self._build = build
        self._name = ""

    def __set_name__(self, owner: type[DataLoaders], name: str) -> None:
        self._name = name

    def __get__(self, loaders: DataLoaders, owner: type[DataLoaders] | None = None) -> T:
        built = loaders.built
        if self._name not in built:
            built[self._name] = self._build(loaders)
        return cast(T, built[self._name])


class DataLoaders:
    """One request's loaders, one per kind of backend read; made fresh per request.

    Each loader is built when the request first reads it: a request served from the
    response cache reads none, and most documents need a few of the eleven.
    """

    __slots__ = ("_cis", "_cis_payments", "_meters", "_oms", "_options", "built")

    def __init__(
        self,
        *,
        cis: CisPort,
        oms: OmsPort,
        meters: MeterDataPort,
        options: LoaderOptions,
        cis_payments: CisPayments | None,
    ) -> None:
        self._cis = cis
        self._oms = oms
        self._meters = meters
        self._options = options
        self._cis_payments = cis_payments
        self.built: dict[str, object] = {}  # attribute name -> its loader, once read

    @classmethod
    def create(
        cls,
        *,
        cis: CisPort,
        oms: OmsPort,
        meters: MeterDataPort,
        options: LoaderOptions = DIRECT,
        cis_payments: CisPayments | None = None,
    ) -> DataLoaders:
        return cls(cis=cis, oms=oms, meters=meters, options=options, cis_payments=cis_payments)

    @property
    def cache_writes(self) -> BackgroundWrites | None:
        """Where this request's cache writes wait to be made (None: made at once)."""
        return self._options.writes

    customer: _Built[Loader[str, Customer]] = _Built(
        lambda it: customer_loader(it._cis, it._options)
    )
    service_locations: _Built[Loader[str, Sequence[ServiceLocation]]] = _Built(
        lambda it: service_locations_loader(it._cis, it._options)
    )
    meters: _Built[Loader[str, Sequence[Meter]]] = _Built(
        lambda it: meters_loader(it._cis, it._options)
    )
    bill: _Built[Loader[BillKey, Bill]] = _Built(lambda it: bill_loader(it._cis, it._options))
    balance: _Built[Loader[str, Balance]] = _Built(lambda it: balance_loader(it._cis, it._options))
    prepay_balance: _Built[Loader[str, PrepayBalance]] = _Built(
        lambda it: prepay_balance_loader(it._cis_payments, it._options)
    )
    outage_status: _Built[Loader[str, LocationOutageStatus]] = _Built(
        lambda it: outage_status_loader(it._oms, it._options)
    )
    weather_station: _Built[Loader[str, str]] = _Built(
        lambda it: weather_station_loader(it._meters, it._options)
    )
    daily_weather: _Built[Loader[WeatherRange, Sequence[DailyWeather]]] = _Built(
        lambda it: daily_weather_loader(it._meters, it._options)
    )
    daily_reads: _Built[Loader[DailyReadRange, DailyReads]] = _Built(
        lambda it: daily_reads_loader(it._meters, it._options)
    )
    hourly_reads: _Built[Loader[HourlyReadRange, HourlyReads]] = _Built(
        lambda it: hourly_reads_loader(it._meters, it._options)
    )
