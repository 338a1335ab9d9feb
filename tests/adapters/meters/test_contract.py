"""The meter data contract (`adapters.meters.contract`) for three stores: the fake, SQLite
and PostgreSQL; and what only the SQL store can get wrong.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.meters.contract import *  # noqa: F403
from adapters.meters.contract import MeterDataContractFacts
from adapters.meters.port import MeterDataFault, MeterDataPort, MeterDataUnavailable
from adapters.meters.sql import SqlMeterData
from adapters.meters.tables import metadata, meters, service_locations, weather_stations
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.world import World
from tests.fixtures.postgres import PostgresServer


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """None for the fake; otherwise the URL of the world loaded into that backend."""
    if request.param == "fake":
        return None
    url: str = request.getfixturevalue(f"meters_{request.param}_url")
    return url


@pytest.fixture
async def meter_data(store_url: str | None, world: World) -> AsyncIterator[MeterDataPort]:
    adapter: MeterDataPort = (
        fake_meters_from_world(world) if store_url is None else SqlMeterData.from_url(store_url)
    )
    try:
        yield adapter
    finally:
        await adapter.aclose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/empty.db"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database("empty")


@pytest.fixture
async def without_schema(empty_database_url: str) -> AsyncIterator[SqlMeterData]:
    adapter = SqlMeterData.from_url(empty_database_url)
    try:
        yield adapter
    finally:
        await adapter.aclose()


async def test_a_store_without_the_schema_is_a_fault(without_schema: SqlMeterData) -> None:
    with pytest.raises(MeterDataFault):
        await without_schema.daily_reads("M1", start=date(2026, 1, 1), end=date(2026, 2, 1))
    await without_schema.ping()  # the server itself is fine


async def test_the_adapter_disposes_only_an_engine_it_created(meters_sqlite_url: str) -> None:
    engine = create_async_engine(meters_sqlite_url)
    try:
        borrowed = SqlMeterData(engine)
        await borrowed.ping()
        await borrowed.aclose()
        async with engine.connect() as connection:  # still usable
            await connection.exec_driver_sql("SELECT 1")
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def locked_store_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A loaded store whose reads table another session holds locked for a while."""
    url: str = request.getfixturevalue(f"meters_{request.param}_url")
    if request.param == "sqlite":
        database = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        database.execute("BEGIN EXCLUSIVE")
        try:
            yield url
        finally:
            database.execute("ROLLBACK")
            database.close()
    else:
        with _postgres_lock(url, "daily_reads"):
            yield url


@contextmanager
def _postgres_lock(url: str, table: str) -> Iterator[None]:
    """Holds an exclusive lock from a helper thread (with its own loop) until exit."""
    release = threading.Event()
    locked = threading.Event()

    async def hold() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.exec_driver_sql(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
                locked.set()
                await asyncio.to_thread(release.wait)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        holding = pool.submit(asyncio.run, hold())
        locked.wait(timeout=30)
        try:
            yield
        finally:
            release.set()
            holding.result()


async def test_a_store_that_does_not_answer_in_time_is_unavailable(
    locked_store_url: str, meter_data_facts: MeterDataContractFacts
) -> None:
    store = SqlMeterData.from_url(locked_store_url, timeout=0.3)
    try:
        with pytest.raises(MeterDataUnavailable):
            await store.daily_reads(
                meter_data_facts.meters[0].meter_no, start=date(2026, 1, 1), end=date(2026, 2, 1)
            )
    finally:
        await store.aclose()


async def test_a_store_missing_its_reads_tables_is_a_fault(empty_database_url: str) -> None:
    """The reads are read through the driver's own cursor on SQLite: its errors too are
    the adapter's, with nothing of the database's own in them."""
    engine = create_async_engine(empty_database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(
                metadata.create_all, tables=[weather_stations, service_locations, meters]
            )
            await connection.execute(
                insert(weather_stations),
                {"station_id": "S1", "name": "S", "latitude": 0, "longitude": 0, "elevation_ft": 0},
            )
            await connection.execute(
                insert(service_locations), {"location_id": "L1", "station_id": "S1"}
            )
            await connection.execute(insert(meters), {"meter_no": "M1", "location_id": "L1"})
        store = SqlMeterData(engine)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        with pytest.raises(MeterDataFault) as hourly:
            await store.hourly_reads_many(["M1"], start=start, end=start + timedelta(days=1))
        with pytest.raises(MeterDataFault):
            await store.daily_reads("M1", start=date(2026, 1, 1), end=date(2026, 2, 1))
        assert "interval_reads" in str(hourly.value)
        assert "SELECT" not in str(hourly.value)
    finally:
        await engine.dispose()
