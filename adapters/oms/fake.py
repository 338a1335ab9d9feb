"""An in-memory outage management system that behaves like the SOAP one.

It keeps the same state the OMS stand-in keeps (which feeder serves which location,
events and the locations they cover, calls taken) and applies the same rules, so a
test against it means the same as a test against the real adapter; the contract
suite in tests/adapters/oms runs both. It also records what it was asked, and can
be switched `down` to play an unreachable OMS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from adapters.oms.port import (
    CallReceipt,
    LocationOutageStatus,
    OmsNotFound,
    OmsUnavailable,
    OutageCall,
    OutageEvent,
    OutagePhase,
)

if TYPE_CHECKING:
    from simulators.world import World

# What the OMS stand-in answers to GetMethods, in its order.
STAND_IN_METHODS: tuple[str, ...] = (
    "GetMethods",
    "GetOutageStatusByLocation",
    "GetOutageEventStatusByOutageLocation",
    "GetOutageEvent",
    "GetActiveOutages",
    "GetAllActiveOutageEvents",
    "GetOutageHistoryOnServiceLocation",
    "GetCustomerOutageHistory",
    "GetCallsReceivedOnOutage",
    "CHEventNotification",
)


@dataclass(frozen=True, slots=True)
class FakeLocation:
    location_id: str
    account_number: str
    substation: str
    feeder: str


@dataclass(slots=True)
class FakeEvent:
    event_id: str
    phase: OutagePhase
    cause: str | None
    started_at: datetime
    estimated_restoration: datetime | None
    restored_at: datetime | None
    substation: str
    feeder: str
    crew: str | None
    location_ids: set[str] = field(default_factory=set)
    calls_received: int = 0

    @property
    def is_active(self) -> bool:
        return self.phase is not OutagePhase.RESTORED

    def snapshot(self) -> OutageEvent:
        return OutageEvent(
            event_id=self.event_id,
            phase=self.phase,
            cause=self.cause,
            customers_affected=len(self.location_ids),
            started_at=self.started_at,
            estimated_restoration=self.estimated_restoration,
            restored_at=self.restored_at,
            substation=self.substation,
            feeder=self.feeder,
            crew=self.crew,
        )


def _oldest_first(event: FakeEvent) -> tuple[datetime, str]:
    return event.started_at, event.event_id


class FakeOms:
    def __init__(
        self,
        *,
        locations: Sequence[FakeLocation] = (),
        events: Sequence[FakeEvent] = (),
        methods: Sequence[str] = STAND_IN_METHODS,
    ) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.down = False  # True: every call fails as an unreachable OMS would
        self._methods = tuple(methods)
        self._locations = {loc.location_id: loc for loc in locations}
        self._events = {event.event_id: event for event in events}

    @classmethod
    def from_world(cls, world: World) -> FakeOms:
        locations = [
            FakeLocation(loc.location_id, loc.account_number, loc.substation, loc.feeder)
            for loc in world.locations
        ]
        events = [
            FakeEvent(
                event_id=e.event_id,
                phase=OutagePhase(e.status.value),
                cause=e.cause,
                started_at=e.started_at,
                estimated_restoration=e.estimated_restoration,
                restored_at=e.restored_at,
                substation=e.substation,
                feeder=e.feeder,
                crew=e.crew,
                location_ids=set(e.location_ids),
            )
            for e in world.outage_events
        ]
        return cls(locations=locations, events=events)

    async def get_methods(self) -> Sequence[str]:
        self._record("get_methods")
        return list(self._methods)

    async def get_outage_status(self, location_id: str) -> LocationOutageStatus:
        self._record("get_outage_status", location_id)
        self._location(location_id)
        covering = sorted(
            (e for e in self._events.values() if e.is_active and location_id in e.location_ids),
            key=_oldest_first,
        )
        if not covering:
            return LocationOutageStatus(location_id=location_id, is_out=False, event=None)
        return LocationOutageStatus(
            location_id=location_id, is_out=True, event=covering[0].snapshot()
        )

    async def get_active_outages(self) -> Sequence[OutageEvent]:
        self._record("get_active_outages")
        active = sorted((e for e in self._events.values() if e.is_active), key=_oldest_first)
        return [e.snapshot() for e in active]

    async def get_outage_history(self, location_id: str) -> Sequence[OutageEvent]:
        self._record("get_outage_history", location_id)
        self._location(location_id)
        covering = sorted(
            (e for e in self._events.values() if location_id in e.location_ids),
            key=_oldest_first,
            reverse=True,
        )
        return [e.snapshot() for e in covering]

    async def report_outage(self, call: OutageCall) -> CallReceipt:
        self._record("report_outage", call)
        if call.reported_at.tzinfo is None:
            raise ValueError("OutageCall.reported_at must be timezone-aware")
        location = self._location(call.location_id)
        on_feeder = sorted(
            (e for e in self._events.values() if e.is_active and e.feeder == location.feeder),
            key=_oldest_first,
        )
        joined = bool(on_feeder)
        event = on_feeder[0] if joined else self._open_event(location, call.reported_at)
        event.location_ids.add(location.location_id)
        event.calls_received += 1
        return CallReceipt(event_id=event.event_id, joined_existing_event=joined)

    async def aclose(self) -> None:
        self.calls.append(("aclose", ()))

    def _record(self, name: str, *args: object) -> None:
        self.calls.append((name, args))
        if self.down:
            raise OmsUnavailable("the outage management system is not answering")

    def _location(self, location_id: str) -> FakeLocation:
        if not location_id or not location_id.strip():
            raise ValueError("a service location id is required")
        try:
            return self._locations[location_id]
        except KeyError:
            raise OmsNotFound(f"no service location {location_id!r} in the OMS") from None

    def _open_event(self, location: FakeLocation, reported_at: datetime) -> FakeEvent:
        # Same numbering as the OMS stand-in: OE-<UTC date>-C<n>, per day from 1.
        prefix = f"OE-{reported_at.astimezone(UTC):%Y%m%d}-C"
        taken = sum(1 for event_id in self._events if event_id.startswith(prefix))
        event = FakeEvent(
            event_id=f"{prefix}{taken + 1:03d}",
            phase=OutagePhase.REPORTED,
            cause=None,
            started_at=reported_at,
            estimated_restoration=None,
            restored_at=None,
            substation=location.substation,
            feeder=location.feeder,
            crew=None,
        )
        self._events[event.event_id] = event
        return event
