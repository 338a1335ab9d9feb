"""The time zone a login's quiet hours are kept in.

Quiet hours are local time where the member is, which is usually the co-op's zone, but
not for a member away for the winter, or one whose cabin is served here while they live
elsewhere. A login may choose its zone, by IANA name; without a choice it is the co-op's.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from gateway.core.clock import as_utc
from gateway.core.outcomes import FieldProblem
from gateway.core.store.dialect_insert import dialect_insert
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.tables import TimeZoneRow

MAX_NAME_LENGTH = 64


@cache
def _known_zones() -> frozenset[str]:
    # Only the names the system's database lists: ZoneInfo alone would also open
    # paths such as "posix/..." or "../", which are no member's time zone.
    return frozenset(available_timezones())


def zone_named(name: str) -> ZoneInfo | None:
    """The zone an IANA name ("America/Denver") names, or None for anything else."""
    if len(name) > MAX_NAME_LENGTH or name not in _known_zones():
        return None
    return ZoneInfo(name)


async def chosen_time_zone(store: GatewayStore, *, user_id: int) -> ZoneInfo | None:
    """The login's own zone, or None where it chose none (or one no longer known)."""
    async with store.sessions() as session:
        row = await session.get(TimeZoneRow, user_id)
    return None if row is None else zone_named(row.time_zone)


async def choose_time_zone(
    store: GatewayStore, *, user_id: int, name: str, now: datetime
) -> ZoneInfo | FieldProblem:
    zone = zone_named(name.strip())
    if zone is None:
        return FieldProblem("timeZone", "Choose a time zone by its name, such as America/Denver.")
    chosen = {"time_zone": zone.key, "updated_at": as_utc(now)}
    async with store.sessions.begin() as session:
        await session.execute(
            dialect_insert(session, TimeZoneRow)
            .values(user_id=user_id, **chosen)
            .on_conflict_do_update(index_elements=[TimeZoneRow.user_id], set_=chosen)
        )
    return zone
