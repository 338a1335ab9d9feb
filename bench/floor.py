"""The floor: what an operation costs with nothing but the backend calls it cannot avoid.

Each plan calls the stand-ins through the gateway's own adapters (SOAP over HTTP, SQL),
in the order the calls depend on each other and with every independent branch
concurrent, and remembers when each chain of dependent calls finished. The whole plan's
time is the floor: no gateway, however clever, answers faster, since it has to make
the same calls on the same machine. The plans ask each distinct question once, so
their call counts are also the most any request of the workload should need.

Each call of the plan is then replayed alone, one at a time. The sum of the slowest
solo call of each hop is a chain's critical path: its pure latency, without the
contention of making all the calls at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from adapters.cis.port import CisNotFound, CisPort
from adapters.errors import BackendUnavailable, NotFound
from adapters.meters.port import MeterDataPort
from adapters.oms.port import OmsPort
from bench.results import FloorResult
from bench.stats import summarize
from gateway.billing.calendar import account_bill_dates
from gateway.usage.series import utc_bounds

T = TypeVar("T")

DAY = timedelta(days=1)
SOLO_CALLS_PER_OPERATION = 5
FLOOR_ATTEMPTS = 3
# Generous: a floor that gives up measures nothing (the gateway keeps its own timeouts).
FLOOR_TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class Ports:
    cis: CisPort
    oms: OmsPort
    meters: MeterDataPort


@dataclass(frozen=True, slots=True)
class BackendAccess:
    """Where the stand-ins are and how to sign in (the gateway gets the same)."""

    cis_url: str
    oms_url: str
    user: str
    password: str
    meters_database_url: str


Chain = tuple[str, ...]  # "system.operation" of each call, each needing the one before


def chain_name(chain: Chain) -> str:
    return " → ".join(chain)


class Marks:
    """When each chain of dependent calls finished, in ms since the plan started."""

    def __init__(self) -> None:
        self._start = time.perf_counter()
        self.finished: dict[Chain, float] = {}

    def done(self, chain: Chain) -> None:
        # A chain run for several accounts is done when its last run is.
        elapsed = (time.perf_counter() - self._start) * 1000
        self.finished[chain] = max(self.finished.get(chain, 0.0), elapsed)


FloorPlan = Callable[[Ports, Marks], Awaitable[None]]


class _Once:
    """One task per key: the plans never ask a backend the same thing twice."""

    def __init__(self) -> None:
        self._tasks: dict[Hashable, asyncio.Task[Any]] = {}

    def __call__(self, key: Hashable, start: Callable[[], Coroutine[Any, Any, T]]) -> Awaitable[T]:
        if key not in self._tasks:
            self._tasks[key] = asyncio.ensure_future(start())
        return cast("asyncio.Task[T]", self._tasks[key])


@dataclass(frozen=True, slots=True)
class LoggedCall:
    name: str  # "system.operation"
    elapsed_ms: float  # in the logged run, among all the others
    again: Callable[[], Awaitable[object]]


class CallLog:
    """Every call a plan made, with its time and a way to make it again."""

    def __init__(self) -> None:
        self.calls: list[LoggedCall] = []

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(call.name for call in self.calls).items()))

    async def slowest_alone_ms(
        self, *, per_operation: int = SOLO_CALLS_PER_OPERATION
    ) -> dict[str, float]:
        """The slowest calls of each operation made again, one at a time: the slowest, in ms.

        Only the calls that were slowest in the logged run are made again (a location in
        an outage costs the OMS two calls, a bill with more lines more XML): a hundred
        accounts' calls one by one would take minutes.
        """
        by_operation: dict[str, list[LoggedCall]] = {}
        for call in self.calls:
            by_operation.setdefault(call.name, []).append(call)
        slowest: dict[str, float] = {}
        for name, calls in by_operation.items():
            calls.sort(key=lambda call: call.elapsed_ms, reverse=True)
            for call in calls[:per_operation]:
                started = time.perf_counter()
                with contextlib.suppress(NotFound):  # the bill before the first: same cost
                    await call.again()
                elapsed = (time.perf_counter() - started) * 1000
                slowest[name] = max(slowest.get(name, 0.0), elapsed)
        return dict(sorted(slowest.items()))


class _Logged:
    """Forwards to an adapter, logging each coroutine method call."""

    def __init__(self, system: str, target: object, log: CallLog) -> None:
        self._system = system
        self._target = target
        self._log = log

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._target, name)
        if not inspect.iscoroutinefunction(method):
            return method

        @functools.wraps(method)
        async def logged(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await method(*args, **kwargs)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                again = functools.partial(method, *args, **kwargs)
                self._log.calls.append(LoggedCall(f"{self._system}.{name}", elapsed, again))

        return logged


def logged(ports: Ports, log: CallLog) -> Ports:
    return Ports(
        cis=cast(CisPort, _Logged("cis", ports.cis, log)),
        oms=cast(OmsPort, _Logged("oms", ports.oms, log)),
        meters=cast(MeterDataPort, _Logged("meters", ports.meters, log)),
    )


@asynccontextmanager
async def open_ports(access: BackendAccess) -> AsyncIterator[Ports]:
    """The real adapters, made as the gateway makes them (but slower to give up)."""
    from adapters.cis.soap import SoapCis
    from adapters.meters.sql import SqlMeterData
    from adapters.multispeak import MultiSpeakEndpoint
    from adapters.oms.soap import SoapOms

    def endpoint(url: str) -> MultiSpeakEndpoint:
        return MultiSpeakEndpoint(
            url=url, user_id=access.user, password=access.password, timeout_s=FLOOR_TIMEOUT_S
        )

    async with AsyncExitStack() as stack:
        cis = await SoapCis.create(endpoint=endpoint(access.cis_url))
        stack.push_async_callback(cis.aclose)
        oms = await SoapOms.create(endpoint=endpoint(access.oms_url))
        stack.push_async_callback(oms.aclose)
        meters = SqlMeterData.from_url(access.meters_database_url, timeout=FLOOR_TIMEOUT_S)
        stack.push_async_callback(meters.aclose)
        yield Ports(cis=cis, oms=oms, meters=meters)


async def measure_floor(plan: FloorPlan, ports: Ports, *, repetitions: int) -> FloorResult:
    """One logged run (which also warms the stand-ins), `repetitions` timed runs, then
    every logged call again alone."""
    log = CallLog()
    await plan(logged(ports, log), Marks())
    totals: list[float] = []
    finished: dict[Chain, list[float]] = {}
    for _ in range(repetitions):
        marks = Marks()
        started = time.perf_counter()
        await plan(ports, marks)
        totals.append((time.perf_counter() - started) * 1000)
        for chain, elapsed in marks.finished.items():
            finished.setdefault(chain, []).append(elapsed)
    alone = await log.slowest_alone_ms()
    return FloorResult(
        latency=summarize(totals),
        chains_ms={chain_name(chain): median(times) for chain, times in finished.items()},
        critical_paths_ms={
            chain_name(chain): sum(alone.get(hop, 0.0) for hop in chain) for chain in finished
        },
        slowest_call_alone_ms=alone,
        calls=log.counts(),
    )


async def time_plan_ms(plan: FloorPlan, ports: Ports) -> float:
    started = time.perf_counter()
    await plan(ports, Marks())
    return (time.perf_counter() - started) * 1000


class FloorProbe:
    """The adapters on an event loop of their own, so that floor plans can be timed
    between the harness's own (blocking) requests to the gateway."""

    def __init__(self, access: BackendAccess) -> None:
        self._access = access
        self._runner = asyncio.Runner()
        self._stack = AsyncExitStack()
        self._ports: Ports | None = None
        self.retries = 0  # runs made again after a broken connection

    def __enter__(self) -> FloorProbe:
        self._ports = self._runner.run(self._stack.enter_async_context(open_ports(self._access)))
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self._runner.run(self._stack.aclose())
        finally:
            self._runner.close()

    @property
    def ports(self) -> Ports:
        if self._ports is None:
            raise RuntimeError("the floor probe is not open")
        return self._ports

    def measure(self, plan: FloorPlan, *, repetitions: int) -> FloorResult:
        return self._run(lambda: measure_floor(plan, self.ports, repetitions=repetitions))

    def time_ms(self, plan: FloorPlan) -> float:
        return self._run(lambda: time_plan_ms(plan, self.ports))

    def _run(self, start: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run to the end, again if a connection broke (a failed run times nothing)."""
        for attempt in range(1, FLOOR_ATTEMPTS + 1):
            try:
                return self._runner.run(start())
            except BackendUnavailable:
                # A stand-in may close an idle keep-alive connection just as it is reused.
                if attempt == FLOOR_ATTEMPTS:
                    raise
                self.retries += 1
        raise AssertionError("unreachable")


LOCATIONS = "cis.get_service_locations_by_account"
BALANCE_CHAIN: Chain = ("cis.get_balance",)
# The dates of the bills follow from the locations' billing cycle.
BILLS_CHAIN: Chain = (LOCATIONS, "cis.get_bill")
OUTAGE_CHAIN: Chain = (LOCATIONS, "oms.get_outage_status")
WEATHER_CHAIN: Chain = (
    LOCATIONS,
    "meters.weather_station_for_location",
    "meters.daily_weather",
)
DAILY_READS_CHAIN: Chain = ("cis.get_meters_by_account", "meters.daily_reads_many")
HOURLY_READS_CHAIN: Chain = ("cis.get_meters_by_account", "meters.hourly_reads_many")
CUSTOMER_CHAIN: Chain = (LOCATIONS, "cis.get_customer")


async def _weather(ports: Ports, marks: Marks, location_id: str, start: date, end: date) -> None:
    station = await ports.meters.weather_station_for_location(location_id)
    await ports.meters.daily_weather(station, start=start, end=end + DAY)
    marks.done(WEATHER_CHAIN)


async def _outage_statuses(ports: Ports, marks: Marks, location_ids: Sequence[str]) -> None:
    await asyncio.gather(*(ports.oms.get_outage_status(loc) for loc in location_ids))
    marks.done(OUTAGE_CHAIN)


async def _balance(ports: Ports, marks: Marks, account: str) -> None:
    await ports.cis.get_balance(account)
    marks.done(BALANCE_CHAIN)


def dashboard_plan(accounts: Sequence[str], *, start: date, end: date, bills: int) -> FloorPlan:
    """Per account: balance; `bills` bills and one more (is there a next page?);
    daily usage `start`..`end` with temperature; outage status per service location."""

    async def plan(ports: Ports, marks: Marks) -> None:
        async def bill_history(account: str, dates: Sequence[date]) -> None:
            async def bill(day: date) -> None:
                # Not found: a date before the account's first bill, where the page ends.
                with contextlib.suppress(CisNotFound):
                    await ports.cis.get_bill(account, day)

            await asyncio.gather(*(bill(day) for day in dates))
            marks.done(BILLS_CHAIN)

        async def from_locations(account: str) -> None:
            locations = await ports.cis.get_service_locations_by_account(account)
            ids = [loc.location_id for loc in locations]
            await asyncio.gather(
                bill_history(account, account_bill_dates(locations)[: bills + 1]),
                _outage_statuses(ports, marks, ids),
                _weather(ports, marks, ids[0], start, end),
            )

        async def daily_reads(account: str) -> None:
            meters = await ports.cis.get_meters_by_account(account)
            await ports.meters.daily_reads_many(
                [m.meter_no for m in meters], start=start, end=end + DAY
            )
            marks.done(DAILY_READS_CHAIN)

        await asyncio.gather(
            *(
                branch
                for account in accounts
                for branch in (
                    _balance(ports, marks, account),
                    from_locations(account),
                    daily_reads(account),
                )
            )
        )

    return plan


def hourly_usage_plan(account: str, *, start: date, end: date, zone: ZoneInfo) -> FloorPlan:
    """The account's meters' hourly reads `start`..`end` (local days) with temperature."""
    begin, finish = utc_bounds(start, end, zone)

    async def plan(ports: Ports, marks: Marks) -> None:
        async def hourly_reads() -> None:
            meters = await ports.cis.get_meters_by_account(account)
            await ports.meters.hourly_reads_many(
                [m.meter_no for m in meters], start=begin, end=finish
            )
            marks.done(HOURLY_READS_CHAIN)

        async def weather() -> None:
            locations = await ports.cis.get_service_locations_by_account(account)
            await _weather(ports, marks, locations[0].location_id, start, end)

        await asyncio.gather(hourly_reads(), weather())

    return plan


def account_list_plan(accounts: Sequence[str]) -> FloorPlan:
    """Per account: the customer's name, the balance, outage status per location."""

    async def plan(ports: Ports, marks: Marks) -> None:
        once = _Once()

        async def customer(customer_id: str) -> None:
            await once(customer_id, lambda: ports.cis.get_customer(customer_id))
            marks.done(CUSTOMER_CHAIN)

        async def from_locations(account: str) -> None:
            locations = await ports.cis.get_service_locations_by_account(account)
            await asyncio.gather(
                customer(locations[0].customer_id),
                _outage_statuses(ports, marks, [loc.location_id for loc in locations]),
            )

        await asyncio.gather(
            *(
                branch
                for account in accounts
                for branch in (_balance(ports, marks, account), from_locations(account))
            )
        )

    return plan
