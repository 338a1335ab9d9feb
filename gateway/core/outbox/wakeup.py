"""Waking every worker as soon as an entry is committed, from any process, on PostgreSQL.

A worker otherwise finds new entries at its next poll (`worker_poll_interval_s`), which
a member paying a bill waits through. The writer sends `NOTIFY` on `CHANNEL` inside the
transaction that adds the entry: PostgreSQL delivers it when, and only if, that
transaction commits, so a worker is never woken for an entry it cannot see yet. Each
worker LISTENs on a connection of its own and wakes its runner.

The poll stays as the fallback: on SQLite (one worker, and the demo wakes it in
process), while the listening connection is being re-opened, and for entries due later
(retries, scheduled payments).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final

from asyncpg import InterfaceError, PostgresError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gateway.core.outbox.failure import describe_failure

logger = logging.getLogger("gateway.outbox")

CHANNEL: Final = "coop_outbox"
_NOTIFY: Final = text(f"SELECT pg_notify('{CHANNEL}', '')")


async def notify_on_commit(session: AsyncSession) -> None:
    """Have the workers woken when `session`'s transaction commits (PostgreSQL only)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_NOTIFY)


def listening_job(
    engine: AsyncEngine, wake: Callable[[], None], *, reconnect_s: float = 5.0
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """A worker job: `wake()` whenever another process commits an outbox entry, until
    the stop event is set. Where there is nothing to listen to (SQLite) it only waits."""

    async def run(stop: asyncio.Event) -> None:
        if engine.dialect.name != "postgresql":
            await stop.wait()
            return
        while not stop.is_set():
            try:
                await _listen(engine, wake, stop)
            # asyncpg's own errors come from LISTEN, which SQLAlchemy does not wrap.
            except (SQLAlchemyError, OSError, PostgresError, InterfaceError) as error:
                logger.warning(
                    "outbox: not listening for new entries (%s); polling meanwhile, trying"
                    " again in %g s",
                    describe_failure(error),
                    reconnect_s,
                )
            if not stop.is_set():
                await _wait(stop, reconnect_s)

    return run


async def _listen(engine: AsyncEngine, wake: Callable[[], None], stop: asyncio.Event) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection  # asyncpg's Connection
        lost = asyncio.Event()

        def notified(*_: object) -> None:
            wake()

        def terminated(*_: object) -> None:
            lost.set()

        await driver.add_listener(CHANNEL, notified)
        driver.add_termination_listener(terminated)
        try:
            # Whatever was committed before the LISTEN took effect is found now.
            wake()
            await _first_of(stop.wait(), lost.wait())
            if lost.is_set() and not stop.is_set():
                logger.warning("outbox: the listening connection was closed; opening another")
        finally:
            driver.remove_termination_listener(terminated)
            if not driver.is_closed():
                await driver.remove_listener(CHANNEL, notified)


async def _first_of(*waits: Coroutine[Any, Any, Any]) -> None:
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
