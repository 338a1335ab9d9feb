"""The OMS database holds the world's network and outage history, and nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from simulators.oms.store import (
    customer_calls,
    event_locations,
    load_world,
    meters,
    outage_events,
    service_locations,
)
from simulators.world import OutageEventStatus, World


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'oms.db'}")
    yield engine
    await engine.dispose()


async def _count(engine: AsyncEngine, table: Table) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_load_world_copies_network_and_events(world: World, engine: AsyncEngine) -> None:
    await load_world(world, engine)

    assert await _count(engine, service_locations) == len(world.locations)
    assert await _count(engine, meters) == len(world.meters)
    assert await _count(engine, outage_events) == len(world.outage_events)
    assert await _count(engine, event_locations) == sum(
        len(set(e.location_ids)) for e in world.outage_events
    )
    assert await _count(engine, customer_calls) == 0


async def test_instants_come_back_aware_and_equal(world: World, engine: AsyncEngine) -> None:
    await load_world(world, engine)
    event = world.outage_events[0]
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(outage_events).where(outage_events.c.event_id == event.event_id)
            )
        ).one()
    assert row.started_at == event.started_at
    assert row.started_at.tzinfo is UTC
    assert row.restored_at == event.restored_at


async def test_crew_times_follow_each_phase(world: World, engine: AsyncEngine) -> None:
    await load_world(world, engine)
    async with engine.connect() as conn:
        rows = {row.event_id: row for row in (await conn.execute(select(outage_events))).all()}
    for event in world.outage_events:
        row = rows[event.event_id]
        if event.status is OutageEventStatus.REPORTED:
            assert row.dispatched_at is None
            assert row.on_site_at is None
        elif event.status is OutageEventStatus.DISPATCHED:
            assert row.dispatched_at is not None
            assert row.on_site_at is None
        elif event.status is OutageEventStatus.ON_SITE:
            assert event.started_at < row.dispatched_at < row.on_site_at
        elif event.restored_at is not None and row.on_site_at is not None:
            assert row.on_site_at <= event.restored_at


async def test_loading_again_replaces_what_was_there(world: World, engine: AsyncEngine) -> None:
    await load_world(world, engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(customer_calls).values(
                call_id="left-over",
                event_id=world.outage_events[0].event_id,
                location_id=world.outage_events[0].location_ids[0],
                account_number="x",
                reported_at=datetime.now(UTC),
                opened_event=False,
            )
        )

    await load_world(world, engine)

    assert await _count(engine, customer_calls) == 0
    assert await _count(engine, outage_events) == len(world.outage_events)


async def test_naive_instants_are_refused(world: World, engine: AsyncEngine) -> None:
    await load_world(world, engine)
    naive = datetime(2026, 11, 15, 9, 0) - timedelta(hours=1)
    async with engine.begin() as conn:
        with pytest.raises(StatementError, match="naive datetime"):
            await conn.execute(
                insert(outage_events).values(
                    event_id="OE-naive",
                    substation="s",
                    feeder="f",
                    phase="reported",
                    started_at=naive,
                )
            )
