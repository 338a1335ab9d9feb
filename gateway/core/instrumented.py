"""Each adapter wrapped once, at wiring time, so every call to it is guarded and timed.

Guarded: each system has its own timeout and circuit breaker, every call respects the
request's deadline, and reads are retried once on a missing answer
(`gateway.core.resilience`). Writes are marked as such here, and never retried.

The wrappers implement the ports themselves, so the rest of the gateway cannot tell
them from the adapters, and a method added to a port without its wrapper here is a
type error where `instrument` builds them. A call is counted whether it answers or
fails: it reached the system either way; a call the breaker refused is not. Closing
is not a call to the system.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

from adapters.cis.port import (
    Balance,
    Bill,
    ChangePage,
    CisPort,
    CisUnavailable,
    Customer,
    Meter,
    MeterMatch,
    PostalAddress,
    ServiceLocation,
    ServiceLocationPage,
)
from adapters.errors import BackendUnavailable
from adapters.meters.port import (
    DailyReads,
    DailyWeather,
    HourlyReads,
    MeterDataPort,
    MeterDataUnavailable,
)
from adapters.oms.port import (
    CallReceipt,
    LocationOutageStatus,
    OmsPort,
    OmsUnavailable,
    OutageCall,
    OutageEvent,
)
from adapters.payments.port import PaymentsUnavailable
from gateway.core.backends import Adapters
from gateway.core.metrics import GatewayMetrics
from gateway.core.resilience.breaker import BackendBreaker
from gateway.core.resilience.guard import BackendGuard, CallPolicy
from gateway.core.resilience.policy import BackendPolicies

T = TypeVar("T")


def instrument(
    adapters: Adapters, metrics: GatewayMetrics, policies: BackendPolicies | None = None
) -> Adapters:
    """The same adapters, each call guarded (`BackendGuard`: timeout, breaker, retry of
    reads) and counted in `metrics` under its system and method."""
    # Here, not at the top: that module builds on `InstrumentedBackend` below.
    from gateway.core.instrumented_payments import InstrumentedCisPayments, InstrumentedPayments

    chosen = policies or BackendPolicies()
    cis_guard = _guard("cis", CisUnavailable, chosen, metrics)
    return dataclasses.replace(
        adapters,
        cis=InstrumentedCis(adapters.cis, metrics, cis_guard),
        oms=InstrumentedOms(adapters.oms, metrics, _guard("oms", OmsUnavailable, chosen, metrics)),
        meters=InstrumentedMeterData(
            adapters.meters, metrics, _guard("meters", MeterDataUnavailable, chosen, metrics)
        ),
        # The CIS's payment half shares the CIS's breaker: one server, one outage.
        cis_payments=None
        if adapters.cis_payments is None
        else InstrumentedCisPayments(adapters.cis_payments, metrics, cis_guard),
        payments=None
        if adapters.payments is None
        else InstrumentedPayments(
            adapters.payments,
            metrics,
            _guard("payments", PaymentsUnavailable, chosen, metrics),
        ),
    )


def _guard(
    system: str,
    unavailable: type[BackendUnavailable],
    policies: BackendPolicies,
    metrics: GatewayMetrics,
) -> BackendGuard:
    # One breaker per system and process: each server process learns of an outage itself.
    return BackendGuard(
        system=system,
        unavailable=unavailable,
        policy=CallPolicy(
            timeout_s=policies.timeout_s(system), retry_jitter_s=policies.retry_jitter_s
        ),
        breaker=BackendBreaker(
            system,
            failure_threshold=policies.failure_threshold,
            cool_down_s=policies.cool_down_s,
            listener=metrics,
        ),
        failures=metrics,
    )


class InstrumentedBackend:
    system: str

    def __init__(self, metrics: GatewayMetrics, guard: BackendGuard) -> None:
        self._metrics = metrics
        self.guard = guard

    async def _read(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        return await self.guard.read(operation, lambda: self._timed(operation, call()))

    async def _write(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        return await self.guard.write(operation, lambda: self._timed(operation, call()))

    async def _timed(self, operation: str, call: Awaitable[T]) -> T:
        # Inside the guard: a call the breaker refused never reached the system.
        started = time.perf_counter()
        try:
            return await call
        finally:
            self._metrics.backend_called(self.system, operation, time.perf_counter() - started)


class InstrumentedCis(InstrumentedBackend):
    system = "cis"

    def __init__(self, inner: CisPort, metrics: GatewayMetrics, guard: BackendGuard) -> None:
        super().__init__(metrics, guard)
        self.inner = inner

    async def get_methods(self) -> Sequence[str]:
        return await self._read("get_methods", lambda: self.inner.get_methods())

    async def get_customer(self, customer_id: str) -> Customer:
        return await self._read("get_customer", lambda: self.inner.get_customer(customer_id))

    async def find_customers_by_name(
        self, *, first_name: str | None, last_name: str | None
    ) -> Sequence[Customer]:
        return await self._read(
            "find_customers_by_name",
            lambda: self.inner.find_customers_by_name(first_name=first_name, last_name=last_name),
        )

    async def get_customer_by_home_phone(self, phone: str) -> Customer:
        return await self._read(
            "get_customer_by_home_phone", lambda: self.inner.get_customer_by_home_phone(phone)
        )

    async def get_service_location_by_meter(self, meter_no: str) -> ServiceLocation:
        return await self._read(
            "get_service_location_by_meter",
            lambda: self.inner.get_service_location_by_meter(meter_no),
        )

    async def search_meters(self, text: str) -> Sequence[MeterMatch]:
        return await self._read("search_meters", lambda: self.inner.search_meters(text))

    async def get_service_locations_by_account(
        self, account_number: str
    ) -> Sequence[ServiceLocation]:
        return await self._read(
            "get_service_locations_by_account",
            lambda: self.inner.get_service_locations_by_account(account_number),
        )

    async def get_service_locations_by_customer(
        self, customer_id: str
    ) -> Sequence[ServiceLocation]:
        return await self._read(
            "get_service_locations_by_customer",
            lambda: self.inner.get_service_locations_by_customer(customer_id),
        )

    async def get_meters_by_account(self, account_number: str) -> Sequence[Meter]:
        return await self._read(
            "get_meters_by_account", lambda: self.inner.get_meters_by_account(account_number)
        )

    async def get_bill(self, account_number: str, bill_date: date) -> Bill:
        return await self._read("get_bill", lambda: self.inner.get_bill(account_number, bill_date))

    async def get_balance(self, account_number: str) -> Balance:
        return await self._read("get_balance", lambda: self.inner.get_balance(account_number))

    async def update_contact(
        self,
        customer_id: str,
        *,
        home_phone: str | None,
        mobile_phone: str | None,
        email: str | None,
        billing_address: PostalAddress | None = None,
    ) -> Customer:
        return await self._write(
            "update_contact",
            lambda: self.inner.update_contact(
                customer_id,
                home_phone=home_phone,
                mobile_phone=mobile_phone,
                email=email,
                billing_address=billing_address,
            ),
        )

    async def changes_since(self, cursor: str | None) -> ChangePage:
        return await self._read("changes_since", lambda: self.inner.changes_since(cursor))

    async def service_locations_page(self, cursor: str | None) -> ServiceLocationPage:
        return await self._read(
            "service_locations_page", lambda: self.inner.service_locations_page(cursor)
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class InstrumentedOms(InstrumentedBackend):
    system = "oms"

    def __init__(self, inner: OmsPort, metrics: GatewayMetrics, guard: BackendGuard) -> None:
        super().__init__(metrics, guard)
        self.inner = inner

    async def get_methods(self) -> Sequence[str]:
        return await self._read("get_methods", lambda: self.inner.get_methods())

    async def get_outage_status(self, location_id: str) -> LocationOutageStatus:
        return await self._read(
            "get_outage_status", lambda: self.inner.get_outage_status(location_id)
        )

    async def get_active_outages(self) -> Sequence[OutageEvent]:
        return await self._read("get_active_outages", lambda: self.inner.get_active_outages())

    async def get_outage_history(self, location_id: str) -> Sequence[OutageEvent]:
        return await self._read(
            "get_outage_history", lambda: self.inner.get_outage_history(location_id)
        )

    async def report_outage(self, call: OutageCall) -> CallReceipt:
        return await self._write("report_outage", lambda: self.inner.report_outage(call))

    async def aclose(self) -> None:
        await self.inner.aclose()


class InstrumentedMeterData(InstrumentedBackend):
    system = "meters"

    def __init__(self, inner: MeterDataPort, metrics: GatewayMetrics, guard: BackendGuard) -> None:
        super().__init__(metrics, guard)
        self.inner = inner

    async def hourly_reads(self, meter_no: str, *, start: datetime, end: datetime) -> HourlyReads:
        return await self._read(
            "hourly_reads", lambda: self.inner.hourly_reads(meter_no, start=start, end=end)
        )

    async def daily_reads(self, meter_no: str, *, start: date, end: date) -> DailyReads:
        return await self._read(
            "daily_reads", lambda: self.inner.daily_reads(meter_no, start=start, end=end)
        )

    async def hourly_reads_many(
        self, meter_nos: Sequence[str], *, start: datetime, end: datetime
    ) -> Mapping[str, HourlyReads]:
        return await self._read(
            "hourly_reads_many",
            lambda: self.inner.hourly_reads_many(meter_nos, start=start, end=end),
        )

    async def daily_reads_many(
        self, meter_nos: Sequence[str], *, start: date, end: date
    ) -> Mapping[str, DailyReads]:
        return await self._read(
            "daily_reads_many", lambda: self.inner.daily_reads_many(meter_nos, start=start, end=end)
        )

    async def weather_station_for_location(self, location_id: str) -> str:
        return await self._read(
            "weather_station_for_location",
            lambda: self.inner.weather_station_for_location(location_id),
        )

    async def daily_weather(
        self, station_id: str, *, start: date, end: date
    ) -> Sequence[DailyWeather]:
        return await self._read(
            "daily_weather", lambda: self.inner.daily_weather(station_id, start=start, end=end)
        )

    async def ping(self) -> None:
        await self._read("ping", lambda: self.inner.ping())

    async def aclose(self) -> None:
        await self.inner.aclose()
