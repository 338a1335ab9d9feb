"""An in-memory meter data store that answers exactly as the SQL one loaded from a World.

Reads come from `simulators.meters.series`, the same derivation the loader writes to
SQL, and are derived per meter on first use (a whole co-op's hourly reads would not
fit comfortably in memory as objects). Every call is recorded in `calls`; setting
`unavailable` makes every call fail as an unreachable store would.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

from adapters.meters.port import (
    DailyRead,
    DailyWeather,
    IntervalRead,
    MeterDataNotFound,
    MeterDataUnavailable,
)
from adapters.meters.ranges import check_day_range, check_instant_range
from simulators.meters.series import SeriesSource
from simulators.world import World

_Key = TypeVar("_Key", datetime, date)
_Item = TypeVar("_Item", IntervalRead, DailyRead, DailyWeather)


class FakeMeterData:
    def __init__(self, source: SeriesSource | None = None) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.unavailable = False
        self.closed = False
        self._source = source
        world = source.world if source is not None else None
        self._meters = {m.meter_no for m in world.meters} if world else set()
        self._stations_by_location = (
            {loc.location_id: loc.weather_station for loc in world.locations} if world else {}
        )
        self._stations = {s.station_id for s in world.weather_stations} if world else set()
        self._weather: dict[str, list[DailyWeather]] = {}
        if source is not None and world is not None:
            days = source.calendar.days
            self._weather = {
                station_id: [
                    DailyWeather(day, high, low, mean)
                    for day, (high, low, mean) in zip(days, weather, strict=True)
                ]
                for station_id, weather in world.daily_weather.items()
            }
        self._hourly: dict[str, list[IntervalRead]] = {}
        self._daily: dict[str, list[DailyRead]] = {}

    @classmethod
    def from_world(cls, world: World) -> FakeMeterData:
        return cls(SeriesSource(world))

    async def hourly_reads(
        self, meter_no: str, *, start: datetime, end: datetime
    ) -> Sequence[IntervalRead]:
        self._record("hourly_reads", meter_no, start, end)
        check_instant_range(start, end)
        return self._hourly_between(self._known(meter_no), start, end)

    async def daily_reads(self, meter_no: str, *, start: date, end: date) -> Sequence[DailyRead]:
        self._record("daily_reads", meter_no, start, end)
        check_day_range(start, end)
        return self._daily_between(self._known(meter_no), start, end)

    async def hourly_reads_many(
        self, meter_nos: Sequence[str], *, start: datetime, end: datetime
    ) -> Mapping[str, Sequence[IntervalRead]]:
        self._record("hourly_reads_many", tuple(meter_nos), start, end)
        check_instant_range(start, end)
        return {
            meter_no: self._hourly_between(meter_no, start, end)
            for meter_no in dict.fromkeys(meter_nos)
            if meter_no in self._meters
        }

    async def daily_reads_many(
        self, meter_nos: Sequence[str], *, start: date, end: date
    ) -> Mapping[str, Sequence[DailyRead]]:
        self._record("daily_reads_many", tuple(meter_nos), start, end)
        check_day_range(start, end)
        return {
            meter_no: self._daily_between(meter_no, start, end)
            for meter_no in dict.fromkeys(meter_nos)
            if meter_no in self._meters
        }

    async def weather_station_for_location(self, location_id: str) -> str:
        self._record("weather_station_for_location", location_id)
        station_id = self._stations_by_location.get(location_id)
        if station_id is None:
            raise MeterDataNotFound(f"no service location {location_id!r} in the meter data store")
        return station_id

    async def daily_weather(
        self, station_id: str, *, start: date, end: date
    ) -> Sequence[DailyWeather]:
        self._record("daily_weather", station_id, start, end)
        check_day_range(start, end)
        if station_id not in self._stations:
            raise MeterDataNotFound(f"no weather station {station_id!r}")
        return _between(self._weather.get(station_id, []), start, end, _weather_day)

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
        if meter_no not in self._meters:
            raise MeterDataNotFound(f"no meter {meter_no!r} in the meter data store")
        return meter_no

    def _hourly_between(self, meter_no: str, start: datetime, end: datetime) -> list[IntervalRead]:
        self._derive(meter_no)
        return _between(self._hourly.get(meter_no, []), start, end, _starts_at)

    def _daily_between(self, meter_no: str, start: date, end: date) -> list[DailyRead]:
        self._derive(meter_no)
        return _between(self._daily.get(meter_no, []), start, end, _read_day)

    def _derive(self, meter_no: str) -> None:
        source = self._source
        if meter_no in self._hourly or source is None:
            return
        if meter_no not in source.world.daily_kwh:
            self._hourly[meter_no], self._daily[meter_no] = [], []
            return
        series = source.derive(meter_no)
        self._hourly[meter_no] = [
            IntervalRead(starts_at, kwh, estimated)
            for starts_at, kwh, estimated in zip(
                source.calendar.hour_starts,
                series.hourly_kwh,
                series.hourly_estimated,
                strict=True,
            )
        ]
        self._daily[meter_no] = [
            DailyRead(day, kwh, estimated)
            for day, kwh, estimated in zip(
                source.calendar.days, series.daily_kwh, series.daily_estimated, strict=True
            )
        ]


def _starts_at(read: IntervalRead) -> datetime:
    return read.starts_at


def _read_day(read: DailyRead) -> date:
    return read.day


def _weather_day(weather: DailyWeather) -> date:
    return weather.day


def _between(
    items: list[_Item], start: _Key, end: _Key, key: Callable[[_Item], _Key]
) -> list[_Item]:
    """The items whose key is in [start, end); `items` are sorted by that key."""
    return items[bisect_left(items, start, key=key) : bisect_left(items, end, key=key)]
