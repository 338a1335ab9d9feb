"""The meter data store: interval and daily reads, and the weather that explains them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from adapters.errors import AdapterError, BackendFault, BackendUnavailable, NotFound


class MeterDataError(AdapterError):
    system = "meters"


class MeterDataUnavailable(MeterDataError, BackendUnavailable):
    pass


class MeterDataNotFound(MeterDataError, NotFound):
    pass


class MeterDataFault(MeterDataError, BackendFault):
    pass


@dataclass(frozen=True, slots=True)
class IntervalRead:
    """Energy delivered during one hour starting at `starts_at` (aware, UTC)."""

    starts_at: datetime
    kwh: float
    estimated: bool


@dataclass(frozen=True, slots=True)
class DailyRead:
    """Energy delivered during one local calendar day of the co-op."""

    day: date
    kwh: float
    estimated: bool


@dataclass(frozen=True, slots=True)
class DailyWeather:
    day: date
    high_f: float
    low_f: float
    mean_f: float


class MeterDataPort(Protocol):
    """Half-open ranges: `start` included, `end` excluded; results oldest first.

    Unknown meters or stations raise `MeterDataNotFound`; a known meter with no reads
    in the range returns an empty sequence.
    """

    async def hourly_reads(
        self, meter_no: str, *, start: datetime, end: datetime
    ) -> Sequence[IntervalRead]: ...

    async def daily_reads(
        self, meter_no: str, *, start: date, end: date
    ) -> Sequence[DailyRead]: ...

    async def weather_station_for_location(self, location_id: str) -> str: ...

    async def daily_weather(
        self, station_id: str, *, start: date, end: date
    ) -> Sequence[DailyWeather]: ...

    async def aclose(self) -> None: ...
