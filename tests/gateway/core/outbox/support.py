"""Helpers for the outbox tests: a clock that moves only when told, and the table's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gateway.core.clock import as_utc
from gateway.core.outbox.table import OutboxEntry, OutboxState
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def move_to(self, instant: datetime) -> None:
        self.now = instant


@dataclass(frozen=True, slots=True)
class Row:
    """An outbox row as read, with its instants in UTC on either database."""

    id: int
    kind: str
    payload: dict[str, object]
    idempotency_key: str
    state: OutboxState
    due_at: datetime
    attempts: int
    last_error: str | None
    lease_until: datetime | None
    claimed_by: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


def _row(entry: OutboxEntry) -> Row:
    def instant(value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)

    return Row(
        id=entry.id,
        kind=entry.kind,
        payload=entry.payload,
        idempotency_key=entry.idempotency_key,
        state=OutboxState(entry.state),
        due_at=as_utc(entry.due_at),
        attempts=entry.attempts,
        last_error=entry.last_error,
        lease_until=instant(entry.lease_until),
        claimed_by=entry.claimed_by,
        created_at=as_utc(entry.created_at),
        updated_at=as_utc(entry.updated_at),
        finished_at=instant(entry.finished_at),
    )


async def read_rows(store: GatewayStore) -> list[Row]:
    async with store.sessions() as session:
        entries = await session.scalars(select(OutboxEntry).order_by(OutboxEntry.id))
        return [_row(entry) for entry in entries]


async def read_row(store: GatewayStore, entry_id: int) -> Row:
    async with store.sessions() as session:
        entry = await session.get(OutboxEntry, entry_id)
        assert entry is not None, f"outbox entry {entry_id} is gone"
        return _row(entry)


async def queue(
    store: GatewayStore,
    *,
    kind: str,
    count: int = 1,
    clock: FakeClock | None = None,
    key_prefix: str = "entry",
) -> list[int]:
    """Queue `count` entries of `kind` in one unit of work; their ids."""
    ids = []
    async with unit_of_work(store, clock=clock or FakeClock()) as uow:
        for n in range(count):
            queued = await uow.add_outbox(
                kind=kind, payload={"n": n}, idempotency_key=f"{key_prefix}-{n}"
            )
            ids.append(queued.id)
    return ids
