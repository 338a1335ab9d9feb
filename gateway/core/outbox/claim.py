"""Taking due entries for one worker: each entry goes to one worker at a time.

An entry is claimable when it is pending and due, or running with an expired lease
(its worker died or hung: that is how its work comes back). Claiming sets it running,
leased to the worker until `now + lease`, and counts the attempt.

PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent workers each lock a
different batch without waiting, then update it in the same short transaction.
SQLite has no row locks: the candidates are read first, then each is taken with an
UPDATE that matches only while the entry is still as read (compare-and-set). SQLite
runs one write at a time, so of two claimers of an entry at most one matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.core.clock import as_utc
from gateway.core.outbox.failure import truncate
from gateway.core.outbox.message import OutboxMessage
from gateway.core.outbox.table import OutboxEntry, OutboxState


@dataclass(frozen=True, slots=True)
class Claim:
    """An entry leased to `worker_id`. `message.attempt` and `worker_id` together are
    the claim: finishing matches both, so a worker that lost the entry changes nothing."""

    message: OutboxMessage
    worker_id: str
    lease_until: datetime


@dataclass(frozen=True, slots=True)
class Candidate:
    """A claimable entry as one read saw it."""

    id: int
    state: OutboxState
    attempts: int


@dataclass(frozen=True, slots=True)
class ClaimedBatch:
    claims: list[Claim]
    # Entries whose last allowed attempt was cut short (their lease expired): not run
    # again, but handed to a person, since nobody knows how far that run got.
    abandoned: int


async def claim_due(
    engine: AsyncEngine,
    *,
    worker_id: str,
    now: datetime,
    lease_s: float,
    limit: int,
    max_attempts: int,
) -> ClaimedBatch:
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            candidates = await read_candidates(connection, now=now, limit=limit, lock=True)
            return await take_all(
                connection,
                candidates,
                worker_id=worker_id,
                now=now,
                lease_s=lease_s,
                max_attempts=max_attempts,
            )
    # Read in one transaction and write in another: a SQLite transaction that reads and
    # then writes fails at once ("database is locked") if another write landed between.
    async with engine.connect() as connection:
        candidates = await read_candidates(connection, now=now, limit=limit, lock=False)
    async with engine.begin() as connection:
        return await take_all(
            connection,
            candidates,
            worker_id=worker_id,
            now=now,
            lease_s=lease_s,
            max_attempts=max_attempts,
        )


async def read_candidates(
    connection: AsyncConnection, *, now: datetime, limit: int, lock: bool
) -> list[Candidate]:
    """Claimable entries, oldest due first. `lock`: FOR UPDATE SKIP LOCKED (PostgreSQL)."""
    query = (
        select(OutboxEntry.id, OutboxEntry.state, OutboxEntry.attempts)
        .where(claimable(now))
        .order_by(OutboxEntry.due_at, OutboxEntry.id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    rows = (await connection.execute(query)).all()
    return [
        Candidate(id=row.id, state=OutboxState(row.state), attempts=row.attempts) for row in rows
    ]


async def take_all(
    connection: AsyncConnection,
    candidates: list[Candidate],
    *,
    worker_id: str,
    now: datetime,
    lease_s: float,
    max_attempts: int,
) -> ClaimedBatch:
    claims: list[Claim] = []
    abandoned = 0
    for candidate in candidates:
        if candidate.state is OutboxState.RUNNING and candidate.attempts >= max_attempts:
            abandoned += await abandon(connection, candidate, now=now)
            continue
        claim = await take(connection, candidate, worker_id=worker_id, now=now, lease_s=lease_s)
        if claim is not None:
            claims.append(claim)
    return ClaimedBatch(claims=claims, abandoned=abandoned)


async def take(
    connection: AsyncConnection,
    candidate: Candidate,
    *,
    worker_id: str,
    now: datetime,
    lease_s: float,
) -> Claim | None:
    """Lease `candidate` to `worker_id` if it is still as read; None if another won it."""
    lease_until = now + timedelta(seconds=lease_s)
    row = (
        await connection.execute(
            update(OutboxEntry)
            .where(still_as_read(candidate, now))
            .values(
                state=OutboxState.RUNNING.value,
                attempts=OutboxEntry.attempts + 1,
                lease_until=lease_until,
                claimed_by=worker_id,
                updated_at=now,
            )
            .returning(
                OutboxEntry.id,
                OutboxEntry.kind,
                OutboxEntry.payload,
                OutboxEntry.idempotency_key,
                OutboxEntry.attempts,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    message = OutboxMessage(
        id=row.id,
        kind=row.kind,
        payload=row.payload,
        idempotency_key=row.idempotency_key,
        attempt=row.attempts,
    )
    return Claim(message=message, worker_id=worker_id, lease_until=as_utc(lease_until))


async def abandon(connection: AsyncConnection, candidate: Candidate, *, now: datetime) -> int:
    """Hand an entry whose last attempt never finished to a person; 1 if this did it."""
    error = truncate(
        f"the worker running attempt {candidate.attempts} stopped before it finished (its"
        " lease expired), and that was the last attempt allowed; it may or may not have"
        " taken effect"
    )
    row = (
        await connection.execute(
            update(OutboxEntry)
            .where(still_as_read(candidate, now))
            .values(
                state=OutboxState.NEEDS_ATTENTION.value,
                last_error=error,
                lease_until=None,
                updated_at=now,
                finished_at=now,
            )
            .returning(OutboxEntry.id)
        )
    ).one_or_none()
    return 0 if row is None else 1


def claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxEntry.state == OutboxState.PENDING.value, OutboxEntry.due_at <= now),
        and_(OutboxEntry.state == OutboxState.RUNNING.value, OutboxEntry.lease_until <= now),
    )


def still_as_read(candidate: Candidate, now: datetime) -> ColumnElement[bool]:
    # Every claim bumps `attempts`, so (state, attempts) changes whenever anyone else
    # took or finished the entry since it was read; `claimable` re-checks due and lease.
    return and_(
        OutboxEntry.id == candidate.id,
        OutboxEntry.state == candidate.state.value,
        OutboxEntry.attempts == candidate.attempts,
        claimable(now),
    )
