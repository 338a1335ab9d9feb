"""Waking every worker as soon as an entry is committed, from any process, on PostgreSQL.

A worker otherwise finds new entries at its next poll (`worker_poll_interval_s`), which
a member paying a bill waits through. The writer sends `NOTIFY` on `CHANNEL` inside the
transaction that adds the entry: PostgreSQL delivers it when, and only if, that
transaction commits, so a worker is never woken for an entry it cannot see yet. Each
worker LISTENs on a connection of its own and wakes its runner.

On SQLite a deployment has one worker, and only a worker in the same process (the
demo's) can be woken: the commit rings an in-process bell instead.

The poll stays as the fallback: for web processes beside a SQLite worker, while the
listening connection is being re-opened, and for entries due later (retries,
scheduled payments).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final

from asyncpg import InterfaceError, PostgresError
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from gateway.core.outbox.failure import describe_failure

logger = logging.getLogger("gateway.outbox")

CHANNEL: Final = "coop_outbox"
_NOTIFY: Final = text(f"SELECT pg_notify('{CHANNEL}', '')")


# The wake-ups of the workers running in this process, for databases without NOTIFY.
_in_process: set[Callable[[], None]] = set()
_BELL_ARMED: Final = "coop_outbox_bell_armed"


async def notify_on_commit(session: AsyncSession) -> None:
    """Have the workers woken when `session`'s transaction commits."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_NOTIFY)
        return
    sync_session = session.sync_session
    if not sync_session.info.get(_BELL_ARMED):
        sync_session.info[_BELL_ARMED] = True
        event.listen(sync_session, "after_commit", _ring, once=True)


def _ring(sync_session: Session) -> None:
    sync_session.info.pop(_BELL_ARMED, None)
    for wake in list(_in_process):
        wake()


def listening_job(
    engine: AsyncEngine, wake: Callable[[], None], *, reconnect_s: float = 5.0
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """A worker job: `wake()` whenever a process commits an outbox entry (on SQLite,
    this process), until the stop event is set."""

    async def run(stop: asyncio.Event) -> None:
        if engine.dialect.name != "postgresql":
            _in_process.add(wake)
            try:
                await stop.wait()
            finally:
                _in_process.discard(wake)
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
