"""One database transaction for a command: its records and its outbox entries together.

    async with unit_of_work(store, on_outbox_committed=runner.wake) as uow:
        uow.session.add(Payment(...))
        await uow.add_outbox(
            kind="payments.charge", payload={...}, idempotency_key=f"payment:{id}:charge"
        )

Leaving the block commits; an exception rolls everything back and is re-raised, so a
record never exists without the work it asks for, nor the work without its record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.core.clock import Clock, utc_now
from gateway.core.outbox.enqueue import QueuedEntry, add_entry


class SessionSource(Protocol):
    """Anything that opens sessions on the gateway's database (GatewayStore does)."""

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...


class UnitOfWork:
    """An async context manager over one transaction; use each instance once.

    Do not commit or roll back `session` yourself: the block's end decides, and an
    early commit would split the record from its outbox entries.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock = utc_now,
        on_outbox_committed: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._on_outbox_committed = on_outbox_committed
        self._session: AsyncSession | None = None
        self._entered = False
        self._queued_new_entries = False

    @property
    def session(self) -> AsyncSession:
        """The transaction's session, for the command's own reads and writes."""
        if self._session is None:
            raise RuntimeError("a unit of work's session exists only inside `async with`")
        return self._session

    async def add_outbox(
        self,
        *,
        kind: str,
        payload: Mapping[str, Any],
        idempotency_key: str,
        due_at: datetime | None = None,
    ) -> QueuedEntry:
        """Queue work for the worker, committed with everything else in this unit.

        `due_at` (aware) defers it; by default it is due at once. A key queued before
        for the same kind and payload answers that entry (`created` False) instead of a
        second one; for other work it raises IdempotencyKeyConflict.
        """
        queued = await add_entry(
            self.session,
            kind=kind,
            payload=payload,
            idempotency_key=idempotency_key,
            due_at=due_at,
            now=self._clock(),
        )
        self._queued_new_entries |= queued.created
        return queued

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError("a unit of work runs once; open a new one")
        self._entered = True
        self._session = self._sessions()
        await self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        committed = False
        try:
            if exc_type is None:
                await session.commit()
                committed = True
            else:
                await session.rollback()
        finally:
            await session.close()
        if committed and self._queued_new_entries and self._on_outbox_committed is not None:
            # In-process only: a worker loop in this process looks now instead of at its
            # next poll. Workers elsewhere still find the entry by polling.
            self._on_outbox_committed()


def unit_of_work(
    store: SessionSource,
    *,
    clock: Clock = utc_now,
    on_outbox_committed: Callable[[], None] | None = None,
) -> UnitOfWork:
    """A unit of work on `store`'s database (see UnitOfWork)."""
    return UnitOfWork(store.sessions, clock=clock, on_outbox_committed=on_outbox_committed)
