"""An account's or a service location's usage series, read through the loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, timedelta

from adapters.meters.port import DailyWeather, MeterDataNotFound
from gateway.api.context import GatewayContext
from gateway.core.loaders import DailyReadRange, HourlyReadRange, WeatherRange
from gateway.usage import series as usage
from gateway.usage.series import Interval, UsageSeries


async def usage_series(
    context: GatewayContext,
    *,
    meter_nos: Sequence[str],
    weather_location_id: str | None,
    start: date,
    end: date,
    interval: Interval,
) -> UsageSeries:
    """Sum of the meters' reads per point, with the daily mean temperature of the location."""
    usage.check_range(interval, start, end)
    weather = asyncio.ensure_future(_weather(context, weather_location_id, start, end))
    try:
        if interval is Interval.HOUR:
            begin, finish = usage.utc_bounds(start, end, context.zone)
            hourly = await context.loaders.hourly_reads.load_many(
                [HourlyReadRange(meter, begin, finish) for meter in meter_nos]
            )
            return usage.hourly_series(
                hourly, await weather, start=start, end=end, zone=context.zone
            )
        daily = await context.loaders.daily_reads.load_many(
            [DailyReadRange(meter, start, end + timedelta(days=1)) for meter in meter_nos]
        )
        build = usage.daily_series if interval is Interval.DAY else usage.monthly_series
        return build(daily, await weather, start=start, end=end, zone=context.zone)
    finally:
        if not weather.done():
            weather.cancel()


async def _weather(
    context: GatewayContext, location_id: str | None, start: date, end: date
) -> dict[date, float]:
    daily = await location_weather(context, location_id, start, end)
    return usage.daily_means(daily)


async def location_weather(
    context: GatewayContext, location_id: str | None, start: date, end: date
) -> Sequence[DailyWeather]:
    """Daily weather at the location's station, `start` to `end` inclusive.

    A location without a station has no temperatures; usage is still worth showing.
    """
    if location_id is None:
        return ()
    try:
        station = await context.loaders.weather_station.load(location_id)
        return await context.loaders.daily_weather.load(
            WeatherRange(station, start, end + timedelta(days=1))
        )
    except MeterDataNotFound:
        return ()
