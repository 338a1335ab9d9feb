"""What the OMS contract suites should find in an OMS loaded from the shared world.

Worked out from the world here, independently of the fake and of the stand-in: the
suites hold both to these records.
"""

from __future__ import annotations

from adapters.oms.contract import FeederLocation, OmsContractFacts
from adapters.oms.fake import STAND_IN_METHODS
from adapters.oms.port import LocationOutageStatus, OutageEvent, OutagePhase
from simulators.world import OutageEventStatus, World, WorldOutageEvent
from tests.fixtures.oms import find_oms_scenario

# Both the fake and the stand-in number a day's first event opened by a call C001.
FIRST_OPENED_ON_CALL_DAY = "OE-20261115-C001"


def oms_facts_from_world(world: World) -> OmsContractFacts:
    scenario = find_oms_scenario(world)
    located = {
        loc.location_id: FeederLocation(
            location_id=loc.location_id,
            account_number=loc.account_number,
            substation=loc.substation,
            feeder=loc.feeder,
        )
        for loc in world.locations
    }
    first, neighbour = scenario.quiet_feeder_locations
    history_location = scenario.history_location
    return OmsContractFacts(
        quiet_feeder=(located[first], located[neighbour]),
        powered_location=located[scenario.uncovered_on_active_feeder],
        outages_in_progress=tuple(
            LocationOutageStatus(
                location_id=scenario.out_location(phase),
                is_out=True,
                event=expected_event(scenario.active[phase]),
            )
            for phase in list(OutageEventStatus)[:3]
        ),
        active_outages=tuple(
            expected_event(e)
            for e in sorted(
                (e for e in world.outage_events if e.restored_at is None),
                key=lambda e: (e.started_at, e.event_id),
            )
        ),
        history_location_id=history_location,
        history=tuple(
            expected_event(e)
            for e in sorted(
                (e for e in world.outage_events if history_location in e.location_ids),
                key=lambda e: (e.started_at, e.event_id),
                reverse=True,
            )
        ),
        methods=STAND_IN_METHODS,
        unknown_location_id=scenario.unknown_location,
        opened_event_id=FIRST_OPENED_ON_CALL_DAY,
    )


def expected_event(event: WorldOutageEvent) -> OutageEvent:
    return OutageEvent(
        event_id=event.event_id,
        phase=OutagePhase(event.status.value),
        cause=event.cause,
        customers_affected=len(set(event.location_ids)),
        started_at=event.started_at,
        estimated_restoration=event.estimated_restoration,
        restored_at=event.restored_at,
        substation=event.substation,
        feeder=event.feeder,
        crew=event.crew,
    )
