"""The fake meter data store holding the demo co-op's reads, as the loader writes them to SQL.

Reads come from `simulators.meters.series`, the same derivation the loader uses, so
the fake and the SQL stores hold the same numbers. A meter's history is derived when
the fake first asks for it: a whole co-op's hourly reads would not fit comfortably in
memory as objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from adapters.meters.fake import FakeMeterData, FakeMeterDataContents
from adapters.meters.history import MeterHistory
from adapters.meters.port import DailyRead, DailyWeather, IntervalRead
from simulators.meters.series import SeriesSource
from simulators.world import World


def fake_meters_from_world(world: World) -> FakeMeterData:
    return FakeMeterData.from_data(meter_data_from_world(world))


def meter_data_from_world(world: World) -> FakeMeterDataContents:
    """What the loader writes to the meter data store for `world`, for the fake."""
    source = SeriesSource(world)
    days = source.calendar.days
    recorded = {
        station_id: tuple(
            DailyWeather(day, high, low, mean)
            for day, (high, low, mean) in zip(days, weather, strict=True)
        )
        for station_id, weather in world.daily_weather.items()
    }
    return FakeMeterDataContents(
        histories=DerivedHistories(source),
        stations_by_location={loc.location_id: loc.weather_station for loc in world.locations},
        weather={s.station_id: recorded.get(s.station_id, ()) for s in world.weather_stations},
    )


class DerivedHistories(Mapping[str, MeterHistory]):
    """Every meter of the World, each history derived anew whenever it is looked up."""

    def __init__(self, source: SeriesSource) -> None:
        self._source = source
        self._meter_nos = tuple(dict.fromkeys(m.meter_no for m in source.world.meters))
        self._known = frozenset(self._meter_nos)

    def __getitem__(self, meter_no: str) -> MeterHistory:
        if meter_no not in self._known:
            raise KeyError(meter_no)
        source = self._source
        if meter_no not in source.world.daily_kwh:
            return MeterHistory(meter_no=meter_no, hourly=(), daily=())
        series = source.derive(meter_no)
        calendar = source.calendar
        return MeterHistory(
            meter_no=meter_no,
            hourly=tuple(
                IntervalRead(starts_at, kwh, estimated)
                for starts_at, kwh, estimated in zip(
                    calendar.hour_starts, series.hourly_kwh, series.hourly_estimated, strict=True
                )
            ),
            daily=tuple(
                DailyRead(day, kwh, estimated)
                for day, kwh, estimated in zip(
                    calendar.days, series.daily_kwh, series.daily_estimated, strict=True
                )
            ),
        )

    def __contains__(self, meter_no: object) -> bool:
        # Without this, Mapping would derive a whole history to answer `in`.
        return meter_no in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._meter_nos)

    def __len__(self) -> int:
        return len(self._meter_nos)
