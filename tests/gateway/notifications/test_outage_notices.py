"""OUTAGE from polling the OMS: an outage on a member's feeder is told as started, a
changed restoration estimate and the end are told to whoever wants them, each once;
a second scan tells nothing again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from adapters.cis.port import ServiceLocation
from adapters.oms.port import (
    CallReceipt,
    LocationOutageStatus,
    OutageCall,
    OutageEvent,
)
from adapters.oms.port import OutagePhase as Handling
from gateway.core.backends import Adapters
from gateway.core.loaders import DataLoaders
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.outage_notices import queue_outage_notices
from gateway.notifications.preferences_store import StoredPreference, save_preference
from gateway.notifications.tables import DeliveryRow
from gateway.notifications.types import NotificationType, OutagePhase, TypeSettings
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import contact_of, new_member

store = store_on_each_backend()
DENVER = ZoneInfo("America/Denver")
STARTED = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


@dataclass
class Oms:
    """An OMS whose active events the test sets, and what it says of them once over."""

    active: list[OutageEvent] = field(default_factory=list)
    over: list[OutageEvent] = field(default_factory=list)

    async def get_methods(self) -> Sequence[str]:
        return ["GetActiveOutages"]

    async def get_outage_status(self, location_id: str) -> LocationOutageStatus:
        return LocationOutageStatus(location_id=location_id, is_out=False, event=None)

    async def get_active_outages(self) -> Sequence[OutageEvent]:
        return list(self.active)

    async def get_outage_history(self, location_id: str) -> Sequence[OutageEvent]:
        return list(self.over)

    async def report_outage(self, call: OutageCall) -> CallReceipt:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


async def a_location(adapters: Adapters, world: World, index: int) -> ServiceLocation:
    [location, *_] = await adapters.cis.get_service_locations_by_account(
        world.accounts[index].account_number
    )
    return location


def outage_on(location: ServiceLocation, event_id: str, etr_hours: float | None) -> OutageEvent:
    return OutageEvent(
        event_id=event_id,
        phase=Handling.DISPATCHED,
        cause="tree on the line",
        customers_affected=40,
        started_at=STARTED,
        estimated_restoration=None if etr_hours is None else STARTED + timedelta(hours=etr_hours),
        restored_at=None,
        substation=location.substation,
        feeder=location.feeder,
        crew="Crew 7",
    )


async def told(store: GatewayStore, account_number: str) -> list[tuple[str, str, str]]:
    async with store.sessions() as session:
        rows = await session.execute(
            select(DeliveryRow.recipient, DeliveryRow.subject, DeliveryRow.body)
            .where(DeliveryRow.account_number == account_number, DeliveryRow.type == "outage")
            .order_by(DeliveryRow.id)
        )
        return [(row.recipient, row.subject, row.body) for row in rows]


async def test_an_outage_is_told_as_it_starts_changes_and_ends_each_step_once(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    location = await a_location(adapters, world, 30)
    member = await new_member(store, location.account_number)
    phone = await contact_of(store, member, ContactKind.SMS, "+15055550177")
    await save_preference(
        store,
        user_id=member.user_id,
        account_number=location.account_number,
        preference=StoredPreference(
            type=NotificationType.OUTAGE,
            enabled=True,
            contact_ids=frozenset({phone}),
            settings=TypeSettings(outage_phases=frozenset(OutagePhase)),
        ),
        now=datetime.now(UTC),
    )
    oms = Oms(active=[outage_on(location, "OE-1", etr_hours=2)])

    async def scan() -> int:
        loaders = DataLoaders.create(cis=adapters.cis, oms=oms, meters=adapters.meters)
        return await queue_outage_notices(store=store, oms=oms, loaders=loaders, zone=DENVER)

    started = (await scan(), await scan())
    oms.active = [outage_on(location, "OE-1", etr_hours=3)]
    changed = (await scan(), await scan())
    over = replace(oms.active[0], phase=Handling.RESTORED, restored_at=STARTED + timedelta(hours=3))
    oms.active, oms.over = [], [over]
    restored = (await scan(), await scan())

    assert (started, changed, restored) == ((1, 0), (1, 0), (1, 0))
    [start, estimate, end] = await told(store, location.account_number)
    street = location.address.line1
    assert start[0] == "+15055550177"
    assert start[1] == f"Power outage at {street}, {location.address.city}"
    assert street in start[2]
    assert "tree on the line" in start[2]
    assert "Dec 3, 9:05 AM" in start[2]  # 14:05 UTC + 2 h is 9:05 in Denver
    assert "Dec 3, 10:05 AM" in estimate[2]
    assert end[1].startswith("Power restored at")
    assert "10:05 AM" in end[2]


async def test_members_elsewhere_and_phases_turned_off_hear_nothing(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    near = await a_location(adapters, world, 31)
    member = await new_member(store, near.account_number)
    phone = await contact_of(store, member, ContactKind.SMS, "+15055550188")
    await save_preference(
        store,
        user_id=member.user_id,
        account_number=near.account_number,
        preference=StoredPreference(
            type=NotificationType.OUTAGE,
            enabled=True,
            contact_ids=frozenset({phone}),
            settings=TypeSettings(outage_phases=frozenset({OutagePhase.RESTORED})),
        ),
        now=datetime.now(UTC),
    )
    far = await a_location(adapters, world, 32)
    for index in range(33, len(world.accounts)):
        if (far.substation, far.feeder) != (near.substation, near.feeder):
            break
        far = await a_location(adapters, world, index)
    await new_member(store, far.account_number)  # default: every phase, by email
    elsewhere = replace(
        outage_on(far, "OE-2", etr_hours=None), feeder="no such feeder", substation="nowhere"
    )
    oms = Oms(active=[elsewhere, outage_on(near, "OE-3", etr_hours=None)])
    loaders = DataLoaders.create(cis=adapters.cis, oms=oms, meters=adapters.meters)

    await queue_outage_notices(store=store, oms=oms, loaders=loaders, zone=DENVER)

    assert await told(store, far.account_number) == []  # not on an outage's feeder
    assert await told(store, near.account_number) == []  # a start was not wanted
