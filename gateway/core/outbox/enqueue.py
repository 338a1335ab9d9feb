"""Writing an outbox entry inside the caller's transaction, once per idempotency key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.core.clock import as_utc
from gateway.core.outbox.errors import IdempotencyKeyConflict, InvalidOutboxEntry
from gateway.core.outbox.table import OutboxEntry, OutboxState
from gateway.core.outbox.wakeup import notify_on_commit

MAX_KIND_LENGTH = 64
MAX_IDEMPOTENCY_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class QueuedEntry:
    id: int
    # False: the key was queued before (same kind and payload); this is that entry.
    created: bool


async def add_entry(
    session: AsyncSession,
    *,
    kind: str,
    payload: Mapping[str, Any],
    idempotency_key: str,
    due_at: datetime | None,
    now: datetime,
) -> QueuedEntry:
    """Insert a pending entry in `session`'s transaction, or answer the one already
    queued under `idempotency_key` when it is for the same work.

    A repeated command (a member's double submit, a client's retry after a timeout)
    then succeeds again without queueing the effect twice. The same key for a different
    kind or payload raises IdempotencyKeyConflict: merging it would drop one effect.
    """
    _check_name("kind", kind, MAX_KIND_LENGTH)
    _check_name("idempotency_key", idempotency_key, MAX_IDEMPOTENCY_KEY_LENGTH)
    document = _json_object(payload)
    created_at = as_utc(now)
    due = created_at if due_at is None else _aware_utc(due_at)
    values = {
        "kind": kind,
        "payload": document,
        "idempotency_key": idempotency_key,
        "state": OutboxState.PENDING.value,
        "due_at": due,
        "attempts": 0,
        "created_at": created_at,
        "updated_at": created_at,
    }
    insert = _insert_unless_queued(session.get_bind().dialect.name)
    new_id = await session.scalar(insert.values(values).returning(OutboxEntry.id))
    if new_id is not None:
        if due <= created_at:  # one due later is found by the poll then
            await notify_on_commit(session)
        return QueuedEntry(id=new_id, created=True)

    existing = (
        await session.execute(
            select(OutboxEntry.id, OutboxEntry.kind, OutboxEntry.payload).where(
                OutboxEntry.idempotency_key == idempotency_key
            )
        )
    ).one()
    if existing.kind != kind or existing.payload != document:
        raise IdempotencyKeyConflict(idempotency_key)
    return QueuedEntry(id=existing.id, created=False)


def _insert_unless_queued(dialect: str) -> postgresql.Insert | sqlite.Insert:
    # ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL
    # a failed statement aborts the caller's whole transaction. It also waits for a
    # concurrent transaction inserting the same key, and then finds its entry.
    if dialect == "postgresql":
        return postgresql.insert(OutboxEntry).on_conflict_do_nothing(
            index_elements=[OutboxEntry.idempotency_key]
        )
    if dialect == "sqlite":
        return sqlite.insert(OutboxEntry).on_conflict_do_nothing(
            index_elements=[OutboxEntry.idempotency_key]
        )
    raise NotImplementedError(f"the outbox supports SQLite and PostgreSQL, not {dialect}")


def _check_name(field: str, value: str, max_length: int) -> None:
    if not value or len(value) > max_length:
        raise InvalidOutboxEntry(f"{field} must have 1 to {max_length} characters")


def _json_object(payload: Mapping[str, Any]) -> dict[str, Any]:
    """`payload` as it will come back from the database, so that a repeat compares equal
    (tuples become lists). Money goes in as a string: Decimal is not JSON."""
    if not isinstance(payload, Mapping):
        raise InvalidOutboxEntry("an outbox payload must be a JSON object (a mapping)")
    try:
        document: dict[str, Any] = json.loads(json.dumps(payload, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise InvalidOutboxEntry(f"the outbox payload is not plain JSON: {error}") from None
    return document


def _aware_utc(due_at: datetime) -> datetime:
    if due_at.tzinfo is None:
        raise InvalidOutboxEntry("due_at must carry a time zone")
    return as_utc(due_at)
