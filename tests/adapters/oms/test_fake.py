"""What only the fake does: record what it was asked, play an unreachable OMS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.oms.fake import FakeOms
from adapters.oms.port import OmsUnavailable, OutageCall
from simulators.oms.fake_from_world import fake_oms_from_world, oms_data_from_world
from simulators.world import World
from tests.fixtures.oms import OmsScenario


def _call(location_id: str, world: World) -> OutageCall:
    location = next(loc for loc in world.locations if loc.location_id == location_id)
    return OutageCall(
        location_id=location_id,
        account_number=location.account_number,
        phone=None,
        caller_name=None,
        comment=None,
        reported_at=datetime(2026, 11, 15, 12, 0, tzinfo=UTC),
    )


async def test_it_records_every_call_in_order(world: World, oms_scenario: OmsScenario) -> None:
    fake = fake_oms_from_world(world)
    location_id = oms_scenario.quiet_feeder_locations[0]
    call = _call(location_id, world)

    await fake.get_methods()
    await fake.get_outage_status(location_id)
    await fake.report_outage(call)
    await fake.aclose()

    assert fake.calls == [
        ("get_methods", ()),
        ("get_outage_status", (location_id,)),
        ("report_outage", (call,)),
        ("aclose", ()),
    ]


async def test_when_down_every_read_and_write_fails_and_is_still_recorded(
    world: World, oms_scenario: OmsScenario
) -> None:
    fake = fake_oms_from_world(world)
    fake.down = True
    location_id = oms_scenario.quiet_feeder_locations[0]

    with pytest.raises(OmsUnavailable):
        await fake.report_outage(_call(location_id, world))
    with pytest.raises(OmsUnavailable):
        await fake.get_outage_history(location_id)

    fake.down = False
    assert not (await fake.get_outage_status(location_id)).is_out  # nothing was taken
    assert [name for name, _ in fake.calls] == [
        "report_outage",
        "get_outage_history",
        "get_outage_status",
    ]


async def test_fakes_from_the_same_data_do_not_share_state(
    world: World, oms_scenario: OmsScenario
) -> None:
    data = oms_data_from_world(world)
    first, second = FakeOms.from_data(data), FakeOms.from_data(data)
    location_id = oms_scenario.quiet_feeder_locations[0]

    await first.report_outage(_call(location_id, world))

    assert (await first.get_outage_status(location_id)).is_out
    assert not (await second.get_outage_status(location_id)).is_out
