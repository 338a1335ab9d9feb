"""One suite for every OmsPort: the in-memory fake and SOAP against the OMS stand-in.

Both are loaded from the same world, so they must give the same answers; what is
expected is worked out from the world here, independently of either of them.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.multispeak import MultiSpeakEndpoint
from adapters.oms.fake import STAND_IN_METHODS
from adapters.oms.port import (
    CallReceipt,
    LocationOutageStatus,
    OmsFault,
    OmsNotFound,
    OmsPort,
    OmsUnavailable,
    OutageCall,
    OutageEvent,
    OutagePhase,
)
from adapters.oms.soap import OPERATIONS_USED, SoapOms
from simulators.oms.app import SERVICE_PATH
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.soap import MultiSpeakCredentials
from simulators.world import OutageEventStatus, World, WorldOutageEvent
from tests.fixtures.oms import OmsScenario, fresh_oms_path, oms_endpoint_for, serve_oms

IMPLEMENTATIONS = ["fake", "soap"]
CALL_TIME = datetime(2026, 11, 15, 18, 20, tzinfo=UTC)


def expected_event(event: WorldOutageEvent, *, extra_locations: int = 0) -> OutageEvent:
    return OutageEvent(
        event_id=event.event_id,
        phase=OutagePhase(event.status.value),
        cause=event.cause,
        customers_affected=len(set(event.location_ids)) + extra_locations,
        started_at=event.started_at,
        estimated_restoration=event.estimated_restoration,
        restored_at=event.restored_at,
        substation=event.substation,
        feeder=event.feeder,
        crew=event.crew,
    )


def a_call(location_id: str, world: World, *, at: datetime = CALL_TIME) -> OutageCall:
    location = next(loc for loc in world.locations if loc.location_id == location_id)
    return OutageCall(
        location_id=location_id,
        account_number=location.account_number,
        phone="5055550142",
        caller_name="Robin Member",
        comment="Power out, neighbours too",
        reported_at=at,
    )


@pytest.fixture(scope="session")
async def shared_soap_oms(oms_endpoint: MultiSpeakEndpoint) -> AsyncIterator[SoapOms]:
    oms = await SoapOms.create(endpoint=oms_endpoint)
    yield oms
    await oms.aclose()


@pytest.fixture(params=IMPLEMENTATIONS)
def reader(request: pytest.FixtureRequest, world: World) -> OmsPort:
    """A port for tests that only read (the SOAP one shares one stand-in)."""
    if request.param == "fake":
        return fake_oms_from_world(world)
    oms: SoapOms = request.getfixturevalue("shared_soap_oms")
    return oms


@pytest.fixture(params=IMPLEMENTATIONS)
async def writer(
    request: pytest.FixtureRequest,
    world: World,
    oms_credentials: MultiSpeakCredentials,
    oms_database_dir: Path,
) -> AsyncIterator[OmsPort]:
    """A port of this test's own, over state no other test sees."""
    if request.param == "fake":
        yield fake_oms_from_world(world)
        return
    path = fresh_oms_path(oms_database_dir)
    async with serve_oms(world, oms_credentials, path) as url:
        oms = await SoapOms.create(endpoint=oms_endpoint_for(url, oms_credentials))
        yield oms
        await oms.aclose()


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(params=IMPLEMENTATIONS)
async def down(
    request: pytest.FixtureRequest, world: World, oms_credentials: MultiSpeakCredentials
) -> AsyncIterator[OmsPort]:
    """A port whose OMS cannot be reached."""
    if request.param == "fake":
        fake = fake_oms_from_world(world)
        fake.down = True
        yield fake
        return
    url = f"http://127.0.0.1:{_unused_port()}{SERVICE_PATH}"
    oms = await SoapOms.create(endpoint=oms_endpoint_for(url, oms_credentials))
    yield oms
    await oms.aclose()


async def test_methods_are_the_stand_ins_and_cover_what_the_adapter_uses(
    reader: OmsPort,
) -> None:
    methods = await reader.get_methods()
    assert tuple(methods) == STAND_IN_METHODS
    assert set(OPERATIONS_USED) <= set(methods)


@pytest.mark.parametrize("phase", list(OutageEventStatus)[:3])
async def test_a_location_in_an_outage_is_out_with_its_event(
    reader: OmsPort, oms_scenario: OmsScenario, phase: OutageEventStatus
) -> None:
    event = oms_scenario.active[phase]
    status = await reader.get_outage_status(event.location_ids[0])
    assert status == LocationOutageStatus(
        location_id=event.location_ids[0], is_out=True, event=expected_event(event)
    )


async def test_a_location_with_power_has_no_event(
    reader: OmsPort, oms_scenario: OmsScenario
) -> None:
    location_id = oms_scenario.uncovered_on_active_feeder
    assert await reader.get_outage_status(location_id) == LocationOutageStatus(
        location_id=location_id, is_out=False, event=None
    )


async def test_active_outages_oldest_first(reader: OmsPort, world: World) -> None:
    active = sorted(
        (e for e in world.outage_events if e.restored_at is None),
        key=lambda e: (e.started_at, e.event_id),
    )
    assert list(await reader.get_active_outages()) == [expected_event(e) for e in active]


async def test_history_newest_first_with_restored_events(
    reader: OmsPort, world: World, oms_scenario: OmsScenario
) -> None:
    location_id = oms_scenario.history_location
    covering = sorted(
        (e for e in world.outage_events if location_id in e.location_ids),
        key=lambda e: (e.started_at, e.event_id),
        reverse=True,
    )
    history = list(await reader.get_outage_history(location_id))
    assert history == [expected_event(e) for e in covering]
    assert OutagePhase.RESTORED in {e.phase for e in history}


async def test_the_fake_and_soap_agree_on_every_location(
    world: World, shared_soap_oms: SoapOms
) -> None:
    fake = fake_oms_from_world(world)
    for location in world.locations:
        location_id = location.location_id
        assert await shared_soap_oms.get_outage_status(location_id) == await fake.get_outage_status(
            location_id
        )
        assert await shared_soap_oms.get_outage_history(
            location_id
        ) == await fake.get_outage_history(location_id)


async def test_unknown_locations_are_not_found(
    reader: OmsPort, world: World, oms_scenario: OmsScenario
) -> None:
    unknown = oms_scenario.unknown_location
    with pytest.raises(OmsNotFound):
        await reader.get_outage_status(unknown)
    with pytest.raises(OmsNotFound):
        await reader.get_outage_history(unknown)
    call = replace(a_call(oms_scenario.quiet_feeder_locations[0], world), location_id=unknown)
    with pytest.raises(OmsNotFound):
        await reader.report_outage(call)  # refused, so nothing is written


async def test_bad_arguments_are_value_errors(
    reader: OmsPort, world: World, oms_scenario: OmsScenario
) -> None:
    with pytest.raises(ValueError, match="location id is required"):
        await reader.get_outage_status(" ")
    with pytest.raises(ValueError, match="location id is required"):
        await reader.get_outage_history("")
    naive = replace(
        a_call(oms_scenario.quiet_feeder_locations[0], world), reported_at=datetime(2026, 11, 15)
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        await reader.report_outage(naive)


async def test_reporting_twice_on_one_feeder_joins_the_same_event(
    writer: OmsPort, world: World, oms_scenario: OmsScenario
) -> None:
    first, neighbour = oms_scenario.quiet_feeder_locations
    feeder = next(loc for loc in world.locations if loc.location_id == first)

    opened = await writer.report_outage(a_call(first, world))
    joined = await writer.report_outage(
        a_call(neighbour, world, at=CALL_TIME + timedelta(minutes=4))
    )

    assert opened == CallReceipt(event_id="OE-20261115-C001", joined_existing_event=False)
    assert joined == CallReceipt(event_id=opened.event_id, joined_existing_event=True)
    event = OutageEvent(
        event_id=opened.event_id,
        phase=OutagePhase.REPORTED,
        cause=None,
        customers_affected=2,
        started_at=CALL_TIME,
        estimated_restoration=None,
        restored_at=None,
        substation=feeder.substation,
        feeder=feeder.feeder,
        crew=None,
    )
    for location_id in (first, neighbour):
        assert await writer.get_outage_status(location_id) == LocationOutageStatus(
            location_id=location_id, is_out=True, event=event
        )
    assert (await writer.get_active_outages())[-1] == event
    assert (await writer.get_outage_history(first))[0] == event


async def test_reporting_on_a_feeder_already_out_joins_its_event(
    writer: OmsPort, world: World, oms_scenario: OmsScenario
) -> None:
    location_id = oms_scenario.uncovered_on_active_feeder
    feeder = next(loc.feeder for loc in world.locations if loc.location_id == location_id)
    active = next(e for e in oms_scenario.active.values() if e.feeder == feeder)

    receipt = await writer.report_outage(a_call(location_id, world))

    assert receipt == CallReceipt(event_id=active.event_id, joined_existing_event=True)
    status = await writer.get_outage_status(location_id)
    assert status.event == expected_event(active, extra_locations=1)


async def test_an_unreachable_oms_is_unavailable(down: OmsPort, oms_scenario: OmsScenario) -> None:
    with pytest.raises(OmsUnavailable):
        await down.get_active_outages()
    with pytest.raises(OmsUnavailable):
        await down.get_outage_status(oms_scenario.out_location(OutageEventStatus.ON_SITE))


async def test_a_slow_oms_is_unavailable(
    world: World, oms_credentials: MultiSpeakCredentials, tmp_path: Path
) -> None:
    async with serve_oms(world, oms_credentials, tmp_path / "slow.db", latency_ms=500) as url:
        endpoint = replace(oms_endpoint_for(url, oms_credentials), timeout_s=0.05)
        oms = await SoapOms.create(endpoint=endpoint)
        try:
            with pytest.raises(OmsUnavailable, match="no answer within"):
                await oms.get_methods()
        finally:
            await oms.aclose()


async def test_wrong_credentials_are_a_fault_that_does_not_show_them(
    oms_endpoint: MultiSpeakEndpoint,
) -> None:
    endpoint = replace(oms_endpoint, password="not-The-Password")
    oms = await SoapOms.create(endpoint=endpoint)
    try:
        with pytest.raises(OmsFault) as caught:
            await oms.get_active_outages()
    finally:
        await oms.aclose()
    assert not isinstance(caught.value, OmsNotFound)
    assert "not-The-Password" not in str(caught.value)
    assert oms_endpoint.password not in str(caught.value)
    assert "not-The-Password" not in repr(oms)
