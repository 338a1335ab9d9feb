"""The fake OMS holding the demo co-op's feeders and outage events."""

from __future__ import annotations

from adapters.oms.fake import FakeLocation, FakeOms, FakeOmsData, FakeOutage
from adapters.oms.port import OutageEvent, OutagePhase
from simulators.world import World, WorldOutageEvent


def fake_oms_from_world(world: World) -> FakeOms:
    return FakeOms.from_data(oms_data_from_world(world))


def oms_data_from_world(world: World) -> FakeOmsData:
    """What the OMS stand-in loaded from `world` holds, for `FakeOms.from_data`."""
    return FakeOmsData(
        locations=tuple(
            FakeLocation(
                location_id=loc.location_id,
                account_number=loc.account_number,
                substation=loc.substation,
                feeder=loc.feeder,
            )
            for loc in world.locations
        ),
        outages=tuple(_outage(event) for event in world.outage_events),
    )


def _outage(event: WorldOutageEvent) -> FakeOutage:
    location_ids = tuple(dict.fromkeys(event.location_ids))
    return FakeOutage(
        event=OutageEvent(
            event_id=event.event_id,
            phase=OutagePhase(event.status.value),
            cause=event.cause,
            customers_affected=len(location_ids),
            started_at=event.started_at,
            estimated_restoration=event.estimated_restoration,
            restored_at=event.restored_at,
            substation=event.substation,
            feeder=event.feeder,
            crew=event.crew,
        ),
        location_ids=location_ids,
    )
