"""Fill the meter data store from a `World`: schema first, then every read in bulk.

Millions of hourly rows make per-row work in Python the bottleneck, so each meter's
series goes to the database as one statement carrying integer arrays (watt-hours and
the positions of estimated reads) that the database itself unrolls into rows: SQLite
through `json_each`, PostgreSQL through `unnest`. Start instants and days follow from
the position, because a meter's hours are consecutive UTC hours and its days
consecutive dates; kWh is `wh / 1000.0`, computed by the database exactly as Python
would. While the database stores one meter or batch, the next series are derived:
on SQLite in a worker thread (a statement's step releases the GIL), on PostgreSQL in
the event loop between the writes of a pipelined batch.

On SQLite everything runs in one transaction on the stdlib driver, without fsync and
with an in-memory journal (a load that fails is run again), on 64 KiB pages that suit
these long, clustered tables. On PostgreSQL, also one transaction (a failed load
leaves nothing behind); the big tables' keys are built after the data is in, which is
far cheaper than checking 5 million rows one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson
from sqlalchemy import MetaData, Table
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.schema import AddConstraint, Constraint, CreateIndex, CreateTable, DropConstraint

from adapters.meters.tables import (
    daily_reads,
    daily_weather,
    epoch_microseconds,
    interval_reads,
    metadata,
    meters,
    service_locations,
    weather_stations,
)
from simulators.meters.series import MeterSeries, SeriesSource
from simulators.world import World

Row = tuple[Any, ...]

_DERIVE_AHEAD = 4  # series derived ahead of the database: enough to keep it busy
_POSTGRES_BATCH = 16  # meters per pipelined round trip
_SQLITE_PAGE_SIZE = 65536


async def load_meter_store(world: World, database_url: str) -> None:
    """(Re)create the meter data store at `database_url` holding `world`'s reads."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("the meter data store needs an SQLite file, not an in-memory one")
        await asyncio.to_thread(_load_sqlite, SeriesSource(world), url.database)
    elif backend == "postgresql":
        await _load_postgres(SeriesSource(world), database_url)
    else:
        raise ValueError(f"unsupported meter data store backend {backend!r}")


def _reference_rows(source: SeriesSource) -> list[tuple[Table, list[Row]]]:
    """The small tables' rows, parents first."""
    world = source.world
    days = source.calendar.days
    weather_rows: list[Row] = []
    for station_id, weather in sorted(world.daily_weather.items()):
        if len(weather) != len(days):
            raise ValueError(
                f"station {station_id} has {len(weather)} days of weather, expected {len(days)}"
            )
        weather_rows.extend(
            (station_id, day, high, low, mean)
            for day, (high, low, mean) in zip(days, weather, strict=True)
        )
    stations = [
        (s.station_id, s.name, s.latitude, s.longitude, s.elevation_ft)
        for s in world.weather_stations
    ]
    return [
        (weather_stations, stations),
        (service_locations, [(loc.location_id, loc.weather_station) for loc in world.locations]),
        (meters, [(m.meter_no, m.location_id) for m in world.meters]),
        (daily_weather, weather_rows),
    ]


def _derived_ahead(
    source: SeriesSource, executor: ThreadPoolExecutor
) -> Iterator[Future[MeterSeries]]:
    """Every meter's series in key order (so clustered tables only append), computed ahead."""
    pending: deque[Future[MeterSeries]] = deque()
    for meter_no in sorted(source.meter_nos):
        pending.append(executor.submit(source.derive, meter_no))
        if len(pending) > _DERIVE_AHEAD:
            yield pending.popleft()
    yield from pending


def _positions(flags: Sequence[bool]) -> list[int]:
    return [position for position, flag in enumerate(flags) if flag]


# --- SQLite ---------------------------------------------------------------------------

_SQLITE_HOURLY = """
INSERT INTO interval_reads (meter_no, starts_at, kwh, estimated)
SELECT :meter_no, :first_start + wh.key * :hour, wh.value / 1000.0,
       wh.key IN (SELECT value FROM json_each(:estimated))
FROM json_each(:wh) AS wh
"""
_SQLITE_DAILY = """
INSERT INTO daily_reads (meter_no, day, kwh, estimated)
SELECT :meter_no, date(:first_day, '+' || wh.key || ' days'), wh.value / 1000.0,
       wh.key IN (SELECT value FROM json_each(:estimated))
FROM json_each(:wh) AS wh
"""


def _load_sqlite(source: SeriesSource, path: str) -> None:
    database = sqlite3.connect(path, isolation_level=None)
    try:
        _recreate_sqlite_schema(database)
        database.execute("PRAGMA journal_mode = MEMORY")
        database.execute("PRAGMA synchronous = OFF")
        database.execute("BEGIN")
        for table, rows in _reference_rows(source):
            database.executemany(_sqlite_insert(table), [_sqlite_values(row) for row in rows])
        calendar = source.calendar
        hours = calendar.hour_starts
        first_start = epoch_microseconds(hours[0]) if hours else 0
        hour = epoch_microseconds(hours[1]) - first_start if len(hours) > 1 else 0
        first_day = calendar.days[0].isoformat() if calendar.days else ""
        with ThreadPoolExecutor(1, thread_name_prefix="meter-series") as executor:
            for derived in _derived_ahead(source, executor):
                series = derived.result()
                database.execute(
                    _SQLITE_HOURLY,
                    {
                        "meter_no": series.meter_no,
                        "first_start": first_start,
                        "hour": hour,
                        "wh": orjson.dumps(series.hourly_wh),
                        "estimated": orjson.dumps(_positions(series.hourly_estimated)),
                    },
                )
                database.execute(
                    _SQLITE_DAILY,
                    {
                        "meter_no": series.meter_no,
                        "first_day": first_day,
                        "wh": orjson.dumps(series.daily_wh),
                        "estimated": orjson.dumps(_positions(series.daily_estimated)),
                    },
                )
        database.execute("COMMIT")
    except BaseException:
        if database.in_transaction:
            database.execute("ROLLBACK")
        raise
    finally:
        database.close()


def _recreate_sqlite_schema(database: sqlite3.Connection) -> None:
    dialect = sqlite_dialect.dialect()
    database.execute("BEGIN")
    for table in reversed(metadata.sorted_tables):
        database.execute(f'DROP TABLE IF EXISTS "{table.name}"')
    database.execute("COMMIT")
    # The page size only changes on an empty file or through VACUUM, which is quick
    # now that the big tables are gone.
    if database.execute("PRAGMA page_size").fetchone()[0] != _SQLITE_PAGE_SIZE:
        database.execute(f"PRAGMA page_size = {_SQLITE_PAGE_SIZE}")
        database.execute("VACUUM")
    database.execute("BEGIN")
    for table in metadata.sorted_tables:
        database.execute(str(CreateTable(table).compile(dialect=dialect)))
        for index in table.indexes:
            database.execute(str(CreateIndex(index).compile(dialect=dialect)))
    database.execute("COMMIT")


def _sqlite_insert(table: Table) -> str:
    columns = ", ".join(column.name for column in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    return f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"  # noqa: S608 - schema names


def _sqlite_values(row: Row) -> Row:
    # SQLAlchemy keeps SQLite DATEs as ISO text; nothing else here needs converting.
    return tuple(value.isoformat() if hasattr(value, "isoformat") else value for value in row)


# --- PostgreSQL -----------------------------------------------------------------------

_POSTGRES_HOURLY = """
INSERT INTO interval_reads (meter_no, starts_at, kwh, estimated)
SELECT $1, $2::timestamptz + (n - 1) * interval '1 hour', wh / 1000.0::float8,
       (n - 1) = ANY($4::int4[])
FROM unnest($3::int8[]) WITH ORDINALITY AS reads(wh, n)
"""
_POSTGRES_DAILY = """
INSERT INTO daily_reads (meter_no, day, kwh, estimated)
SELECT $1, $2::date + (n - 1)::int4, wh / 1000.0::float8, (n - 1) = ANY($4::int4[])
FROM unnest($3::int8[]) WITH ORDINALITY AS reads(wh, n)
"""
_BULK_TABLES = (interval_reads, daily_reads)


def _bulk_constraints() -> list[Constraint]:
    """The big tables' keys, on a private copy of the schema.

    `AddConstraint` marks its constraint as no longer part of CREATE TABLE, so it must
    never touch the shared `metadata`.
    """
    scratch = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(scratch)
    return [
        constraint
        for table in _BULK_TABLES
        for constraint in (
            scratch.tables[table.name].primary_key,
            *scratch.tables[table.name].foreign_key_constraints,
        )
    ]


async def _load_postgres(source: SeriesSource, database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(metadata.drop_all)
            await connection.run_sync(metadata.create_all)
            constraints = _bulk_constraints()
            for constraint in constraints:
                await connection.execute(DropConstraint(constraint))
            await _insert_postgres_rows(connection, source)
            await connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
            for constraint in constraints:
                await connection.execute(AddConstraint(constraint))
            await connection.exec_driver_sql(
                "ANALYZE " + ", ".join(table.name for table in metadata.sorted_tables)
            )
            await connection.commit()
    finally:
        await engine.dispose()


async def _insert_postgres_rows(connection: AsyncConnection, source: SeriesSource) -> None:
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if driver is None:
        raise RuntimeError("the engine has no asyncpg connection")
    for table, rows in _reference_rows(source):
        columns = [column.name for column in table.columns]
        await driver.copy_records_to_table(table.name, records=rows, columns=columns)
    calendar = source.calendar
    first_start = calendar.hour_starts[0] if calendar.hour_starts else None
    first_day = calendar.days[0] if calendar.days else None

    async def insert(hourly: list[Row], daily: list[Row]) -> None:
        # executemany pipelines a whole batch of statements in one round trip.
        await driver.executemany(_POSTGRES_HOURLY, hourly)
        await driver.executemany(_POSTGRES_DAILY, daily)

    # The server stores one batch while this loop derives the next. (A worker thread
    # would fight the event loop for the GIL and slow the round trips down.)
    storing: asyncio.Task[None] | None = None
    try:
        for batch in _batches(sorted(source.meter_nos), _POSTGRES_BATCH):
            hourly: list[Row] = []
            daily: list[Row] = []
            for meter_no in batch:
                series = source.derive(meter_no)
                hourly.append(
                    (
                        series.meter_no,
                        first_start,
                        series.hourly_wh,
                        _positions(series.hourly_estimated),
                    )
                )
                daily.append(
                    (
                        series.meter_no,
                        first_day,
                        series.daily_wh,
                        _positions(series.daily_estimated),
                    )
                )
                await asyncio.sleep(0)  # lets the batch being stored keep streaming
            if storing is not None:
                await storing
            storing = asyncio.create_task(insert(hourly, daily))
        if storing is not None:
            await storing
    finally:
        if storing is not None and not storing.done():
            storing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await storing


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
