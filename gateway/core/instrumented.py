"""Each adapter wrapped once, at wiring time, so every call to it is counted and timed.

The wrappers implement the ports themselves, so the rest of the gateway cannot tell
them from the adapters, and a method added to a port without its wrapper here is a
type error where `instrument` builds them. A call is counted whether it answers or
fails: it reached the system either way. Closing is not a call to the system.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

from adapters.cis.port import (
    Balance,
    Bill,
    ChangePage,
    CisPort,
    Customer,
    Meter,
    MeterMatch,
    PostalAddress,
    ServiceLocation,
)
from adapters.meters.port import DailyRead, DailyWeather, IntervalRead, MeterDataPort
from adapters.oms.port import CallReceipt, LocationOutageStatus, OmsPort, OutageCall, OutageEvent
from gateway.core.backends import Adapters
from gateway.core.metrics import GatewayMetrics

T = TypeVar("T")


def instrument(adapters: Adapters, metrics: GatewayMetrics) -> Adapters:
    """The same adapters, each call counted in `metrics` under its system and method."""
    return dataclasses.replace(
        adapters,
        cis=InstrumentedCis(adapters.cis, metrics),
        oms=InstrumentedOms(adapters.oms, metrics),
        meters=InstrumentedMeterData(adapters.meters, metrics),
    )


class _Instrumented:
    system: str

    def __init__(self, metrics: GatewayMetrics) -> None:
        self._metrics = metrics

    async def _call(self, operation: str, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        try:
            return await call
        finally:
            self._metrics.backend_called(self.system, operation, time.perf_counter() - started)


class InstrumentedCis(_Instrumented):
    system = "cis"

    def __init__(self, inner: CisPort, metrics: GatewayMetrics) -> None:
        super().__init__(metrics)
        self.inner = inner

    async def get_methods(self) -> Sequence[str]:
        return await self._call("get_methods", self.inner.get_methods())

    async def get_customer(self, customer_id: str) -> Customer:
        return await self._call("get_customer", self.inner.get_customer(customer_id))

    async def find_customers_by_name(
        self, *, first_name: str | None, last_name: str | None
    ) -> Sequence[Customer]:
        return await self._call(
            "find_customers_by_name",
            self.inner.find_customers_by_name(first_name=first_name, last_name=last_name),
        )

    async def get_customer_by_home_phone(self, phone: str) -> Customer:
        return await self._call(
            "get_customer_by_home_phone", self.inner.get_customer_by_home_phone(phone)
        )

    async def get_service_location_by_meter(self, meter_no: str) -> ServiceLocation:
        return await self._call(
            "get_service_location_by_meter", self.inner.get_service_location_by_meter(meter_no)
        )

    async def search_meters(self, text: str) -> Sequence[MeterMatch]:
        return await self._call("search_meters", self.inner.search_meters(text))

    async def get_service_locations_by_account(
        self, account_number: str
    ) -> Sequence[ServiceLocation]:
        return await self._call(
            "get_service_locations_by_account",
            self.inner.get_service_locations_by_account(account_number),
        )

    async def get_service_locations_by_customer(
        self, customer_id: str
    ) -> Sequence[ServiceLocation]:
        return await self._call(
            "get_service_locations_by_customer",
            self.inner.get_service_locations_by_customer(customer_id),
        )

    async def get_meters_by_account(self, account_number: str) -> Sequence[Meter]:
        return await self._call(
            "get_meters_by_account", self.inner.get_meters_by_account(account_number)
        )

    async def get_bill(self, account_number: str, bill_date: date) -> Bill:
        return await self._call("get_bill", self.inner.get_bill(account_number, bill_date))

    async def get_balance(self, account_number: str) -> Balance:
        return await self._call("get_balance", self.inner.get_balance(account_number))

    async def update_contact(
        self,
        customer_id: str,
        *,
        home_phone: str | None,
        mobile_phone: str | None,
        email: str | None,
        billing_address: PostalAddress | None = None,
    ) -> Customer:
        return await self._call(
            "update_contact",
            self.inner.update_contact(
                customer_id,
                home_phone=home_phone,
                mobile_phone=mobile_phone,
                email=email,
                billing_address=billing_address,
            ),
        )

    async def changes_since(self, cursor: str | None) -> ChangePage:
        return await self._call("changes_since", self.inner.changes_since(cursor))

    async def aclose(self) -> None:
        await self.inner.aclose()


class InstrumentedOms(_Instrumented):
    system = "oms"

    def __init__(self, inner: OmsPort, metrics: GatewayMetrics) -> None:
        super().__init__(metrics)
        self.inner = inner

    async def get_methods(self) -> Sequence[str]:
        return await self._call("get_methods", self.inner.get_methods())

    async def get_outage_status(self, location_id: str) -> LocationOutageStatus:
        return await self._call("get_outage_status", self.inner.get_outage_status(location_id))

    async def get_active_outages(self) -> Sequence[OutageEvent]:
        return await self._call("get_active_outages", self.inner.get_active_outages())

    async def get_outage_history(self, location_id: str) -> Sequence[OutageEvent]:
        return await self._call("get_outage_history", self.inner.get_outage_history(location_id))

    async def report_outage(self, call: OutageCall) -> CallReceipt:
        return await self._call("report_outage", self.inner.report_outage(call))

    async def aclose(self) -> None:
        await self.inner.aclose()


class InstrumentedMeterData(_Instrumented):
    system = "meters"

    def __init__(self, inner: MeterDataPort, metrics: GatewayMetrics) -> None:
        super().__init__(metrics)
        self.inner = inner

    async def hourly_reads(
        self, meter_no: str, *, start: datetime, end: datetime
    ) -> Sequence[IntervalRead]:
        return await self._call(
            "hourly_reads", self.inner.hourly_reads(meter_no, start=start, end=end)
        )

    async def daily_reads(self, meter_no: str, *, start: date, end: date) -> Sequence[DailyRead]:
        return await self._call(
            "daily_reads", self.inner.daily_reads(meter_no, start=start, end=end)
        )

    async def hourly_reads_many(
        self, meter_nos: Sequence[str], *, start: datetime, end: datetime
    ) -> Mapping[str, Sequence[IntervalRead]]:
        return await self._call(
            "hourly_reads_many", self.inner.hourly_reads_many(meter_nos, start=start, end=end)
        )

    async def daily_reads_many(
        self, meter_nos: Sequence[str], *, start: date, end: date
    ) -> Mapping[str, Sequence[DailyRead]]:
        return await self._call(
            "daily_reads_many", self.inner.daily_reads_many(meter_nos, start=start, end=end)
        )

    async def weather_station_for_location(self, location_id: str) -> str:
        return await self._call(
            "weather_station_for_location", self.inner.weather_station_for_location(location_id)
        )

    async def daily_weather(
        self, station_id: str, *, start: date, end: date
    ) -> Sequence[DailyWeather]:
        return await self._call(
            "daily_weather", self.inner.daily_weather(station_id, start=start, end=end)
        )

    async def ping(self) -> None:
        await self._call("ping", self.inner.ping())

    async def aclose(self) -> None:
        await self.inner.aclose()
