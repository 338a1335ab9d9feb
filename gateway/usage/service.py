"""An account's or a service location's usage series, read through the loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from adapters.meters.port import DailyWeather, MeterDataNotFound
from gateway.core.loaders import DailyReadRange, DataLoaders, HourlyReadRange, WeatherRange
from gateway.usage import series as usage
from gateway.usage.series import Interval, UsageSeries


async def usage_series(
    *,
    loaders: DataLoaders,
    zone: ZoneInfo,
    meter_nos: Sequence[str],
    weather_location_id: str | None,
    start: date,
    end: date,
    interval: Interval,
) -> UsageSeries:
    """Sum of the meters' reads per point, with the daily mean temperature of the location.

    `zone` is the co-op's: it says where a local day or hour begins.
    """
    usage.check_range(interval, start, end)
    weather = asyncio.ensure_future(_weather(loaders, weather_location_id, start, end))
    try:
        if interval is Interval.HOUR:
            begin, finish = usage.utc_bounds(start, end, zone)
            hourly = await loaders.hourly_reads.load_many(
                [HourlyReadRange(meter, begin, finish) for meter in meter_nos]
            )
            return usage.hourly_series(hourly, await weather, start=start, end=end, zone=zone)
        daily = await loaders.daily_reads.load_many(
            [DailyReadRange(meter, start, end + timedelta(days=1)) for meter in meter_nos]
        )
        build = usage.daily_series if interval is Interval.DAY else usage.monthly_series
        return build(daily, await weather, start=start, end=end, zone=zone)
    finally:
        if not weather.done():
            weather.cancel()


async def _weather(
    loaders: DataLoaders, location_id: str | None, start: date, end: date
) -> dict[date, float]:
    daily = await location_weather(loaders=loaders, location_id=location_id, start=start, end=end)
    return usage.daily_means(daily)


async def location_weather(
    *, loaders: DataLoaders, location_id: str | None, start: date, end: date
) -> Sequence[DailyWeather]:
    """Daily weather at the location's station, `start` to `end` inclusive.

    A location without a station has no temperatures; usage is still worth showing.
    """
    if location_id is None:
        return ()
    try:
        station = await loaders.weather_station.load(location_id)
        return await loaders.daily_weather.load(
            WeatherRange(station, start, end + timedelta(days=1))
        )
    except MeterDataNotFound:
        return ()
