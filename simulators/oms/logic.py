"""What the outage management stand-in does, independent of SOAP.

Every method reads the database afresh, so a call recorded by one request shows in
the next. Customer calls are serialized by a lock: two members on one feeder calling
at the same moment must land in the same outage event, not open two.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import Row, Select, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from simulators.oms.store import (
    customer_calls,
    event_locations,
    meters,
    outage_events,
    service_locations,
)
from simulators.world import OutageEventStatus


class UnknownLocation(LookupError):
    """No service location matches what the caller gave."""


class UnclearLocation(ValueError):
    """The request names no premise, or one that matches several (an account with two)."""


@dataclass(frozen=True, slots=True)
class LocationQuery:
    """How a MultiSpeak `outageLocation` names a premise; the first one given wins."""

    location_id: str | None = None
    meter_no: str | None = None
    account_number: str | None = None


@dataclass(frozen=True, slots=True)
class LocationRecord:
    location_id: str
    account_number: str
    customer_id: str
    substation: str
    feeder: str
    meter_nos: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventRecord:
    event_id: str
    substation: str
    feeder: str
    cause: str | None
    phase: OutageEventStatus
    started_at: datetime
    dispatched_at: datetime | None
    on_site_at: datetime | None
    estimated_restoration: datetime | None
    restored_at: datetime | None
    crew: str | None
    customers_affected: int  # service locations the event covers
    calls_received: int

    @property
    def is_active(self) -> bool:
        return self.phase is not OutageEventStatus.RESTORED


@dataclass(frozen=True, slots=True)
class IncomingCall:
    location: LocationQuery
    reported_at: datetime  # aware
    call_id: str | None = None  # the sender's objectID; a resend with it is not recounted
    phone: str | None = None
    caller_name: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class CallRecord:
    call_id: str
    event_id: str
    location_id: str
    account_number: str
    phone: str | None
    caller_name: str | None
    comment: str | None
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class CallOutcome:
    call_id: str
    event_id: str
    joined_existing_event: bool


def new_event_id(reported_at: datetime, taken: int) -> str:
    """Events opened by calls: ``OE-<UTC date>-C<n>``, numbered per day from 1."""
    return f"OE-{reported_at.astimezone(UTC):%Y%m%d}-C{taken + 1:03d}"


def _event_query() -> Select[Any]:
    affected = (
        select(func.count())
        .select_from(event_locations)
        .where(event_locations.c.event_id == outage_events.c.event_id)
        .correlate(outage_events)
        .scalar_subquery()
    )
    calls = (
        select(func.count())
        .select_from(customer_calls)
        .where(customer_calls.c.event_id == outage_events.c.event_id)
        .correlate(outage_events)
        .scalar_subquery()
    )
    return select(
        outage_events, affected.label("customers_affected"), calls.label("calls_received")
    )


def _event(row: Row[Any]) -> EventRecord:
    return EventRecord(
        event_id=row.event_id,
        substation=row.substation,
        feeder=row.feeder,
        cause=row.cause,
        phase=OutageEventStatus(row.phase),
        started_at=row.started_at,
        dispatched_at=row.dispatched_at,
        on_site_at=row.on_site_at,
        estimated_restoration=row.estimated_restoration,
        restored_at=row.restored_at,
        crew=row.crew,
        customers_affected=row.customers_affected,
        calls_received=row.calls_received,
    )


_ACTIVE = outage_events.c.phase != OutageEventStatus.RESTORED.value
_OLDEST_FIRST = (outage_events.c.started_at, outage_events.c.event_id)


# The statements every outage status read runs, built once: on these small tables,
# building a statement and its cache key costs more than SQLite takes to run it.
_LOCATION = select(service_locations).where(
    service_locations.c.location_id == bindparam("location_id")
)
_METERS_AT = (
    select(meters.c.meter_no)
    .where(meters.c.location_id == bindparam("location_id"))
    .order_by(meters.c.meter_no)
)
_EVENT = _event_query().where(outage_events.c.event_id == bindparam("event_id"))
_ACTIVE_EVENT_AT = (
    _event_query()
    .join(event_locations, event_locations.c.event_id == outage_events.c.event_id)
    .where(event_locations.c.location_id == bindparam("location_id"))
    .where(_ACTIVE)
    .order_by(*_OLDEST_FIRST)
    .limit(1)
)


class OutageManagement:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._calls_lock = asyncio.Lock()

    async def locate(self, query: LocationQuery) -> LocationRecord:
        async with self._engine.connect() as conn:
            return await self._locate(conn, query)

    async def locations_on_account(self, account_number: str) -> list[LocationRecord]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(service_locations.c.location_id)
                .where(service_locations.c.account_number == account_number)
                .order_by(service_locations.c.location_id)
            )
            return [await self._location(conn, location_id) for (location_id,) in rows.all()]

    async def event(self, event_id: str) -> EventRecord | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(_EVENT, {"event_id": event_id})).first()
            return None if row is None else _event(row)

    async def active_events(self, *, after_event_id: str = "") -> list[EventRecord]:
        """Active events, oldest first; `after_event_id` continues a paged listing."""
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(_event_query().where(_ACTIVE).order_by(*_OLDEST_FIRST))
            ).all()
        events = [_event(row) for row in rows]
        if after_event_id:
            ids = [e.event_id for e in events]
            # An id that is no longer active (restored meanwhile) restarts nothing:
            # the caller has seen everything up to it, so nothing is skipped twice.
            start = ids.index(after_event_id) + 1 if after_event_id in ids else len(ids)
            events = events[start:]
        return events

    async def active_event_at(self, location_id: str) -> EventRecord | None:
        async with self._engine.connect() as conn:
            return await self._active_event_at(conn, location_id)

    async def history(self, location_id: str) -> list[EventRecord]:
        """Every event that covered the location, newest first, active ones included."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                _event_query()
                .join(event_locations, event_locations.c.event_id == outage_events.c.event_id)
                .where(event_locations.c.location_id == location_id)
                .order_by(outage_events.c.started_at.desc(), outage_events.c.event_id.desc())
            )
            return [_event(row) for row in rows.all()]

    async def calls_on_event(self, event_id: str) -> list[CallRecord]:
        return await self._calls(customer_calls.c.event_id == event_id)

    async def calls_at(self, location_id: str) -> list[CallRecord]:
        return await self._calls(customer_calls.c.location_id == location_id)

    async def report(self, call: IncomingCall) -> CallOutcome:
        """Open an outage event for the caller's feeder, or join the active one there."""
        async with self._calls_lock, self._engine.begin() as conn:
            location = await self._locate(conn, call.location)
            if call.call_id is not None:
                earlier = (
                    await conn.execute(
                        select(customer_calls.c.event_id, customer_calls.c.opened_event).where(
                            customer_calls.c.call_id == call.call_id
                        )
                    )
                ).first()
                if earlier is not None:
                    # A resend of a call already taken: same answer, not a second call.
                    return CallOutcome(
                        call.call_id,
                        earlier.event_id,
                        joined_existing_event=not earlier.opened_event,
                    )
            event_id = await self._active_event_on_feeder(conn, location.feeder)
            joined = event_id is not None
            if event_id is None:
                event_id = await self._open_event(conn, location, call.reported_at)
            covered = (
                await conn.execute(
                    select(func.count())
                    .select_from(event_locations)
                    .where(event_locations.c.event_id == event_id)
                    .where(event_locations.c.location_id == location.location_id)
                )
            ).scalar_one()
            if not covered:
                await conn.execute(
                    insert(event_locations).values(
                        event_id=event_id, location_id=location.location_id
                    )
                )
            call_id = call.call_id or f"CALL-{uuid4().hex[:16]}"
            await conn.execute(
                insert(customer_calls).values(
                    call_id=call_id,
                    event_id=event_id,
                    location_id=location.location_id,
                    account_number=location.account_number,
                    phone=call.phone,
                    caller_name=call.caller_name,
                    comment=call.comment,
                    reported_at=call.reported_at,
                    opened_event=not joined,
                )
            )
            return CallOutcome(call_id, event_id, joined_existing_event=joined)

    async def _locate(self, conn: AsyncConnection, query: LocationQuery) -> LocationRecord:
        if query.location_id:
            return await self._location(conn, query.location_id)
        if query.meter_no:
            location_id = (
                await conn.execute(
                    select(meters.c.location_id).where(meters.c.meter_no == query.meter_no)
                )
            ).scalar_one_or_none()
            if location_id is None:
                raise UnknownLocation(f"Unknown meter {query.meter_no!r}")
            return await self._location(conn, location_id)
        if query.account_number:
            ids = (
                await conn.execute(
                    select(service_locations.c.location_id).where(
                        service_locations.c.account_number == query.account_number
                    )
                )
            ).scalars()
            found = list(ids)
            if not found:
                raise UnknownLocation(f"Unknown account {query.account_number!r}")
            if len(found) > 1:
                raise UnclearLocation(
                    f"account {query.account_number!r} has {len(found)} service locations;"
                    " name one with servLoc"
                )
            return await self._location(conn, found[0])
        raise UnclearLocation("the outage location names no servLoc, meterNo or accountNumber")

    async def _location(self, conn: AsyncConnection, location_id: str) -> LocationRecord:
        row = (await conn.execute(_LOCATION, {"location_id": location_id})).first()
        if row is None:
            raise UnknownLocation(f"Unknown service location {location_id!r}")
        meter_nos = (await conn.execute(_METERS_AT, {"location_id": location_id})).scalars()
        return LocationRecord(
            location_id=row.location_id,
            account_number=row.account_number,
            customer_id=row.customer_id,
            substation=row.substation,
            feeder=row.feeder,
            meter_nos=tuple(meter_nos),
        )

    async def _active_event_at(self, conn: AsyncConnection, location_id: str) -> EventRecord | None:
        row = (await conn.execute(_ACTIVE_EVENT_AT, {"location_id": location_id})).first()
        return None if row is None else _event(row)

    async def _active_event_on_feeder(self, conn: AsyncConnection, feeder: str) -> str | None:
        found: str | None = (
            await conn.execute(
                select(outage_events.c.event_id)
                .where(outage_events.c.feeder == feeder)
                .where(_ACTIVE)
                .order_by(*_OLDEST_FIRST)
                .limit(1)
            )
        ).scalar_one_or_none()
        return found

    async def _open_event(
        self, conn: AsyncConnection, location: LocationRecord, reported_at: datetime
    ) -> str:
        prefix = new_event_id(reported_at, 0)[:-3]
        taken = (
            await conn.execute(
                select(func.count())
                .select_from(outage_events)
                .where(outage_events.c.event_id.startswith(prefix, autoescape=True))
            )
        ).scalar_one()
        event_id = new_event_id(reported_at, taken)
        await conn.execute(
            insert(outage_events).values(
                event_id=event_id,
                substation=location.substation,
                feeder=location.feeder,
                cause=None,
                phase=OutageEventStatus.REPORTED.value,
                started_at=reported_at,
            )
        )
        return event_id

    async def _calls(self, condition: Any) -> list[CallRecord]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(customer_calls)
                .where(condition)
                .order_by(customer_calls.c.reported_at, customer_calls.c.call_id)
            )
            return [
                CallRecord(
                    call_id=row.call_id,
                    event_id=row.event_id,
                    location_id=row.location_id,
                    account_number=row.account_number,
                    phone=row.phone,
                    caller_name=row.caller_name,
                    comment=row.comment,
                    reported_at=row.reported_at,
                )
                for row in rows.all()
            ]
