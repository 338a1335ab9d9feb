"""An in-memory outage management system that behaves like the SOAP one.

It keeps the same state the OMS stand-in keeps (which feeder serves which location,
events and the locations they cover, calls taken) and applies the same rules, so a
test against it means the same as a test against the real adapter; the contract
suite (`adapters.oms.contract`) holds both to them. It starts from `FakeOmsData`,
records what it was asked, and can be switched `down` to play an unreachable OMS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Self

from adapters.oms.port import (
    CallReceipt,
    LocationOutageStatus,
    OmsNotFound,
    OmsUnavailable,
    OutageCall,
    OutageEvent,
    OutagePhase,
)

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
    """A service location the OMS knows, and the feeder that serves it."""

    location_id: str
    account_number: str
    substation: str
    feeder: str


@dataclass(frozen=True, slots=True)
class FakeOutage:
    """An outage event the fake starts with, and the service locations it covers.

    The event's `customers_affected` is not taken from here: the fake counts
    `location_ids`, as the OMS does, and keeps counting as calls join the event.
    """

    event: OutageEvent
    location_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FakeOmsData:
    """What a fake OMS holds when it starts."""

    locations: tuple[FakeLocation, ...] = ()
    outages: tuple[FakeOutage, ...] = ()


@dataclass(slots=True)
class _Event:
    """An event as the fake keeps it while calls come in."""

    details: OutageEvent  # all but customers_affected, counted from location_ids
    location_ids: set[str]
    calls_received: int = 0

    @property
    def is_active(self) -> bool:
        return self.details.phase is not OutagePhase.RESTORED

    def snapshot(self) -> OutageEvent:
        return replace(self.details, customers_affected=len(self.location_ids))


def _oldest_first(event: _Event) -> tuple[datetime, str]:
    return event.details.started_at, event.details.event_id


class FakeOms:
    def __init__(
        self,
        *,
        locations: Sequence[FakeLocation] = (),
        outages: Sequence[FakeOutage] = (),
        methods: Sequence[str] = STAND_IN_METHODS,
    ) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.down = False  # True: every call fails as an unreachable OMS would
        self._methods = tuple(methods)
        self._locations = {loc.location_id: loc for loc in locations}
        # Each fake gets events of its own, so fakes from one FakeOmsData share nothing.
        self._events = {
            outage.event.event_id: _Event(outage.event, set(outage.location_ids))
            for outage in outages
        }

    @classmethod
    def from_data(cls, data: FakeOmsData) -> Self:
        return cls(locations=data.locations, outages=data.outages)

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
            (
                e
                for e in self._events.values()
                if e.is_active and e.details.feeder == location.feeder
            ),
            key=_oldest_first,
        )
        joined = bool(on_feeder)
        event = on_feeder[0] if joined else self._open_event(location, call.reported_at)
        event.location_ids.add(location.location_id)
        event.calls_received += 1
        return CallReceipt(event_id=event.details.event_id, joined_existing_event=joined)

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

    def _open_event(self, location: FakeLocation, reported_at: datetime) -> _Event:
        # Same numbering as the OMS stand-in: OE-<UTC date>-C<n>, per day from 1.
        prefix = f"OE-{reported_at.astimezone(UTC):%Y%m%d}-C"
        taken = sum(1 for event_id in self._events if event_id.startswith(prefix))
        details = OutageEvent(
            event_id=f"{prefix}{taken + 1:03d}",
            phase=OutagePhase.REPORTED,
            cause=None,
            customers_affected=0,
            started_at=reported_at,
            estimated_restoration=None,
            restored_at=None,
            substation=location.substation,
            feeder=location.feeder,
            crew=None,
        )
        event = _Event(details, set())
        self._events[details.event_id] = event
        return event
