"""Two worker loops on one database, each with its own engine: every entry runs once."""

from __future__ import annotations

import asyncio
from collections import Counter

from gateway.core.outbox import OutboxMessage, OutboxRunner, RetryPolicy
from gateway.core.outbox.table import OutboxState
from gateway.core.store.open import open_store
from tests.gateway.core.outbox.support import queue, read_rows

ENTRIES = 200
PATIENCE_S = 120  # hang guard only


async def test_two_worker_loops_run_every_entry_exactly_once(database_url: str) -> None:
    # On SQLite a deployment runs one worker (the worker lock); two loops here still
    # show that claiming alone never hands an entry to both.
    first, second = open_store(database_url), open_store(database_url)
    runs: Counter[int] = Counter()
    all_ran = asyncio.Event()

    async def handle(message: OutboxMessage) -> None:
        await asyncio.sleep(0.001)  # let the other loop claim meanwhile
        runs[message.id] += 1
        if sum(runs.values()) >= ENTRIES:
            all_ran.set()

    def runner(engine_of: str) -> OutboxRunner:
        store = first if engine_of == "first" else second
        return OutboxRunner(
            store.engine,
            {"k": handle},
            worker_id=engine_of,
            batch_size=5,
            poll_interval_s=0.01,
            lease_s=120,
            retry=RetryPolicy(max_attempts=1),  # a failed run would show as NEEDS_ATTENTION
        )

    try:
        ids = await queue(first, kind="k", count=ENTRIES)
        stop = asyncio.Event()
        loops = [asyncio.create_task(runner(name).run(stop)) for name in ("first", "second")]
        try:
            await asyncio.wait_for(all_ran.wait(), PATIENCE_S)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*loops), PATIENCE_S)
        rows = await read_rows(first)
    finally:
        await first.aclose()
        await second.aclose()

    assert sorted(runs) == ids
    assert set(runs.values()) == {1}
    assert {(row.state, row.attempts) for row in rows} == {(OutboxState.DONE, 1)}
    # Both loops took part, so "once" was decided by claiming, not by one loop alone.
    assert {row.claimed_by for row in rows} == {"first", "second"}
