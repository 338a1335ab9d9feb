from __future__ import annotations

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.outages.reports import Reported, report_outage
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.support import context_for


async def test_a_report_drops_the_cached_status_so_the_answer_is_fresh(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    context = context_for(adapters, gateway_store, members.staff)
    out = {loc for e in world.outage_events if e.restored_at is None for loc in e.location_ids}
    with_power = next(loc for loc in world.locations if loc.location_id not in out)
    number, location = with_power.account_number, with_power.location_id
    before = await context.loaders.outage_status.load(location)
    assert before.is_out is False

    outcome = await report_outage(
        context, account_number=number, location_id=location, contact_phone=None, comment=None
    )

    assert isinstance(outcome, Reported)
    assert outcome.status.is_out is True
    assert outcome.status.event is not None
    assert outcome.status.event.event_id == outcome.receipt.event_id
    asked = [args for name, args in adapters.oms.calls if name == "get_outage_status"]  # type: ignore[attr-defined]
    assert asked == [(location,), (location,)]
