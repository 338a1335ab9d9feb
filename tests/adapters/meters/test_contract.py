"""One suite, three stores: the fake, SQLite and PostgreSQL must give the same answers."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.meters.port import (
    DailyRead,
    DailyWeather,
    IntervalRead,
    MeterDataFault,
    MeterDataNotFound,
    MeterDataPort,
    MeterDataUnavailable,
)
from adapters.meters.sql import SqlMeterData
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.meters.series import SeriesSource
from simulators.world import World
from tests.fixtures.postgres import PostgresServer

DENVER = ZoneInfo("America/Denver")
HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def source(world: World) -> SeriesSource:
    return SeriesSource(world)


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """None for the fake; otherwise the URL of the world loaded into that backend."""
    if request.param == "fake":
        return None
    url: str = request.getfixturevalue(f"meters_{request.param}_url")
    return url


@pytest.fixture
async def store(store_url: str | None, world: World) -> AsyncIterator[MeterDataPort]:
    adapter: MeterDataPort = (
        fake_meters_from_world(world) if store_url is None else SqlMeterData.from_url(store_url)
    )
    try:
        yield adapter
    finally:
        await adapter.aclose()


def expected_hourly(
    source: SeriesSource, meter_no: str, start: datetime, end: datetime
) -> list[IntervalRead]:
    series = source.derive(meter_no)
    return [
        IntervalRead(instant, kwh, estimated)
        for instant, kwh, estimated in zip(
            source.calendar.hour_starts, series.hourly_kwh, series.hourly_estimated, strict=True
        )
        if start <= instant < end
    ]


def expected_daily(source: SeriesSource, meter_no: str, start: date, end: date) -> list[DailyRead]:
    series = source.derive(meter_no)
    return [
        DailyRead(day, kwh, estimated)
        for day, kwh, estimated in zip(
            source.calendar.days, series.daily_kwh, series.daily_estimated, strict=True
        )
        if start <= day < end
    ]


def a_meter_with_estimates(source: SeriesSource) -> str:
    return next(m for m in source.meter_nos if any(source.derive(m).hourly_estimated))


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=DENVER)


def dst_changes(source: SeriesSource) -> tuple[date, date]:
    """The last spring-forward and fall-back days with hourly reads."""
    by_length = {
        len(hours): day
        for day, hours in zip(source.calendar.hourly_days, source.calendar.local_hours, strict=True)
    }
    return by_length[23], by_length[25]


# --- hourly reads ---------------------------------------------------------------------


async def test_a_year_of_hourly_reads_is_the_derived_series(
    store: MeterDataPort, source: SeriesSource, world: World
) -> None:
    meter_no = a_meter_with_estimates(source)
    end = local_midnight(world.as_of)
    start = end - timedelta(days=365)
    reads = await store.hourly_reads(meter_no, start=start, end=end)
    assert reads == expected_hourly(source, meter_no, start, end)
    assert len(reads) == 365 * 24
    assert any(read.estimated for read in reads)
    assert all(read.starts_at.utcoffset() == timedelta(0) for read in reads)


async def test_hourly_ranges_are_half_open(store: MeterDataPort, source: SeriesSource) -> None:
    meter_no = source.meter_nos[0]
    first = source.calendar.hour_starts[100]
    reads = await store.hourly_reads(meter_no, start=first, end=first + 3 * HOUR)
    assert [read.starts_at for read in reads] == [first, first + HOUR, first + 2 * HOUR]
    assert await store.hourly_reads(meter_no, start=first, end=first) == []


async def test_hourly_reads_start_at_the_first_whole_hour_inside_the_range(
    store: MeterDataPort, source: SeriesSource
) -> None:
    meter_no = source.meter_nos[1]
    hour = source.calendar.hour_starts[200]
    reads = await store.hourly_reads(
        meter_no, start=hour + timedelta(minutes=30), end=hour + 2 * HOUR + timedelta(seconds=1)
    )
    assert [read.starts_at for read in reads] == [hour + HOUR, hour + 2 * HOUR]


async def test_hourly_reads_accept_any_offset_and_answer_in_utc(
    store: MeterDataPort, source: SeriesSource
) -> None:
    meter_no = source.meter_nos[0]
    start_local = local_midnight(source.calendar.hourly_days[10])
    end_local = start_local + timedelta(days=2)
    in_denver = await store.hourly_reads(meter_no, start=start_local, end=end_local)
    in_utc = await store.hourly_reads(
        meter_no, start=start_local.astimezone(UTC), end=end_local.astimezone(UTC)
    )
    assert in_denver == in_utc == expected_hourly(source, meter_no, start_local, end_local)
    assert all(read.starts_at.utcoffset() == timedelta(0) for read in in_denver)


async def test_dst_days_have_23_and_25_hourly_reads(
    store: MeterDataPort, source: SeriesSource
) -> None:
    meter_no = source.meter_nos[2]
    counts = set()
    spring, autumn = dst_changes(source)
    assert (spring.month, autumn.month) == (3, 11)
    for day in (spring, autumn, spring + timedelta(days=90)):
        reads = await store.hourly_reads(
            meter_no, start=local_midnight(day), end=local_midnight(day + timedelta(days=1))
        )
        counts.add(len(reads))
    assert counts == {23, 25, 24}


async def test_no_hourly_reads_outside_the_hourly_window(
    store: MeterDataPort, source: SeriesSource, world: World
) -> None:
    meter_no = source.meter_nos[0]
    before = local_midnight(world.usage_start)
    assert (
        await store.hourly_reads(meter_no, start=before, end=source.calendar.hour_starts[0]) == []
    )
    after = local_midnight(world.as_of)
    assert await store.hourly_reads(meter_no, start=after, end=after + timedelta(days=30)) == []


# --- daily reads ----------------------------------------------------------------------


async def test_daily_reads_cover_the_whole_history(
    store: MeterDataPort, source: SeriesSource, world: World
) -> None:
    meter_no = a_meter_with_estimates(source)
    reads = await store.daily_reads(meter_no, start=date(2000, 1, 1), end=date(2100, 1, 1))
    assert reads == expected_daily(source, meter_no, world.usage_start, world.as_of)
    assert reads[0].day == world.usage_start
    assert reads[-1].day == world.as_of - timedelta(days=1)
    assert any(read.estimated for read in reads)


async def test_daily_ranges_are_half_open(store: MeterDataPort, source: SeriesSource) -> None:
    meter_no = source.meter_nos[3]
    day = source.calendar.days[40]
    reads = await store.daily_reads(meter_no, start=day, end=day + timedelta(days=2))
    assert [read.day for read in reads] == [day, day + timedelta(days=1)]
    assert await store.daily_reads(meter_no, start=day, end=day) == []


async def test_a_daily_read_is_the_sum_of_its_hourly_reads(
    store: MeterDataPort, source: SeriesSource
) -> None:
    meter_no = a_meter_with_estimates(source)
    series = source.derive(meter_no)
    estimated_hour = series.hourly_estimated.index(True)
    day = source.calendar.hour_starts[estimated_hour].astimezone(DENVER).date()
    for this_day in (day, *dst_changes(source)):
        next_day = this_day + timedelta(days=1)
        (daily,) = await store.daily_reads(meter_no, start=this_day, end=next_day)
        hourly = await store.hourly_reads(
            meter_no, start=local_midnight(this_day), end=local_midnight(next_day)
        )
        assert round(sum(read.kwh for read in hourly), 3) == daily.kwh
        assert daily.estimated == any(read.estimated for read in hourly)
    (estimated_day,) = await store.daily_reads(meter_no, start=day, end=day + timedelta(days=1))
    assert estimated_day.estimated


# --- unknown things -------------------------------------------------------------------


async def test_unknown_meters_are_not_found(store: MeterDataPort, world: World) -> None:
    end = local_midnight(world.as_of)
    with pytest.raises(MeterDataNotFound, match="NO-SUCH-METER"):
        await store.hourly_reads("NO-SUCH-METER", start=end - timedelta(days=1), end=end)
    with pytest.raises(MeterDataNotFound, match="NO-SUCH-METER"):
        await store.daily_reads("NO-SUCH-METER", start=date(2020, 1, 1), end=world.as_of)


async def test_unknown_locations_and_stations_are_not_found(store: MeterDataPort) -> None:
    with pytest.raises(MeterDataNotFound):
        await store.weather_station_for_location("NO-SUCH-LOCATION")
    with pytest.raises(MeterDataNotFound):
        await store.daily_weather("KXXX", start=date(2020, 1, 1), end=date(2030, 1, 1))


async def test_a_known_meter_with_nothing_in_range_gives_no_reads(
    store: MeterDataPort, source: SeriesSource
) -> None:
    meter_no = source.meter_nos[0]
    assert await store.daily_reads(meter_no, start=date(1990, 1, 1), end=date(1991, 1, 1)) == []


# --- bad arguments --------------------------------------------------------------------


async def test_naive_datetimes_and_reversed_ranges_are_refused(
    store: MeterDataPort, source: SeriesSource
) -> None:
    meter_no = source.meter_nos[0]
    naive = datetime(2026, 1, 1)
    aware = datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.hourly_reads(meter_no, start=naive, end=aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.hourly_reads_many([meter_no], start=aware, end=naive)
    with pytest.raises(ValueError, match="before start"):
        await store.hourly_reads(meter_no, start=aware, end=aware - HOUR)
    with pytest.raises(ValueError, match="before start"):
        await store.daily_reads(meter_no, start=date(2026, 2, 1), end=date(2026, 1, 1))
    with pytest.raises(ValueError, match="before start"):
        await store.daily_weather("KMRT", start=date(2026, 2, 1), end=date(2026, 1, 1))


# --- batches --------------------------------------------------------------------------


async def test_batched_hourly_reads_agree_with_single_ones(
    store: MeterDataPort, source: SeriesSource
) -> None:
    meter_nos = list(source.meter_nos[:4])
    start = source.calendar.hour_starts[500]
    end = start + timedelta(days=20)
    asked = [meter_nos[2], "NO-SUCH-METER", *meter_nos, meter_nos[0]]
    batch = await store.hourly_reads_many(asked, start=start, end=end)
    assert list(batch) == [meter_nos[2], meter_nos[0], meter_nos[1], meter_nos[3]]
    for meter_no in meter_nos:
        assert list(batch[meter_no]) == await store.hourly_reads(meter_no, start=start, end=end)
        assert len(batch[meter_no]) == 20 * 24  # whole UTC days: DST changes nothing


async def test_batched_daily_reads_agree_with_single_ones(
    store: MeterDataPort, source: SeriesSource
) -> None:
    meter_nos = list(source.meter_nos[-3:])
    start, end = source.calendar.days[5], source.calendar.days[70]
    batch = await store.daily_reads_many([*meter_nos, "NO-SUCH-METER"], start=start, end=end)
    assert list(batch) == meter_nos
    for meter_no in meter_nos:
        assert list(batch[meter_no]) == await store.daily_reads(meter_no, start=start, end=end)
        assert len(batch[meter_no]) == 65


async def test_batches_keep_known_meters_with_nothing_in_range(
    store: MeterDataPort, source: SeriesSource
) -> None:
    meter_no = source.meter_nos[0]
    empty = await store.daily_reads_many([meter_no], start=date(1990, 1, 1), end=date(1991, 1, 1))
    assert {key: list(value) for key, value in empty.items()} == {meter_no: []}
    start = datetime(1990, 1, 1, tzinfo=UTC)
    hourly = await store.hourly_reads_many([meter_no], start=start, end=start + HOUR)
    assert {key: list(value) for key, value in hourly.items()} == {meter_no: []}
    assert await store.hourly_reads_many([], start=start, end=start + HOUR) == {}
    assert (
        await store.daily_reads_many(
            ["NO-SUCH-METER"], start=date(2020, 1, 1), end=date(2021, 1, 1)
        )
        == {}
    )


# --- weather --------------------------------------------------------------------------


async def test_every_location_has_its_world_weather_station(
    store: MeterDataPort, world: World
) -> None:
    for location in world.locations[:10]:
        assert await store.weather_station_for_location(location.location_id) == (
            location.weather_station
        )


async def test_daily_weather_is_the_world_s_weather(
    store: MeterDataPort, world: World, source: SeriesSource
) -> None:
    station_id = world.weather_stations[0].station_id
    days = source.calendar.days
    start, end = days[30], days[60]
    weather = await store.daily_weather(station_id, start=start, end=end)
    assert weather == [
        DailyWeather(day, high, low, mean)
        for day, (high, low, mean) in zip(days, world.daily_weather[station_id], strict=True)
        if start <= day < end
    ]
    assert len(weather) == 30
    assert await store.daily_weather(station_id, start=start, end=start) == []


async def test_ping_answers(store: MeterDataPort) -> None:
    await store.ping()


# --- a store that is down or broken ---------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(params=["fake", "sqlite", "postgres"])
async def unreachable(
    request: pytest.FixtureRequest, world: World, tmp_path: Path
) -> AsyncIterator[MeterDataPort]:
    adapter: MeterDataPort
    if request.param == "fake":
        fake = fake_meters_from_world(world)
        fake.unavailable = True
        adapter = fake
    elif request.param == "sqlite":
        adapter = SqlMeterData.from_url(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/meters.db")
    else:
        adapter = SqlMeterData.from_url(
            f"postgresql+asyncpg://meters:s3cret-pw@127.0.0.1:{_closed_port()}/meters", timeout=2
        )
    try:
        yield adapter
    finally:
        await adapter.aclose()


async def test_an_unreachable_store_is_unavailable(
    unreachable: MeterDataPort, source: SeriesSource, world: World
) -> None:
    meter_no = source.meter_nos[0]
    end = local_midnight(world.as_of)
    calls: list[Callable[[], object]] = [
        lambda: unreachable.hourly_reads(meter_no, start=end - HOUR, end=end),
        lambda: unreachable.daily_reads(meter_no, start=date(2026, 1, 1), end=date(2026, 2, 1)),
        lambda: unreachable.hourly_reads_many([meter_no], start=end - HOUR, end=end),
        lambda: unreachable.daily_reads_many([meter_no], start=date(2026, 1, 1), end=world.as_of),
        lambda: unreachable.weather_station_for_location(world.locations[0].location_id),
        lambda: unreachable.daily_weather("KMRT", start=date(2026, 1, 1), end=date(2026, 2, 1)),
        unreachable.ping,
    ]
    for call in calls:
        with pytest.raises(MeterDataUnavailable) as raised:
            await call()  # type: ignore[misc]
        assert "s3cret" not in str(raised.value)
        assert raised.value.system == "meters"


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
    locked_store_url: str, source: SeriesSource
) -> None:
    store = SqlMeterData.from_url(locked_store_url, timeout=0.3)
    try:
        with pytest.raises(MeterDataUnavailable):
            await store.daily_reads(
                source.meter_nos[0], start=date(2026, 1, 1), end=date(2026, 2, 1)
            )
    finally:
        await store.aclose()
