"""Cache writes carried out after the answer, in tasks of their own.

A request that missed the cache has its answer once the backend has answered; encoding
that answer and sending it to the shared cache (a year of hourly reads is some 250 kB
per meter) is work for the requests that come after it, so it need not wait for it.
`BackgroundWrites` starts each write as a task, keeps it until it is done (the event
loop holds tasks only weakly) and logs what fails, since nobody awaits it. `drain`
waits for the writes still pending: at shutdown, before the cache closes, and wherever
a caller must see the cache written (tests, a benchmark emptying it between requests,
which reads the pending count from the gateway's metrics).

A task started at once still runs beside the request, on the same event loop, before
its answer is sent: within `writes_held()` (around a request, `after_response`), writes
are only counted and queued, and are started when the block ends. Writes started in a
task that outlives the block start at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, Protocol

logger = logging.getLogger(__name__)

Write = Coroutine[Any, Any, None]


class WriteCounter(Protocol):
    """Where the pending writes are counted (metrics): each write is queued, then done."""

    def cache_write_queued(self) -> None: ...

    def cache_write_done(self) -> None: ...


class BackgroundWrites:
    def __init__(self, counter: WriteCounter | None = None) -> None:
        self._counter = counter
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def start(self, write: Write) -> None:
        """Run `write` in a task of its own (once `writes_held` ends, if within it);
        this returns at once."""
        if self._counter is not None:
            self._counter.cache_write_queued()
        held = _held.get()
        if held is not None and held.open:
            held.launches.append(partial(self._launch, write))
            return
        self._launch(write)

    def _launch(self, write: Write) -> None:
        task = asyncio.get_running_loop().create_task(write)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    async def drain(self) -> None:
        """Until every write started so far, and any they started, has finished."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def settle(self) -> None:
        """Start the writes this context holds and wait for every write: a delete made
        after this cannot be overtaken by a write of what it drops."""
        held = _held.get()
        if held is not None and held.open:
            launches, held.launches = held.launches, []
            for launch in launches:
                launch()
        await self.drain()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._counter is not None:
            self._counter.cache_write_done()
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.error("A background cache write failed", exc_info=error)


class _Held:
    def __init__(self) -> None:
        self.open = True
        self.launches: list[Callable[[], None]] = []


_held: ContextVar[_Held | None] = ContextVar("cache_writes_held", default=None)


@contextmanager
def writes_held() -> Iterator[None]:
    """Writes started within (in this context, and in tasks it starts) are started when
    it ends, however it ends."""
    held = _Held()
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        held.open = False
        for launch in held.launches:
            launch()
