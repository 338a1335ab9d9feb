"""What the OMS does with the world and with customer calls, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from simulators.oms.logic import (
    IncomingCall,
    LocationQuery,
    OutageManagement,
    UnclearLocation,
    UnknownLocation,
)
from simulators.oms.store import load_world
from simulators.world import OutageEventStatus, World
from tests.fixtures.oms import OmsScenario

CALL_TIME = datetime(2026, 11, 15, 16, 45, tzinfo=UTC)


async def _fresh_oms(world: World, url: str) -> AsyncIterator[OutageManagement]:
    engine = create_async_engine(url)
    await load_world(world, engine)
    yield OutageManagement(engine)
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def oms(
    request: pytest.FixtureRequest,
    world: World,
    tmp_path: Path,
    postgres_database_url: Callable[[], str],
) -> AsyncIterator[OutageManagement]:
    """A fresh OMS database per test, on each backend the stand-in supports."""
    sqlite = request.param == "sqlite"
    url = f"sqlite+aiosqlite:///{tmp_path / 'oms.db'}" if sqlite else postgres_database_url()
    async for oms in _fresh_oms(world, url):
        yield oms


@pytest.fixture
async def sqlite_oms(world: World, tmp_path: Path) -> AsyncIterator[OutageManagement]:
    """The same on SQLite only, for reads (the queries are the same on both backends)."""
    async for oms in _fresh_oms(world, f"sqlite+aiosqlite:///{tmp_path / 'oms.db'}"):
        yield oms


def _call(
    location_id: str, *, at: datetime = CALL_TIME, call_id: str | None = None
) -> IncomingCall:
    return IncomingCall(
        location=LocationQuery(location_id=location_id),
        reported_at=at,
        call_id=call_id,
        phone="5055550100",
        caller_name="Pat Member",
        comment="Lights went out",
    )


async def test_a_location_in_an_active_event_is_out(
    sqlite_oms: OutageManagement, oms_scenario: OmsScenario
) -> None:
    event = oms_scenario.active[OutageEventStatus.ON_SITE]
    found = await sqlite_oms.active_event_at(event.location_ids[0])
    assert found is not None
    assert found.event_id == event.event_id
    assert found.phase is OutageEventStatus.ON_SITE
    assert found.customers_affected == len(set(event.location_ids))
    assert await sqlite_oms.active_event_at(oms_scenario.quiet_feeder_locations[0]) is None


async def test_active_events_are_the_unrestored_ones_oldest_first(
    sqlite_oms: OutageManagement, world: World
) -> None:
    expected = sorted(
        (e for e in world.outage_events if e.restored_at is None),
        key=lambda e: (e.started_at, e.event_id),
    )
    events = await sqlite_oms.active_events()
    assert [e.event_id for e in events] == [e.event_id for e in expected]
    rest = await sqlite_oms.active_events(after_event_id=expected[0].event_id)
    assert [e.event_id for e in rest] == [e.event_id for e in expected[1:]]
    assert await sqlite_oms.active_events(after_event_id="OE-gone") == []


async def test_history_is_newest_first_and_includes_restored_events(
    sqlite_oms: OutageManagement, world: World, oms_scenario: OmsScenario
) -> None:
    location = oms_scenario.history_location
    expected = [e for e in world.outage_events if location in e.location_ids]
    history = await sqlite_oms.history(location)
    assert sorted(e.event_id for e in history) == sorted(e.event_id for e in expected)
    starts = [e.started_at for e in history]
    assert starts == sorted(starts, reverse=True)
    assert any(e.phase is OutageEventStatus.RESTORED for e in history)


async def test_first_call_on_a_quiet_feeder_opens_an_event(
    oms: OutageManagement, oms_scenario: OmsScenario, world: World
) -> None:
    location_id = oms_scenario.quiet_feeder_locations[0]
    location = next(loc for loc in world.locations if loc.location_id == location_id)

    outcome = await oms.report(_call(location_id))

    assert outcome.event_id == "OE-20261115-C001"
    assert not outcome.joined_existing_event
    event = await oms.event(outcome.event_id)
    assert event is not None
    assert event.phase is OutageEventStatus.REPORTED
    assert event.feeder == location.feeder
    assert event.substation == location.substation
    assert event.started_at == CALL_TIME
    assert event.cause is None
    assert event.customers_affected == 1
    assert event.calls_received == 1
    assert (await oms.active_event_at(location_id)) == event
    [call] = await oms.calls_on_event(outcome.event_id)
    assert (call.phone, call.caller_name, call.comment) == (
        "5055550100",
        "Pat Member",
        "Lights went out",
    )
    assert call.account_number == location.account_number


async def test_a_neighbour_on_the_same_feeder_joins_that_event(
    oms: OutageManagement, oms_scenario: OmsScenario
) -> None:
    first, neighbour = oms_scenario.quiet_feeder_locations
    opened = await oms.report(_call(first))

    joined = await oms.report(_call(neighbour, at=CALL_TIME + timedelta(minutes=3)))
    again = await oms.report(_call(neighbour, at=CALL_TIME + timedelta(minutes=9)))

    assert joined.event_id == again.event_id == opened.event_id
    assert joined.joined_existing_event
    assert again.joined_existing_event
    event = await oms.event(opened.event_id)
    assert event is not None
    assert event.customers_affected == 2  # the neighbour counted once
    assert event.calls_received == 3
    assert event.started_at == CALL_TIME
    assert len(await oms.active_events()) == len(oms_scenario.active) + 1


async def test_a_call_on_a_feeder_already_out_joins_the_active_event(
    oms: OutageManagement, oms_scenario: OmsScenario, world: World
) -> None:
    location_id = oms_scenario.uncovered_on_active_feeder
    feeder = next(loc.feeder for loc in world.locations if loc.location_id == location_id)
    active = next(e for e in oms_scenario.active.values() if e.feeder == feeder)

    outcome = await oms.report(_call(location_id))

    assert outcome.event_id == active.event_id
    assert outcome.joined_existing_event
    event = await oms.event(active.event_id)
    assert event is not None
    assert event.customers_affected == len(set(active.location_ids)) + 1
    assert event.phase is active.status  # a call does not change what the crew is doing


async def test_a_resent_call_is_not_counted_twice(
    oms: OutageManagement, oms_scenario: OmsScenario
) -> None:
    location_id = oms_scenario.quiet_feeder_locations[0]
    first = await oms.report(_call(location_id, call_id="ivr-1"))
    resent = await oms.report(_call(location_id, call_id="ivr-1"))

    assert resent == first
    assert not resent.joined_existing_event
    assert len(await oms.calls_on_event(first.event_id)) == 1


async def test_simultaneous_first_calls_on_one_feeder_open_one_event(
    oms: OutageManagement, oms_scenario: OmsScenario
) -> None:
    outcomes = await asyncio.gather(
        *(oms.report(_call(location_id)) for location_id in oms_scenario.quiet_feeder_locations)
    )
    assert len({o.event_id for o in outcomes}) == 1
    assert sorted(o.joined_existing_event for o in outcomes) == [False, True]


async def test_events_opened_the_same_day_are_numbered_in_order(
    sqlite_oms: OutageManagement, oms_scenario: OmsScenario, world: World
) -> None:
    quiet_feeders = sorted(
        {loc.feeder for loc in world.locations} - {e.feeder for e in oms_scenario.active.values()}
    )
    locations = [
        next(loc.location_id for loc in world.locations if loc.feeder == feeder)
        for feeder in quiet_feeders[:2]
    ]
    ids = [(await sqlite_oms.report(_call(location_id))).event_id for location_id in locations]
    assert ids == ["OE-20261115-C001", "OE-20261115-C002"]


async def test_unknown_and_unclear_locations_are_refused(
    sqlite_oms: OutageManagement, oms_scenario: OmsScenario
) -> None:
    with pytest.raises(UnknownLocation, match="Unknown service location"):
        await sqlite_oms.report(_call(oms_scenario.unknown_location))
    with pytest.raises(UnknownLocation, match="Unknown meter"):
        await sqlite_oms.locate(LocationQuery(meter_no="NO-SUCH-METER"))
    with pytest.raises(UnclearLocation, match="service locations"):
        await sqlite_oms.locate(LocationQuery(account_number=oms_scenario.two_location_account))
    with pytest.raises(UnclearLocation, match="names no servLoc"):
        await sqlite_oms.locate(LocationQuery())
    assert await sqlite_oms.calls_at(oms_scenario.unknown_location) == []


async def test_a_location_is_found_by_meter_or_single_location_account(
    sqlite_oms: OutageManagement, world: World
) -> None:
    meter = world.meters[0]
    by_meter = await sqlite_oms.locate(LocationQuery(meter_no=meter.meter_no))
    assert by_meter.location_id == meter.location_id
    assert meter.meter_no in by_meter.meter_nos
    single = next(a for a in world.accounts if len(a.location_ids) == 1)
    by_account = await sqlite_oms.locate(LocationQuery(account_number=single.account_number))
    assert by_account.location_id == single.location_ids[0]
