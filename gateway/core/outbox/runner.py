"""The worker loop: claim due entries, run their handlers, record the outcome.

Each entry ends DONE, or after a failure waits (exponential backoff, full jitter) and
runs again, until its last allowed attempt fails and it NEEDS_ATTENTION. Nothing is
deleted or dropped. Handlers run outside any transaction, all of a batch at once, each
for at most the lease: one still running then would overlap a second worker's run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.core.clock import Clock, utc_now
from gateway.core.outbox.claim import Claim, ClaimedBatch, claim_due
from gateway.core.outbox.errors import OutboxStoreError
from gateway.core.outbox.failure import describe_failure, truncate
from gateway.core.outbox.finish import mark_done, mark_needs_attention, schedule_retry
from gateway.core.outbox.message import Handler
from gateway.core.outbox.retry import RetryPolicy

logger = logging.getLogger("gateway.outbox")

Sleep = Callable[[float], Awaitable[None]]


def default_worker_id() -> str:
    """Host, process and a random suffix: unique even when a restarted worker gets the
    process id of one that died holding leases."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class OutboxRunner:
    def __init__(
        self,
        engine: AsyncEngine,
        handlers: Mapping[str, Handler],
        *,
        worker_id: str,
        batch_size: int = 10,
        poll_interval_s: float = 1.0,
        lease_s: float = 60.0,
        retry: RetryPolicy | None = None,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        # Jitter, not a secret: the standard generator is the right tool.
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        if poll_interval_s <= 0 or lease_s <= 0:
            raise ValueError("poll_interval_s and lease_s must be positive")
        self._engine = engine
        self._handlers = dict(handlers)
        self._worker_id = worker_id
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._lease_s = lease_s
        self._retry = retry or RetryPolicy()
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self._wakeup = asyncio.Event()

    @property
    def worker_id(self) -> str:
        return self._worker_id

    def wake(self) -> None:
        """Look for due entries now rather than at the next poll: for code in this
        process, on this event loop, that just committed an entry."""
        self._wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Process entries until `stop` is set; a batch under way is finished first.

        Cancelling the task instead stops at once: entries it was running stay RUNNING
        until their lease expires and then run again, as after a crash.
        """
        logger.info("outbox worker %s started", self._worker_id)
        while not stop.is_set():
            self._wakeup.clear()
            try:
                processed = await self.run_once()
            except OutboxStoreError as error:
                logger.warning("outbox worker %s: %s; trying again", self._worker_id, error)
                processed = 0
            # A full batch suggests more is due: go on at once, unless asked to stop.
            if processed < self._batch_size:
                await self._idle(stop)
        logger.info("outbox worker %s stopped", self._worker_id)

    async def run_once(self) -> int:
        """Claim one batch of due entries and run it; the number of entries dealt with."""
        try:
            batch: ClaimedBatch = await claim_due(
                self._engine,
                worker_id=self._worker_id,
                now=self._clock(),
                lease_s=self._lease_s,
                limit=self._batch_size,
                max_attempts=self._retry.max_attempts,
            )
        except (SQLAlchemyError, OSError) as error:  # OSError: no connection at all
            raise OutboxStoreError(
                f"could not claim outbox entries: {describe_failure(error)}"
            ) from error
        if batch.abandoned:
            logger.error(
                "outbox: %d entries need attention: their last attempt never finished",
                batch.abandoned,
            )
        async with asyncio.TaskGroup() as group:
            for claim in batch.claims:
                group.create_task(self._process(claim))
        return len(batch.claims) + batch.abandoned

    async def _process(self, claim: Claim) -> None:
        message = claim.message
        handler = self._handlers.get(message.kind)
        try:
            if handler is None:
                await self._give_up(claim, f"no handler is registered for kind {message.kind!r}")
                return
            try:
                async with asyncio.timeout(self._lease_s) as deadline:
                    await handler(message)
            except Exception as error:
                if isinstance(error, TimeoutError) and deadline.expired():
                    reason = truncate(f"the handler ran past its lease of {self._lease_s:g} s")
                else:
                    reason = describe_failure(error)
                await self._failed(claim, reason)
                return
            held = await mark_done(self._engine, claim, now=self._clock())
            self._note_lost(claim, held)
        except (SQLAlchemyError, OSError) as error:
            # The entry stays RUNNING and comes back when its lease expires.
            logger.warning(
                "outbox entry %d: could not record the outcome of attempt %d: %s",
                message.id,
                message.attempt,
                describe_failure(error),
            )

    async def _failed(self, claim: Claim, reason: str) -> None:
        message = claim.message
        if self._retry.gives_up_after(message.attempt):
            await self._give_up(claim, reason)
            return
        now = self._clock()
        delay_s = self._retry.delay_s(message.attempt, random=self._jitter)
        held = await schedule_retry(
            self._engine, claim, now=now, due_at=now + timedelta(seconds=delay_s), error=reason
        )
        if held:
            logger.warning(
                "outbox entry %d (%s) attempt %d failed, runs again in %.1f s: %s",
                message.id,
                message.kind,
                message.attempt,
                delay_s,
                reason,
            )
        self._note_lost(claim, held)

    async def _give_up(self, claim: Claim, reason: str) -> None:
        message = claim.message
        held = await mark_needs_attention(self._engine, claim, now=self._clock(), error=reason)
        if held:
            logger.error(
                "outbox entry %d (%s) needs attention after attempt %d: %s",
                message.id,
                message.kind,
                message.attempt,
                reason,
            )
        self._note_lost(claim, held)

    def _note_lost(self, claim: Claim, held: bool) -> None:
        if not held:
            logger.warning(
                "outbox entry %d: attempt %d lost its lease to another worker; its outcome"
                " was not recorded",
                claim.message.id,
                claim.message.attempt,
            )

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait for the poll interval, a wake-up or the stop, whichever comes first."""
        waits = {
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(self._wakeup.wait()),
            asyncio.ensure_future(self._sleep(self._poll_interval_s)),
        }
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
