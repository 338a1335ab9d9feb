"""The meter data store: interval and daily reads, and the weather that explains them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

    Unknown meters, stations or locations raise `MeterDataNotFound`; a known meter with
    no reads in the range returns an empty sequence. Hourly ranges take aware datetimes
    (any offset) and return instants in UTC. A naive datetime or an `end` before
    `start` is a caller's bug and raises `ValueError`.
    """

    async def hourly_reads(
        self, meter_no: str, *, start: datetime, end: datetime
    ) -> Sequence[IntervalRead]: ...

    async def daily_reads(
        self, meter_no: str, *, start: date, end: date
    ) -> Sequence[DailyRead]: ...

    async def hourly_reads_many(
        self, meter_nos: Sequence[str], *, start: datetime, end: datetime
    ) -> Mapping[str, Sequence[IntervalRead]]:
        """`hourly_reads` for several meters in one round trip (for batching loaders).

        Every known meter asked for is a key (with an empty sequence if it has no reads
        in the range); unknown meters are left out rather than failing the whole batch,
        so the caller can turn each missing key into `MeterDataNotFound` for that key.
        """
        ...

    async def daily_reads_many(
        self, meter_nos: Sequence[str], *, start: date, end: date
    ) -> Mapping[str, Sequence[DailyRead]]:
        """`daily_reads` for several meters in one round trip; unknown meters left out."""
        ...

    async def weather_station_for_location(self, location_id: str) -> str: ...

    async def daily_weather(
        self, station_id: str, *, start: date, end: date
    ) -> Sequence[DailyWeather]: ...

    async def ping(self) -> None:
        """Cheap round trip proving the store answers (readiness checks)."""
        ...

    async def aclose(self) -> None: ...
