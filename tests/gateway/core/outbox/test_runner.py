"""The worker loop: runs, retries with backoff, gives up into NEEDS_ATTENTION, never drops."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from datetime import timedelta

import pytest

from gateway.core.outbox import (
    Handler,
    OutboxMessage,
    OutboxRunner,
    OutboxStoreError,
    RetryPolicy,
)
from gateway.core.outbox.table import OutboxState
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.open import open_store
from gateway.core.store.unit_of_work import unit_of_work
from tests.gateway.core.outbox.support import FakeClock, queue, read_row, read_rows

# Hang guard for waits on the loop; never expected to be reached.
PATIENCE_S = 30


class ProcessorDown(Exception):
    pass


def runner_for(
    store: GatewayStore,
    handlers: Mapping[str, Handler],
    *,
    clock: FakeClock,
    worker_id: str = "worker-1",
    retry: RetryPolicy | None = None,
    jitter: Callable[[], float] = lambda: 0.5,
    lease_s: float = 60.0,
) -> OutboxRunner:
    return OutboxRunner(
        store.engine,
        handlers,
        worker_id=worker_id,
        batch_size=5,
        poll_interval_s=0.01,
        lease_s=lease_s,
        retry=retry or RetryPolicy(base_s=10, cap_s=60, max_attempts=5),
        clock=clock,
        jitter=jitter,
    )


async def test_a_handler_gets_the_entry_and_the_entry_ends_done(store: GatewayStore) -> None:
    clock = FakeClock()
    seen: list[OutboxMessage] = []

    async def handle(message: OutboxMessage) -> None:
        seen.append(message)

    [entry_id] = await queue(store, kind="mail.send", clock=clock)
    runner = runner_for(store, {"mail.send": handle}, clock=clock)
    clock.advance(2)

    assert await runner.run_once() == 1
    assert await runner.run_once() == 0

    assert seen == [
        OutboxMessage(
            id=entry_id, kind="mail.send", payload={"n": 0}, idempotency_key="entry-0", attempt=1
        )
    ]
    row = await read_row(store, entry_id)
    assert (row.state, row.attempts, row.finished_at, row.claimed_by, row.lease_until) == (
        OutboxState.DONE,
        1,
        clock(),
        "worker-1",
        None,
    )


async def test_failing_twice_then_succeeding_ends_done_after_three_attempts(
    store: GatewayStore,
) -> None:
    clock = FakeClock()
    attempts: list[int] = []

    async def flaky(message: OutboxMessage) -> None:
        attempts.append(message.attempt)
        if message.attempt < 3:
            raise ProcessorDown(f"processor unavailable (attempt {message.attempt})")

    [entry_id] = await queue(store, kind="payments.charge", clock=clock)
    runner = runner_for(store, {"payments.charge": flaky}, clock=clock)

    for expected_attempt in (1, 2):
        assert await runner.run_once() == 1
        row = await read_row(store, entry_id)
        assert (row.state, row.attempts, row.claimed_by) == (
            OutboxState.PENDING,
            expected_attempt,
            None,
        )
        assert row.last_error == (
            "tests.gateway.core.outbox.test_runner.ProcessorDown:"
            f" processor unavailable (attempt {expected_attempt})"
        )
        assert row.due_at > clock()
        # Not before it is due again.
        clock.move_to(row.due_at - timedelta(microseconds=1))
        assert await runner.run_once() == 0
        clock.move_to(row.due_at)
    assert await runner.run_once() == 1

    assert attempts == [1, 2, 3]
    row = await read_row(store, entry_id)
    assert (row.state, row.attempts, row.finished_at) == (OutboxState.DONE, 3, clock())


async def test_always_failing_needs_attention_after_max_attempts_and_stays(
    store: GatewayStore,
) -> None:
    clock = FakeClock()
    runs = 0

    async def broken(message: OutboxMessage) -> None:
        nonlocal runs
        runs += 1
        raise ProcessorDown("card processor says no")

    [entry_id] = await queue(store, kind="payments.charge", clock=clock)
    runner = runner_for(
        store,
        {"payments.charge": broken},
        clock=clock,
        retry=RetryPolicy(base_s=10, cap_s=60, max_attempts=4),
    )

    for _ in range(4):
        assert await runner.run_once() == 1
        clock.move_to((await read_row(store, entry_id)).due_at)
    clock.advance(24 * 3600)
    assert await runner.run_once() == 0  # given up: never run again by itself

    assert runs == 4
    row = await read_row(store, entry_id)
    assert (row.state, row.attempts, row.lease_until) == (OutboxState.NEEDS_ATTENTION, 4, None)
    assert (
        row.last_error
        == "tests.gateway.core.outbox.test_runner.ProcessorDown: card processor says no"
    )
    assert row.finished_at is not None


async def test_backoff_delays_grow_and_are_jittered_within_bounds(store: GatewayStore) -> None:
    retry = RetryPolicy(base_s=10, cap_s=60, max_attempts=7)

    async def broken(message: OutboxMessage) -> None:
        raise ProcessorDown("down")

    async def delays_with(jitter: Callable[[], float], key_prefix: str) -> list[float]:
        clock = FakeClock()
        [entry_id] = await queue(store, kind="k", clock=clock, key_prefix=key_prefix)
        runner = runner_for(store, {"k": broken}, clock=clock, retry=retry, jitter=jitter)
        delays = []
        for _ in range(retry.max_attempts - 1):
            await runner.run_once()
            due_at = (await read_row(store, entry_id)).due_at
            delays.append((due_at - clock()).total_seconds())
            clock.move_to(due_at)
        return delays

    highest = await delays_with(lambda: 0.999, "highest")
    draws = random.Random(7)
    jittered = await delays_with(draws.random, "jittered")

    ceilings = [10, 20, 40, 60, 60, 60]
    assert highest == pytest.approx([0.999 * ceiling for ceiling in ceilings])
    assert all(0 <= delay < ceiling for delay, ceiling in zip(jittered, ceilings, strict=True))
    replay = random.Random(7)
    assert jittered == pytest.approx([replay.random() * ceiling for ceiling in ceilings])
    assert len(set(jittered)) == len(jittered)


async def test_an_unknown_kind_needs_attention_at_once(store: GatewayStore) -> None:
    clock = FakeClock()
    [entry_id] = await queue(store, kind="nobody.handles.this", clock=clock)
    runner = runner_for(store, {}, clock=clock)

    assert await runner.run_once() == 1

    row = await read_row(store, entry_id)
    assert (row.state, row.attempts) == (OutboxState.NEEDS_ATTENTION, 1)
    assert row.last_error == "no handler is registered for kind 'nobody.handles.this'"


async def test_a_handler_running_past_its_lease_is_stopped_and_retried(
    store: GatewayStore,
) -> None:
    clock = FakeClock()
    cancelled = asyncio.Event()

    async def hangs(message: OutboxMessage) -> None:
        try:
            await asyncio.sleep(PATIENCE_S)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    [entry_id] = await queue(store, kind="k", clock=clock)
    runner = runner_for(store, {"k": hangs}, clock=clock, lease_s=0.05)

    assert await runner.run_once() == 1

    assert cancelled.is_set()
    row = await read_row(store, entry_id)
    assert (row.state, row.attempts) == (OutboxState.PENDING, 1)
    assert row.last_error == "the handler ran past its lease of 0.05 s"


async def test_a_worker_that_lost_its_lease_does_not_overwrite_the_next_run(
    store: GatewayStore,
) -> None:
    clock = FakeClock()
    started = {1: asyncio.Event(), 2: asyncio.Event()}
    release = {1: asyncio.Event(), 2: asyncio.Event()}

    async def handle(message: OutboxMessage) -> None:
        started[message.attempt].set()
        await release[message.attempt].wait()
        if message.attempt == 1:  # the slow first run, whose lease ran out meanwhile
            raise ProcessorDown("too late")

    [entry_id] = await queue(store, kind="k", clock=clock)
    slow = runner_for(store, {"k": handle}, clock=clock, worker_id="slow")
    other = runner_for(store, {"k": handle}, clock=clock, worker_id="other")

    slow_run = asyncio.create_task(slow.run_once())
    await asyncio.wait_for(started[1].wait(), PATIENCE_S)
    clock.advance(60)  # the slow run's lease expired
    other_run = asyncio.create_task(other.run_once())
    await asyncio.wait_for(started[2].wait(), PATIENCE_S)
    # The slow run fails while the other one is under way: its outcome is not recorded...
    release[1].set()
    assert await slow_run == 1
    row = await read_row(store, entry_id)
    assert (row.state, row.attempts, row.claimed_by, row.last_error) == (
        OutboxState.RUNNING,
        2,
        "other",
        None,
    )
    # ...and the run that holds the claim finishes it.
    release[2].set()
    assert await other_run == 1
    row = await read_row(store, entry_id)
    assert (row.state, row.attempts, row.claimed_by, row.last_error) == (
        OutboxState.DONE,
        2,
        "other",
        None,
    )


async def test_wake_makes_the_loop_look_at_once(store: GatewayStore) -> None:
    ran = asyncio.Event()

    async def handle(message: OutboxMessage) -> None:
        ran.set()

    async def never(_: float) -> None:
        await asyncio.Event().wait()  # a poll that never comes: only wake() or stop

    clock = FakeClock()
    runner = OutboxRunner(
        store.engine, {"k": handle}, worker_id="w", clock=clock, poll_interval_s=3600, sleep=never
    )
    stop = asyncio.Event()
    loop = asyncio.create_task(runner.run(stop))
    try:
        await asyncio.sleep(0.05)  # the loop found nothing and idles
        assert not ran.is_set()
        async with unit_of_work(store, clock=clock, on_outbox_committed=runner.wake) as uow:
            await uow.add_outbox(kind="k", payload={}, idempotency_key="now")
        await asyncio.wait_for(ran.wait(), PATIENCE_S)
    finally:
        stop.set()
        await asyncio.wait_for(loop, PATIENCE_S)
    [row] = await read_rows(store)
    assert row.state is OutboxState.DONE


async def test_the_loop_stops_when_asked_and_when_cancelled(store: GatewayStore) -> None:
    async def never(_: float) -> None:
        await asyncio.Event().wait()

    runner = OutboxRunner(store.engine, {}, worker_id="w", sleep=never)
    stop = asyncio.Event()
    stopped = asyncio.create_task(runner.run(stop))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(stopped, PATIENCE_S)

    cancelled = asyncio.create_task(runner.run(asyncio.Event()))
    await asyncio.sleep(0.05)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled


async def test_without_a_wake_up_the_loop_finds_new_entries_by_polling(
    store: GatewayStore,
) -> None:
    clock = FakeClock()
    count = 12
    done: list[int] = []
    all_done = asyncio.Event()

    async def handle(message: OutboxMessage) -> None:
        done.append(message.id)
        if len(done) == count:
            all_done.set()

    runner = runner_for(store, {"k": handle}, clock=clock)  # polls every 0.01 s
    stop = asyncio.Event()
    loop = asyncio.create_task(runner.run(stop))
    try:
        await asyncio.sleep(0.05)  # the loop found nothing and idles
        ids = await queue(store, kind="k", count=count, clock=clock)  # nobody calls wake()
        await asyncio.wait_for(all_done.wait(), PATIENCE_S)
    finally:
        stop.set()
        await asyncio.wait_for(loop, PATIENCE_S)

    assert sorted(done) == ids
    assert {row.state for row in await read_rows(store)} == {OutboxState.DONE}


async def test_a_database_failure_is_a_typed_error(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    missing = tmp_path_factory.mktemp("outbox") / "no-such-directory" / "gateway.db"
    store = open_store(f"sqlite+aiosqlite:///{missing}")
    try:
        runner = OutboxRunner(store.engine, {}, worker_id="w")
        with pytest.raises(OutboxStoreError, match="could not claim outbox entries"):
            await runner.run_once()
    finally:
        await store.aclose()
