"""An entry committed by another process wakes a PostgreSQL worker at once, not at its
next poll; the listening connection comes back after PostgreSQL closes it. On SQLite a
commit wakes the worker running in the same process."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest_asyncio
from sqlalchemy import text

from gateway.core.outbox import OutboxMessage, OutboxRunner
from gateway.core.outbox.wakeup import CHANNEL, listening_job
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from tests.gateway.core.outbox.support import queue

# Far beyond the hang guard: an entry that runs was found by a wake-up, not by a poll.
NEVER_POLLS_S = 3600.0
PATIENCE_S = 30.0  # hang guard only
# The backend whose last statement was the worker's LISTEN (asyncpg quotes the channel).
LISTENING = f"query LIKE 'LISTEN %{CHANNEL}%'"


@pytest_asyncio.fixture
async def postgres_url(postgres_database_url: Callable[[], str]) -> str:
    url = postgres_database_url()
    await migrate(url)
    return url


class Worker:
    """A runner that never polls, woken by `listening_job` on an engine of its own (as a
    worker process would have), and the entries it ran."""

    def __init__(self, url: str) -> None:
        self.store = open_store(url)
        self.ran: asyncio.Queue[int] = asyncio.Queue()

        async def handle(message: OutboxMessage) -> None:
            await self.ran.put(message.payload["n"])

        self.runner = OutboxRunner(
            self.store.engine, {"k": handle}, worker_id="woken", poll_interval_s=NEVER_POLLS_S
        )
        self.stop = asyncio.Event()

    async def next_run(self) -> int:
        return await asyncio.wait_for(self.ran.get(), PATIENCE_S)


@pytest_asyncio.fixture
async def worker(postgres_url: str) -> AsyncIterator[Worker]:
    running = Worker(postgres_url)
    tasks = [
        asyncio.create_task(running.runner.run(running.stop)),
        asyncio.create_task(
            listening_job(running.store.engine, running.runner.wake, reconnect_s=0.05)(running.stop)
        ),
    ]
    # Listening before anything is queued: what runs next was woken by NOTIFY.
    await one_listener(running.store)
    yield running
    running.stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), PATIENCE_S)
    await running.store.aclose()


@pytest_asyncio.fixture
async def writer(postgres_url: str) -> AsyncIterator[GatewayStore]:
    """Another process's engine: the web process that accepted a payment."""
    opened = open_store(postgres_url)
    yield opened
    await opened.aclose()


async def one_listener(store: GatewayStore) -> None:
    """Return once exactly one connection listens for new entries."""
    async with asyncio.timeout(PATIENCE_S):
        for _ in itertools.count():
            async with store.engine.connect() as connection:
                count = await connection.scalar(
                    text(f"SELECT count(*) FROM pg_stat_activity WHERE {LISTENING}")
                )
            if count == 1:
                return
            await asyncio.sleep(0.02)


async def test_an_entry_committed_elsewhere_runs_without_waiting_for_the_poll(
    worker: Worker, writer: GatewayStore
) -> None:
    await queue(writer, kind="k", count=1, key_prefix="first")
    assert await worker.next_run() == 0
    await queue(writer, kind="k", count=1, key_prefix="second")
    assert await worker.next_run() == 0


async def test_the_worker_listens_again_after_postgresql_closes_its_connection(
    worker: Worker, writer: GatewayStore
) -> None:
    async with writer.engine.connect() as connection:
        closed = await connection.scalar(
            text(f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {LISTENING}")
        )
    assert closed == 1
    await one_listener(writer)  # listening again, on a new connection

    await queue(writer, kind="k", count=1, key_prefix="after")
    assert await worker.next_run() == 0


async def test_on_sqlite_a_commit_in_this_process_wakes_the_worker_beside_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/gateway.db"
    await migrate(url)
    running = Worker(url)  # the demo: the app and the worker in one process
    job = asyncio.create_task(
        listening_job(running.store.engine, running.runner.wake)(running.stop)
    )
    loop = asyncio.create_task(running.runner.run(running.stop))
    try:
        await asyncio.sleep(0.05)  # the runner's first look finds nothing; then it idles
        await queue(running.store, kind="k", count=1)
        assert await running.next_run() == 0
        await queue(running.store, kind="k", count=1, key_prefix="again")
        assert await running.next_run() == 0
    finally:
        running.stop.set()
        await asyncio.wait_for(asyncio.gather(job, loop), PATIENCE_S)
        await running.store.aclose()
