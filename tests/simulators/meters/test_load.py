from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.meters.tables import daily_reads, interval_reads, meters, service_locations
from simulators.meters.load import load_meter_store
from simulators.meters.series import SeriesSource
from simulators.world import World, WorldServiceLocation


@pytest.fixture(scope="module")
def small_world(world: World) -> World:
    """Three meters of the shared world: quick to load again and again."""
    kept = world.meters[:3]
    return dataclasses.replace(
        world,
        meters=kept,
        daily_kwh={m.meter_no: world.daily_kwh[m.meter_no] for m in kept},
    )


async def _counts(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            counts = {}
            for table in (meters, service_locations, interval_reads, daily_reads):
                query = select(func.count()).select_from(table)
                counts[table.name] = (await connection.execute(query)).scalar_one()
            for table in (interval_reads, daily_reads):
                query = select(func.count()).where(table.c.estimated)
                counts[f"{table.name}.estimated"] = (await connection.execute(query)).scalar_one()
            return counts
    finally:
        await engine.dispose()


def _expected_counts(world: World) -> dict[str, int]:
    source = SeriesSource(world)
    every = [source.derive(m) for m in source.meter_nos]
    return {
        "meters": len(world.meters),
        "service_locations": len(world.locations),
        "interval_reads": sum(len(s.hourly_wh) for s in every),
        "daily_reads": sum(len(s.daily_wh) for s in every),
        "interval_reads.estimated": sum(sum(s.hourly_estimated) for s in every),
        "daily_reads.estimated": sum(sum(s.daily_estimated) for s in every),
    }


async def test_the_shared_world_is_fully_loaded_on_both_backends(
    world: World, meters_sqlite_url: str, meters_postgres_url: str
) -> None:
    expected = _expected_counts(world)
    assert expected["interval_reads.estimated"] > 0
    assert await _counts(meters_sqlite_url) == expected
    assert await _counts(meters_postgres_url) == expected


async def test_sqlite_keeps_instants_as_epoch_microseconds(
    small_world: World, tmp_path: Path
) -> None:
    path = tmp_path / "meters.db"
    await load_meter_store(small_world, f"sqlite+aiosqlite:///{path}")
    source = SeriesSource(small_world)
    meter_no = sorted(source.meter_nos)[0]
    with sqlite3.connect(path) as database:
        first = database.execute(
            "SELECT starts_at, kwh FROM interval_reads WHERE meter_no = ? ORDER BY starts_at",
            (meter_no,),
        ).fetchone()
        day = database.execute(
            "SELECT day FROM daily_reads WHERE meter_no = ? ORDER BY day", (meter_no,)
        ).fetchone()
    start = source.calendar.hour_starts[0]
    assert first == (int(start.timestamp()) * 1_000_000, source.derive(meter_no).hourly_kwh[0])
    assert day == (small_world.usage_start.isoformat(),)


async def test_loading_again_replaces_the_meter_tables_and_nothing_else(
    world: World, small_world: World, tmp_path: Path
) -> None:
    path = tmp_path / "meters.db"
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE notes (text TEXT)")
        database.execute("INSERT INTO notes VALUES ('kept')")
    url = f"sqlite+aiosqlite:///{path}"
    bigger = dataclasses.replace(
        world,
        meters=world.meters[:5],
        daily_kwh={m.meter_no: world.daily_kwh[m.meter_no] for m in world.meters[:5]},
    )
    await load_meter_store(bigger, url)
    await load_meter_store(small_world, url)
    assert await _counts(url) == _expected_counts(small_world)
    with sqlite3.connect(path) as database:
        assert database.execute("SELECT text FROM notes").fetchall() == [("kept",)]
        assert database.execute("PRAGMA page_size").fetchone() == (65536,)


async def test_a_failed_postgres_load_leaves_the_previous_data(
    small_world: World, postgres_database_url: Callable[[], str]
) -> None:
    url = postgres_database_url()
    await load_meter_store(small_world, url)
    location = small_world.locations[0]
    broken = dataclasses.replace(
        small_world,
        locations=(
            dataclasses.replace(location, weather_station="NOWHERE"),
            *small_world.locations[1:],
        ),
    )
    assert isinstance(broken.locations[0], WorldServiceLocation)
    with pytest.raises(Exception, match="foreign key"):
        await load_meter_store(broken, url)
    assert await _counts(url) == _expected_counts(small_world)


async def test_only_sqlite_files_and_postgresql_are_supported(small_world: World) -> None:
    with pytest.raises(ValueError, match="in-memory"):
        await load_meter_store(small_world, "sqlite+aiosqlite:///:memory:")
    with pytest.raises(ValueError, match="mysql"):
        await load_meter_store(small_world, "mysql+aiomysql://user@localhost/meters")
