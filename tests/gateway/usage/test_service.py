"""Usage series from the request's loaders and a time zone alone: no viewer, no context."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from gateway.core.backends import Adapters
from gateway.core.errors import BadUserInput
from gateway.usage.series import EARLIEST, LATEST, Interval
from gateway.usage.service import location_weather, usage_series
from simulators.world import World
from tests.gateway.support import loaders_for


async def test_hours_start_at_local_midnight_of_the_zone_given_and_no_location_no_weather(
    world: World, adapters: Adapters
) -> None:
    loaders = loaders_for(adapters)
    meter_no = world.meters[0].meter_no
    day = world.as_of - timedelta(days=1)
    # Not the co-op's zone: the series follows the zone it is given.
    zone = ZoneInfo("America/New_York")

    series = await usage_series(
        loaders=loaders,
        zone=zone,
        meter_nos=[meter_no],
        weather_location_id=None,
        start=day,
        end=day,
        interval=Interval.HOUR,
    )

    assert series.points[0].starts_at == datetime.combine(day, time(), zone)
    assert all(point.temperature_f is None for point in series.points)
    assert await location_weather(loaders=loaders, location_id=None, start=day, end=day) == ()


@pytest.mark.parametrize("interval", list(Interval))
@pytest.mark.parametrize("zone", [ZoneInfo("America/Denver"), ZoneInfo("Pacific/Kiritimati")])
async def test_a_range_at_the_end_of_the_calendar_is_bad_input_not_an_overflow(
    world: World, adapters: Adapters, interval: Interval, zone: ZoneInfo
) -> None:
    # Found by tests/fuzz: `usage(from: "9999-12-31", to: "9999-12-31", interval: HOUR)`
    # raised OverflowError (the day after it) and was answered INTERNAL_SERVER_ERROR.
    for day in (EARLIEST, LATEST):
        series = await usage_series(
            loaders=loaders_for(adapters),
            zone=zone,
            meter_nos=[world.meters[0].meter_no],
            weather_location_id=world.locations[0].location_id,
            start=day,
            end=day,
            interval=interval,
        )
        assert series.points == ()
    for day in (date.max, date.min):
        with pytest.raises(BadUserInput):
            await usage_series(
                loaders=loaders_for(adapters),
                zone=zone,
                meter_nos=[world.meters[0].meter_no],
                weather_location_id=world.locations[0].location_id,
                start=day,
                end=day,
                interval=interval,
            )
