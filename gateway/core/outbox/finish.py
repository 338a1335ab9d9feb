"""Recording how a run ended, only while the run still holds its claim.

Every update here matches the claim (running, claimed by this worker, at this
attempt). If the lease expired and another worker took the entry meanwhile, the claim
moved on and nothing is overwritten: the other worker's result stands. If the lease
expired but nobody took the entry yet, this run's result is still the latest word on
it, so it is recorded; that spares the entry a needless second run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.core.outbox.claim import Claim
from gateway.core.outbox.table import OutboxEntry, OutboxState


async def mark_done(engine: AsyncEngine, claim: Claim, *, now: datetime) -> bool:
    # claimed_by stays: it tells who carried the entry out.
    return await _update_held(
        engine,
        claim,
        state=OutboxState.DONE.value,
        lease_until=None,
        updated_at=now,
        finished_at=now,
    )


async def schedule_retry(
    engine: AsyncEngine, claim: Claim, *, now: datetime, due_at: datetime, error: str
) -> bool:
    return await _update_held(
        engine,
        claim,
        state=OutboxState.PENDING.value,
        due_at=due_at,
        last_error=error,
        lease_until=None,
        claimed_by=None,
        updated_at=now,
    )


async def mark_needs_attention(
    engine: AsyncEngine, claim: Claim, *, now: datetime, error: str
) -> bool:
    return await _update_held(
        engine,
        claim,
        state=OutboxState.NEEDS_ATTENTION.value,
        last_error=error,
        lease_until=None,
        updated_at=now,
        finished_at=now,
    )


async def _update_held(engine: AsyncEngine, claim: Claim, **values: Any) -> bool:
    """True if the claim was still held and the update made; False if it was lost."""
    async with engine.begin() as connection:
        row = (
            await connection.execute(
                update(OutboxEntry)
                .where(
                    and_(
                        OutboxEntry.id == claim.message.id,
                        OutboxEntry.state == OutboxState.RUNNING.value,
                        OutboxEntry.claimed_by == claim.worker_id,
                        OutboxEntry.attempts == claim.message.attempt,
                    )
                )
                .values(**values)
                .returning(OutboxEntry.id)
            )
        ).one_or_none()
    return row is not None
