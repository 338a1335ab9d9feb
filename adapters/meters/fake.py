"""An in-memory meter data store that answers exactly as the SQL one holding the same reads.

It starts from `FakeMeterDataContents`: each meter's history, each service location's
weather station, each station's weather. Every call is recorded in `calls`; setting
`unavailable` makes every call fail as an unreachable store would.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Self, TypeVar

from adapters.meters.history import MeterHistory
from adapters.meters.port import (
    DailyRead,
    DailyReads,
    DailyWeather,
    HourlyReads,
    IntervalRead,
    MeterDataNotFound,
    MeterDataUnavailable,
)
from adapters.meters.ranges import check_day_range, check_instant_range

_Key = TypeVar("_Key", datetime, date)
_Item = TypeVar("_Item", IntervalRead, DailyRead, DailyWeather)


@dataclass(frozen=True, slots=True)
class FakeMeterDataContents:
    """What a fake meter data store holds.

    A co-op's hourly reads are too many to hold as objects all at once, so `histories`
    may be a mapping that works a meter's history out when it is looked up: the fake
    looks each meter up once, on first use, and keeps it. Its keys are every meter
    the store knows, with reads or without.
    """

    histories: Mapping[str, MeterHistory] = field(default_factory=dict)  # by meter number
    stations_by_location: Mapping[str, str] = field(default_factory=dict)
    weather: Mapping[str, Sequence[DailyWeather]] = field(default_factory=dict)  # by station


class FakeMeterData:
    def __init__(self, contents: FakeMeterDataContents | None = None) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.unavailable = False
        self.closed = False
        self._contents = contents or FakeMeterDataContents()
        self._histories: dict[str, MeterHistory] = {}

    @classmethod
    def from_data(cls, contents: FakeMeterDataContents) -> Self:
        return cls(contents)

    async def hourly_reads(self, meter_no: str, *, start: datetime, end: datetime) -> HourlyReads:
        self._record("hourly_reads", meter_no, start, end)
        check_instant_range(start, end)
        return self._hourly_between(self._known(meter_no), start, end)

    async def daily_reads(self, meter_no: str, *, start: date, end: date) -> DailyReads:
        self._record("daily_reads", meter_no, start, end)
        check_day_range(start, end)
        return self._daily_between(self._known(meter_no), start, end)

    async def hourly_reads_many(
        self, meter_nos: Sequence[str], *, start: datetime, end: datetime
    ) -> Mapping[str, HourlyReads]:
        self._record("hourly_reads_many", tuple(meter_nos), start, end)
        check_instant_range(start, end)
        return {
            meter_no: self._hourly_between(meter_no, start, end)
            for meter_no in dict.fromkeys(meter_nos)
            if meter_no in self._contents.histories
        }

    async def daily_reads_many(
        self, meter_nos: Sequence[str], *, start: date, end: date
    ) -> Mapping[str, DailyReads]:
        self._record("daily_reads_many", tuple(meter_nos), start, end)
        check_day_range(start, end)
        return {
            meter_no: self._daily_between(meter_no, start, end)
            for meter_no in dict.fromkeys(meter_nos)
            if meter_no in self._contents.histories
        }

    async def weather_station_for_location(self, location_id: str) -> str:
        self._record("weather_station_for_location", location_id)
        station_id = self._contents.stations_by_location.get(location_id)
        if station_id is None:
            raise MeterDataNotFound(f"no service location {location_id!r} in the meter data store")
        return station_id

    async def daily_weather(
        self, station_id: str, *, start: date, end: date
    ) -> Sequence[DailyWeather]:
        self._record("daily_weather", station_id, start, end)
        check_day_range(start, end)
        weather = self._contents.weather.get(station_id)
        if weather is None:
            raise MeterDataNotFound(f"no weather station {station_id!r}")
        return _between(weather, start, end, _weather_day)

    async def ping(self) -> None:
        self._record("ping")

    async def aclose(self) -> None:
        self.calls.append(("aclose", ()))
        self.closed = True

    def _record(self, name: str, *args: object) -> None:
        self.calls.append((name, args))
        if self.unavailable:
            raise MeterDataUnavailable("meter data store unavailable (simulated outage)")

    def _known(self, meter_no: str) -> str:
        if meter_no not in self._contents.histories:
            raise MeterDataNotFound(f"no meter {meter_no!r} in the meter data store")
        return meter_no

    def _hourly_between(self, meter_no: str, start: datetime, end: datetime) -> HourlyReads:
        return HourlyReads.from_rows(
            _between(self._history(meter_no).hourly, start, end, _starts_at)
        )

    def _daily_between(self, meter_no: str, start: date, end: date) -> DailyReads:
        return DailyReads.from_rows(_between(self._history(meter_no).daily, start, end, _read_day))

    def _history(self, meter_no: str) -> MeterHistory:
        history = self._histories.get(meter_no)
        if history is None:
            history = self._histories[meter_no] = self._contents.histories[meter_no]
        return history


def _starts_at(read: IntervalRead) -> datetime:
    return read.starts_at


def _read_day(read: DailyRead) -> date:
    return read.day


def _weather_day(weather: DailyWeather) -> date:
    return weather.day


def _between(
    items: Sequence[_Item], start: _Key, end: _Key, key: Callable[[_Item], _Key]
) -> list[_Item]:
    """The items whose key is in [start, end); `items` are sorted by that key."""
    return list(items[bisect_left(items, start, key=key) : bisect_left(items, end, key=key)])
