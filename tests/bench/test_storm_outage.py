"""Starting the storm's outage in a copy of the OMS stand-in's database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from bench.storm_outage import locations_of, start_outage
from simulators.oms.logic import OutageManagement
from simulators.world import World
from tests.fixtures.oms import load_oms_database


async def test_the_outage_covers_the_share_asked_for_and_the_oms_reports_it(
    world: World, tmp_path: Path
) -> None:
    database = tmp_path / "oms.db"
    url = await load_oms_database(world, database)
    everyone = [a.account_number for a in world.accounts]
    locations, out_before = locations_of(database, everyone)

    out_now = start_outage(database, share=0.3, seed=1)

    assert locations == len(world.locations)
    assert out_now == out_before + round(0.3 * locations)
    assert locations_of(database, everyone) == (locations, out_now)
    # The stand-in's own logic finds every location of the storm in an active event.
    engine = create_async_engine(url)
    try:
        oms = OutageManagement(engine)
        events = [e for e in await oms.active_events() if e.event_id.startswith("OE-STORM-")]
        assert sum(e.customers_affected for e in events) == out_now - out_before
        assert all(e.is_active for e in events)
    finally:
        await engine.dispose()


async def test_locations_are_counted_for_the_accounts_asked_about_only(
    world: World, tmp_path: Path
) -> None:
    database = tmp_path / "oms.db"
    await load_oms_database(world, database)
    account = world.accounts[0].account_number

    locations, _ = locations_of(database, [account])

    assert locations == sum(1 for loc in world.locations if loc.account_number == account)
