"""The contract every `OmsPort` keeps when asked about outages.

A pytest suite for any implementation, the fake or a co-op's own. It needs two
fixtures: `oms`, the implementation under test (only calls the OMS refuses are made,
so it may be shared and may be a production system), and `oms_facts`, an
`OmsContractFacts` saying what that OMS holds. Run it by importing it into a test
module that has both fixtures (or sits beside a conftest.py that has them):

    from adapters.oms.contract import *  # noqa: F403

The tests are coroutines: run them with pytest-asyncio (`asyncio_mode = "auto"`).
For failures that show the values compared, have pytest rewrite the suite's asserts
before it is imported, in conftest.py:

    pytest.register_assert_rewrite("adapters.oms.contract")

Reporting outages has a suite of its own (`adapters.oms.contract_reports`), and so
has an OMS that cannot be reached (`adapters.oms.contract_unreachable`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from adapters.oms.port import (
    LocationOutageStatus,
    OmsNotFound,
    OmsPort,
    OutageCall,
    OutageEvent,
    OutagePhase,
)
from adapters.oms.soap import OPERATIONS_USED

__all__ = [
    "FeederLocation",
    "OmsContractFacts",
    "test_a_location_in_an_outage_is_out_with_its_event",
    "test_a_location_with_power_has_no_event",
    "test_active_outages_oldest_first",
    "test_bad_arguments_are_value_errors",
    "test_history_newest_first_with_restored_events",
    "test_methods_cover_what_the_adapter_uses",
    "test_unknown_locations_are_not_found",
]

PHASES_IN_PROGRESS = (OutagePhase.REPORTED, OutagePhase.DISPATCHED, OutagePhase.ON_SITE)


@dataclass(frozen=True, slots=True)
class FeederLocation:
    """A service location, the account it is billed to, and the feeder serving it."""

    location_id: str
    account_number: str
    substation: str
    feeder: str


@dataclass(frozen=True, slots=True)
class OmsContractFacts:
    """What the OMS under test holds, each event exactly as the port must return it.

    `unknown_location_id` must be no service location of that OMS.
    """

    quiet_feeder: tuple[FeederLocation, FeederLocation]  # a feeder with no outage now
    powered_location: FeederLocation  # has power, though its feeder has an outage now
    outages_in_progress: tuple[LocationOutageStatus, ...]  # ideally one per phase in progress
    active_outages: tuple[OutageEvent, ...]  # every event not yet restored, oldest first
    history_location_id: str  # covered by several events, restored ones among them
    history: tuple[OutageEvent, ...]  # those events, newest first
    methods: tuple[str, ...] | None = None  # what GetMethods answers, in order, if known
    unknown_location_id: str = "9999999-99"
    # When the reports suite's calls are made, and the id of the event the first opens.
    call_time: datetime = datetime(2026, 11, 15, 18, 20, tzinfo=UTC)
    opened_event_id: str | None = None  # None: any id will do


def a_call(location: FeederLocation, *, at: datetime) -> OutageCall:
    return OutageCall(
        location_id=location.location_id,
        account_number=location.account_number,
        phone="5055550142",
        caller_name="Robin Member",
        comment="Power out, neighbours too",
        reported_at=at,
    )


async def test_methods_cover_what_the_adapter_uses(
    oms: OmsPort, oms_facts: OmsContractFacts
) -> None:
    methods = await oms.get_methods()

    if oms_facts.methods is not None:
        assert tuple(methods) == oms_facts.methods
    assert set(OPERATIONS_USED) <= set(methods)


@pytest.mark.parametrize("phase", PHASES_IN_PROGRESS)
async def test_a_location_in_an_outage_is_out_with_its_event(
    oms: OmsPort, oms_facts: OmsContractFacts, phase: OutagePhase
) -> None:
    expected = next(
        (s for s in oms_facts.outages_in_progress if s.event and s.event.phase is phase), None
    )
    if expected is None:
        pytest.skip(f"no location out in an outage that is {phase.value}")

    assert await oms.get_outage_status(expected.location_id) == expected


async def test_a_location_with_power_has_no_event(
    oms: OmsPort, oms_facts: OmsContractFacts
) -> None:
    location_id = oms_facts.powered_location.location_id

    assert await oms.get_outage_status(location_id) == LocationOutageStatus(
        location_id=location_id, is_out=False, event=None
    )


async def test_active_outages_oldest_first(oms: OmsPort, oms_facts: OmsContractFacts) -> None:
    assert list(await oms.get_active_outages()) == list(oms_facts.active_outages)


async def test_history_newest_first_with_restored_events(
    oms: OmsPort, oms_facts: OmsContractFacts
) -> None:
    history = list(await oms.get_outage_history(oms_facts.history_location_id))

    assert history == list(oms_facts.history)
    assert OutagePhase.RESTORED in {e.phase for e in history}


async def test_unknown_locations_are_not_found(oms: OmsPort, oms_facts: OmsContractFacts) -> None:
    unknown = oms_facts.unknown_location_id
    with pytest.raises(OmsNotFound):
        await oms.get_outage_status(unknown)
    with pytest.raises(OmsNotFound):
        await oms.get_outage_history(unknown)
    call = a_call(oms_facts.quiet_feeder[0], at=oms_facts.call_time)
    with pytest.raises(OmsNotFound):
        await oms.report_outage(replace(call, location_id=unknown))  # refused: nothing written


async def test_bad_arguments_are_value_errors(oms: OmsPort, oms_facts: OmsContractFacts) -> None:
    with pytest.raises(ValueError, match="location id is required"):
        await oms.get_outage_status(" ")
    with pytest.raises(ValueError, match="location id is required"):
        await oms.get_outage_history("")
    naive = a_call(oms_facts.quiet_feeder[0], at=datetime(2026, 11, 15))
    with pytest.raises(ValueError, match="timezone-aware"):
        await oms.report_outage(naive)
