"""The fake meter data store's contents: every meter of the World, derived on demand."""

from __future__ import annotations

from simulators.meters.fake_from_world import meter_data_from_world
from simulators.meters.series import SeriesSource
from simulators.world import World


def test_every_meter_of_the_world_is_known_and_nothing_else(world: World) -> None:
    histories = meter_data_from_world(world).histories

    assert list(histories) == [m.meter_no for m in world.meters]
    assert len(histories) == len(world.meters)
    assert "NO-SUCH-METER" not in histories


def test_a_history_is_the_derived_series_on_the_calendar(world: World) -> None:
    source = SeriesSource(world)
    meter_no = source.meter_nos[0]
    series = source.derive(meter_no)

    history = meter_data_from_world(world).histories[meter_no]

    assert [read.starts_at for read in history.hourly] == list(source.calendar.hour_starts)
    assert [read.kwh for read in history.hourly] == series.hourly_kwh
    assert [read.day for read in history.daily] == list(source.calendar.days)
    assert [read.estimated for read in history.daily] == list(series.daily_estimated)


def test_every_station_is_known_with_its_weather(world: World) -> None:
    contents = meter_data_from_world(world)

    assert set(contents.weather) == {s.station_id for s in world.weather_stations}
    assert set(contents.stations_by_location) == {loc.location_id for loc in world.locations}
