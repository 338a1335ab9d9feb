"""The outage management stand-in's own database (SQLAlchemy Core, any async URL).

The OMS keeps its own copy of the network model (which feeder serves which location)
the way a real one does, apart from the CIS: it is loaded from the same `World`, so
both systems agree. Instants are stored as naive UTC (portable across SQLite and
PostgreSQL) and come back as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from simulators.world import OutageEventStatus, World, WorldOutageEvent


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as naive UTC; refuses naive values."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: OMS instants must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()

service_locations = Table(
    "service_locations",
    metadata,
    Column("location_id", String(32), primary_key=True),
    Column("account_number", String(32), nullable=False, index=True),
    Column("customer_id", String(32), nullable=False),
    Column("substation", String(64), nullable=False),
    Column("feeder", String(32), nullable=False, index=True),
)

meters = Table(
    "meters",
    metadata,
    Column("meter_no", String(32), primary_key=True),
    Column(
        "location_id",
        String(32),
        ForeignKey("service_locations.location_id"),
        nullable=False,
        index=True,  # a location's meters are read on every status call
    ),
)

outage_events = Table(
    "outage_events",
    metadata,
    Column("event_id", String(40), primary_key=True),
    Column("substation", String(64), nullable=False),
    Column("feeder", String(32), nullable=False),
    Column("cause", String(128)),  # unknown until a crew has assessed it
    Column("phase", String(16), nullable=False),  # an `OutageEventStatus` value
    Column("started_at", UtcDateTime(), nullable=False),
    Column("dispatched_at", UtcDateTime()),
    Column("on_site_at", UtcDateTime()),
    Column("estimated_restoration", UtcDateTime()),
    Column("restored_at", UtcDateTime()),
    Column("crew", String(64)),
    Index("ix_outage_events_feeder_phase", "feeder", "phase"),
)

event_locations = Table(
    "event_locations",
    metadata,
    Column("event_id", String(40), ForeignKey("outage_events.event_id"), primary_key=True),
    Column(
        "location_id",
        String(32),
        ForeignKey("service_locations.location_id"),
        primary_key=True,
        index=True,
    ),
)

customer_calls = Table(
    "customer_calls",
    metadata,
    Column("call_id", String(64), primary_key=True),
    Column(
        "event_id", String(40), ForeignKey("outage_events.event_id"), nullable=False, index=True
    ),
    Column("location_id", String(32), ForeignKey("service_locations.location_id"), nullable=False),
    Column("account_number", String(32), nullable=False),
    Column("phone", String(20)),
    Column("caller_name", String(128)),
    Column("comment", String(1000)),
    Column("reported_at", UtcDateTime(), nullable=False),
    Column("opened_event", Boolean, nullable=False),  # so a resend gets the same answer
)

# The world does not record when crews moved; a plausible timeline keeps the
# dispatch and arrival fields on the wire consistent with each event's phase.
DISPATCH_DELAY = timedelta(minutes=20)
TRAVEL_TIME = timedelta(minutes=35)


def crew_timeline(event: WorldOutageEvent) -> tuple[datetime | None, datetime | None]:
    """When the crew was dispatched and when it arrived, as far as the phase implies."""
    if event.crew is None or event.status is OutageEventStatus.REPORTED:
        return None, None
    dispatched = event.started_at + DISPATCH_DELAY
    arrived: datetime | None = dispatched + TRAVEL_TIME
    if event.status is OutageEventStatus.DISPATCHED:
        arrived = None
    if event.restored_at is not None:
        dispatched = min(dispatched, event.restored_at)
        arrived = min(arrived, event.restored_at) if arrived else None
    return dispatched, arrived


def _event_row(event: WorldOutageEvent) -> dict[str, Any]:
    dispatched, arrived = crew_timeline(event)
    return {
        "event_id": event.event_id,
        "substation": event.substation,
        "feeder": event.feeder,
        "cause": event.cause,
        "phase": event.status.value,
        "started_at": event.started_at,
        "dispatched_at": dispatched,
        "on_site_at": arrived,
        "estimated_restoration": event.estimated_restoration,
        "restored_at": event.restored_at,
        "crew": event.crew,
    }


async def load_world(world: World, engine: AsyncEngine) -> None:
    """Replace whatever the database holds with `world`'s network and outage history."""
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
        if world.locations:
            await conn.execute(
                service_locations.insert(),
                [
                    {
                        "location_id": loc.location_id,
                        "account_number": loc.account_number,
                        "customer_id": loc.customer_id,
                        "substation": loc.substation,
                        "feeder": loc.feeder,
                    }
                    for loc in world.locations
                ],
            )
        if world.meters:
            await conn.execute(
                meters.insert(),
                [{"meter_no": m.meter_no, "location_id": m.location_id} for m in world.meters],
            )
        if world.outage_events:
            await conn.execute(outage_events.insert(), [_event_row(e) for e in world.outage_events])
            await conn.execute(
                event_locations.insert(),
                [
                    {"event_id": e.event_id, "location_id": location_id}
                    for e in world.outage_events
                    for location_id in sorted(set(e.location_ids))
                ],
            )
