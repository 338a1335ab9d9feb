"""Instants the gateway's own database stores: always aware, always UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(instant: datetime) -> datetime:
    """`instant` in UTC. A naive one is taken as UTC already: SQLite keeps no offset, and
    everything the gateway writes there was converted to UTC first."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)
