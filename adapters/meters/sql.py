"""The meter data store over SQL (SQLite or PostgreSQL), through SQLAlchemy Core.

Queries select only the columns a read needs: no ORM objects, one round trip for a
year of hourly reads. Reads come back as the port's columns (`HourlyReads`,
`DailyReads`) with no object per row (`columns`: aggregated into arrays by PostgreSQL,
through the driver's cursor on SQLite); hours are read as epoch microseconds, the form
SQLite stores, so that no `datetime` is made for them either. A tiny query for the
meters asked tells "no reads" from "no such meter".
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any, NoReturn, TypeVar

from sqlalchemy import Column, exc, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from adapters.meters.columns import NO_COLUMNS, Columns, columns_by_meter
from adapters.meters.port import (
    DailyReads,
    DailyWeather,
    HourlyReads,
    MeterDataFault,
    MeterDataNotFound,
    MeterDataUnavailable,
)
from adapters.meters.ranges import check_day_range, check_instant_range
from adapters.meters.tables import (
    daily_reads,
    daily_weather,
    interval_reads,
    meters,
    service_locations,
    weather_stations,
)

DEFAULT_TIMEOUT_SECONDS = 10.0
_MESSAGE_LIMIT = 200
_SQLITE_UNAVAILABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_NOMEM",
    "SQLITE_FULL",
    "SQLITE_INTERRUPT",
    "SQLITE_PROTOCOL",
)

Reads = TypeVar("Reads", HourlyReads, DailyReads)


class SqlMeterData:
    """`MeterDataPort` over an `AsyncEngine`; disposes the engine only if it made it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._owns_engine = False

    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> SqlMeterData:
        """An adapter owning its own engine; `timeout` bounds connecting and each query."""
        driver = make_url(url).get_driver_name()
        connect_args: dict[str, Any] = {}
        if driver == "asyncpg":
            connect_args = {"timeout": timeout, "command_timeout": timeout}
        elif driver == "aiosqlite":
            connect_args = {"timeout": timeout}  # how long to wait on a locked file
        adapter = cls(create_async_engine(url, connect_args=connect_args, pool_timeout=timeout))
        adapter._owns_engine = True
        return adapter

    async def hourly_reads(self, meter_no: str, *, start: datetime, end: datetime) -> HourlyReads:
        return _only(meter_no, await self.hourly_reads_many([meter_no], start=start, end=end))

    async def daily_reads(self, meter_no: str, *, start: date, end: date) -> DailyReads:
        return _only(meter_no, await self.daily_reads_many([meter_no], start=start, end=end))

    async def hourly_reads_many(
        self, meter_nos: Sequence[str], *, start: datetime, end: datetime
    ) -> Mapping[str, HourlyReads]:
        check_instant_range(start, end)
        found = await self._many(interval_reads.c.starts_at, meter_nos, start, end)
        return {meter_no: HourlyReads(*columns) for meter_no, columns in found.items()}

    async def daily_reads_many(
        self, meter_nos: Sequence[str], *, start: date, end: date
    ) -> Mapping[str, DailyReads]:
        check_day_range(start, end)
        found = await self._many(daily_reads.c.day, meter_nos, start, end)
        return {meter_no: DailyReads(*columns) for meter_no, columns in found.items()}

    async def weather_station_for_location(self, location_id: str) -> str:
        query = select(service_locations.c.station_id).where(
            service_locations.c.location_id == location_id
        )
        async with self._connection() as connection:
            station_id = (await connection.execute(query)).scalar_one_or_none()
        if station_id is None:
            raise MeterDataNotFound(f"no service location {location_id!r} in the meter data store")
        return str(station_id)

    async def daily_weather(
        self, station_id: str, *, start: date, end: date
    ) -> Sequence[DailyWeather]:
        check_day_range(start, end)
        query = (
            select(
                daily_weather.c.day,
                daily_weather.c.high_f,
                daily_weather.c.low_f,
                daily_weather.c.mean_f,
            )
            .where(
                daily_weather.c.station_id == station_id,
                daily_weather.c.day >= start,
                daily_weather.c.day < end,
            )
            .order_by(daily_weather.c.day)
        )
        async with self._connection() as connection:
            rows = (await connection.execute(query)).all()
            if not rows:
                known = select(weather_stations.c.station_id).where(
                    weather_stations.c.station_id == station_id
                )
                if (await connection.execute(known)).first() is None:
                    raise MeterDataNotFound(f"no weather station {station_id!r}")
        return [DailyWeather(day, high, low, mean) for day, high, low, mean in rows]

    async def ping(self) -> None:
        async with self._connection() as connection:
            await connection.exec_driver_sql("SELECT 1")

    async def aclose(self) -> None:
        if self._owns_engine:
            await self._engine.dispose()

    async def _many(
        self, when: Column[Any], meter_nos: Sequence[str], start: Any, end: Any
    ) -> dict[str, Columns]:
        """Each known meter's reads in [start, end) of `when`'s table, as columns."""
        wanted = list(dict.fromkeys(meter_nos))
        if not wanted:
            return {}
        known_query = select(meters.c.meter_no).where(meters.c.meter_no.in_(wanted))
        async with self._connection() as connection:
            known = set((await connection.execute(known_query)).scalars())
            present = [meter_no for meter_no in wanted if meter_no in known]
            if not present:
                return {}
            read = await columns_by_meter(connection, when, present, start, end)
        return {meter_no: read.get(meter_no, NO_COLUMNS) for meter_no in present}

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        try:
            async with self._engine.connect() as connection:
                yield connection
        except MeterDataNotFound:
            raise
        # sqlite3's own errors: what SQLite's cursor raises when read directly (`columns`).
        except (exc.SQLAlchemyError, sqlite3.Error, OSError, TimeoutError) as error:
            _raise_adapter_error(error)


def _only(meter_no: str, found: Mapping[str, Reads]) -> Reads:
    if meter_no not in found:
        raise MeterDataNotFound(f"no meter {meter_no!r} in the meter data store")
    return found[meter_no]


def _raise_adapter_error(error: BaseException) -> NoReturn:
    """Unreachable, overloaded or timed-out stores are retryable; anything else is a fault.

    Messages name the failure, never the URL (which may hold a password) or the SQL.
    """
    cause: BaseException = error
    if isinstance(error, exc.DBAPIError) and error.orig is not None:
        cause = error.orig
    detail = str(cause).strip().splitlines()
    reason = type(cause).__name__ + (f": {detail[0]}" if detail else "")
    reason = reason[:_MESSAGE_LIMIT]
    unavailable = isinstance(
        error, OSError | TimeoutError | exc.OperationalError | exc.InterfaceError | exc.TimeoutError
    ) or (isinstance(error, exc.DBAPIError) and error.connection_invalidated)
    # SQLite files every error under OperationalError, "no such table" included; its
    # own error names tell a busy or unreadable file from a broken query.
    sqlite_error = getattr(cause, "sqlite_errorname", None)
    if isinstance(sqlite_error, str):
        unavailable = sqlite_error.startswith(_SQLITE_UNAVAILABLE)
    if unavailable:
        raise MeterDataUnavailable(f"meter data store unavailable ({reason})") from error
    raise MeterDataFault(f"meter data store error ({reason})") from error
