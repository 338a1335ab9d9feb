"""The contract every `OmsPort` keeps when a member reports an outage.

A pytest suite for any implementation. It needs two fixtures: `oms`, the
implementation under test, which these tests change (give each test an OMS of its
own, never a production one), and `oms_facts`, the `OmsContractFacts` of the read
suite (`adapters.oms.contract`) for what that OMS holds before the test. Run it by
importing it into a test module that has both fixtures:

    from adapters.oms.contract_reports import *  # noqa: F403
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from adapters.oms.contract import OmsContractFacts, a_call
from adapters.oms.port import (
    CallReceipt,
    LocationOutageStatus,
    OmsPort,
    OutageEvent,
    OutagePhase,
)

__all__ = [
    "test_reporting_on_a_feeder_already_out_joins_its_event",
    "test_reporting_twice_on_one_feeder_joins_the_same_event",
]


async def test_reporting_twice_on_one_feeder_joins_the_same_event(
    oms: OmsPort, oms_facts: OmsContractFacts
) -> None:
    first, neighbour = oms_facts.quiet_feeder
    called_at = oms_facts.call_time

    opened = await oms.report_outage(a_call(first, at=called_at))
    joined = await oms.report_outage(a_call(neighbour, at=called_at + timedelta(minutes=4)))

    assert opened.joined_existing_event is False
    if oms_facts.opened_event_id is not None:
        assert opened.event_id == oms_facts.opened_event_id
    assert joined == CallReceipt(event_id=opened.event_id, joined_existing_event=True)
    event = OutageEvent(
        event_id=opened.event_id,
        phase=OutagePhase.REPORTED,
        cause=None,
        customers_affected=2,
        started_at=called_at,
        estimated_restoration=None,
        restored_at=None,
        substation=first.substation,
        feeder=first.feeder,
        crew=None,
    )
    for location in (first, neighbour):
        assert await oms.get_outage_status(location.location_id) == LocationOutageStatus(
            location_id=location.location_id, is_out=True, event=event
        )
    assert (await oms.get_active_outages())[-1] == event
    assert (await oms.get_outage_history(first.location_id))[0] == event


async def test_reporting_on_a_feeder_already_out_joins_its_event(
    oms: OmsPort, oms_facts: OmsContractFacts
) -> None:
    location = oms_facts.powered_location
    active = next(e for e in oms_facts.active_outages if e.feeder == location.feeder)

    receipt = await oms.report_outage(a_call(location, at=oms_facts.call_time))

    assert receipt == CallReceipt(event_id=active.event_id, joined_existing_event=True)
    status = await oms.get_outage_status(location.location_id)
    assert status.event == replace(active, customers_affected=active.customers_affected + 1)
