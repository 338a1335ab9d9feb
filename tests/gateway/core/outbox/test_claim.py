"""Claiming: one worker per entry at a time, and an expired lease frees the entry."""

from __future__ import annotations

import asyncio

from gateway.core.outbox.claim import claim_due, read_candidates, take
from gateway.core.outbox.table import OutboxState
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.open import open_store
from tests.gateway.core.outbox.support import START, FakeClock, queue, read_row


async def test_a_stale_read_loses_the_compare_and_set(store: GatewayStore) -> None:
    [entry_id] = await queue(store, kind="k")
    async with store.engine.connect() as connection:
        [seen] = await read_candidates(connection, now=START, limit=10, lock=False)

    async with store.engine.begin() as connection:
        won = await take(connection, seen, worker_id="first", now=START, lease_s=30)
    async with store.engine.begin() as connection:
        lost = await take(connection, seen, worker_id="second", now=START, lease_s=30)

    assert won is not None
    assert (won.message.id, won.message.attempt, won.worker_id) == (entry_id, 1, "first")
    assert lost is None
    row = await read_row(store, entry_id)
    assert (row.state, row.claimed_by, row.attempts) == (OutboxState.RUNNING, "first", 1)
    assert row.lease_until == won.lease_until


async def test_an_entry_is_claimable_again_only_once_its_lease_expired(
    store: GatewayStore,
) -> None:
    [entry_id] = await queue(store, kind="k")
    clock = FakeClock()

    async def claim(worker_id: str) -> list[int]:
        batch = await claim_due(
            store.engine, worker_id=worker_id, now=clock(), lease_s=30, limit=10, max_attempts=5
        )
        return [claim.message.attempt for claim in batch.claims]

    assert await claim("first") == [1]
    clock.advance(29.999)
    assert await claim("second") == []
    clock.advance(0.001)
    assert await claim("second") == [2]
    row = await read_row(store, entry_id)
    assert (row.state, row.claimed_by, row.attempts) == (OutboxState.RUNNING, "second", 2)


async def test_an_entry_not_yet_due_is_left_alone(store: GatewayStore) -> None:
    clock = FakeClock()
    await queue(store, kind="k", clock=clock)
    clock.advance(-1)

    batch = await claim_due(
        store.engine, worker_id="w", now=clock(), lease_s=30, limit=10, max_attempts=5
    )

    assert (batch.claims, batch.abandoned) == ([], 0)


async def test_a_crash_during_the_last_attempt_hands_the_entry_to_a_person(
    store: GatewayStore,
) -> None:
    [entry_id] = await queue(store, kind="k")
    clock = FakeClock()
    first = await claim_due(
        store.engine, worker_id="dies", now=clock(), lease_s=30, limit=10, max_attempts=1
    )
    assert len(first.claims) == 1
    clock.advance(30)

    after_lease = await claim_due(
        store.engine, worker_id="next", now=clock(), lease_s=30, limit=10, max_attempts=1
    )

    assert (after_lease.claims, after_lease.abandoned) == ([], 1)
    row = await read_row(store, entry_id)
    assert (row.state, row.attempts, row.finished_at) == (
        OutboxState.NEEDS_ATTENTION,
        1,
        clock(),
    )
    assert row.last_error is not None
    assert "lease expired" in row.last_error


async def test_two_claimers_racing_never_claim_the_same_entry(database_url: str) -> None:
    first, second = open_store(database_url), open_store(database_url)
    try:
        ids = await queue(first, kind="k", count=200)
        claimed: list[tuple[str, int]] = []

        async def claimer(store: GatewayStore, worker_id: str) -> None:
            while True:
                batch = await claim_due(
                    store.engine,
                    worker_id=worker_id,
                    now=START,
                    lease_s=60,
                    limit=7,
                    max_attempts=5,
                )
                if not batch.claims:
                    return
                claimed.extend((worker_id, claim.message.id) for claim in batch.claims)

        await asyncio.gather(claimer(first, "first"), claimer(second, "second"))
    finally:
        await first.aclose()
        await second.aclose()

    claimed_ids = [entry_id for _, entry_id in claimed]
    assert sorted(claimed_ids) == ids  # every entry once: none twice, none missed
