"""What the meter data contract suites should find in a store loaded from the shared world.

The reads come from `simulators.meters.series`, the derivation the loader writes to
SQL and the fake serves: what the suites check is that every store hands them out
alike, in the port's shapes and ranges.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from adapters.meters.contract import MeterDataContractFacts
from adapters.meters.history import MeterHistory
from adapters.meters.port import DailyRead, DailyWeather, IntervalRead
from simulators.meters.series import SeriesSource
from simulators.world import World

LOCATIONS_CHECKED = 10


def meter_data_facts_from_world(world: World) -> MeterDataContractFacts:
    source = SeriesSource(world)
    with_estimates = next(m for m in source.meter_nos if any(source.derive(m).hourly_estimated))
    chosen = dict.fromkeys([with_estimates, *source.meter_nos[:4], *source.meter_nos[-3:]])
    station_id = world.weather_stations[0].station_id
    days = source.calendar.days
    return MeterDataContractFacts(
        time_zone=ZoneInfo(world.time_zone),
        first_day=world.usage_start,
        first_hourly_day=source.calendar.hourly_days[0],
        end_day=world.as_of,
        meters=tuple(history_of(source, meter_no) for meter_no in chosen),
        stations_by_location={
            loc.location_id: loc.weather_station for loc in world.locations[:LOCATIONS_CHECKED]
        },
        weather_station_id=station_id,
        weather=tuple(
            DailyWeather(day, high, low, mean)
            for day, (high, low, mean) in zip(days, world.daily_weather[station_id], strict=True)
        ),
    )


def history_of(source: SeriesSource, meter_no: str) -> MeterHistory:
    series = source.derive(meter_no)
    calendar = source.calendar
    history = MeterHistory(
        meter_no=meter_no,
        hourly=tuple(
            IntervalRead(instant, kwh, estimated)
            for instant, kwh, estimated in zip(
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
    # The suite counts on these, so the world must hold them.
    assert history.hourly[0].starts_at == calendar.day_starts[calendar.first_hourly_day]
    assert history.daily[-1].day == source.world.as_of - timedelta(days=1)
    return history
