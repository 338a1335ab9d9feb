"""HTTP requests that a caller giving up abandons instead of cancelling.

httpcore (under httpx) leaks a slot of its connection pool for good when a request is
cancelled after the pool gave it a new connection and before that connection was
established (encode/httpcore#1093, open against 1.0.9): the half-made connection is
never reaped, never reused, and once `max_connections` of them pile up every request
waits for a slot that never frees, against a healthy server. Callers here cancel
requests all the time (a breaker's timeout, a request's deadline), and under load the
pool wedged within seconds: the outage storm's gateway stopped reaching a CIS that was
answering in 40 ms.

So the request runs in a task of its own, which the caller's cancellation does not
reach: the caller stops waiting at once, as before, while the request ends by itself,
bounded by httpx's own timeouts, which end it without that leak. `on_done` runs when it
has, whichever came first (the MultiSpeak client gives its turn back there, so that no
more requests are under way than the transport has connections).

The MultiSpeak client's own transport (`adapters.http_lanes`) also survives a
cancelled request, by replacing the connection; abandoning is still worth it there,
as the connection is kept for the next call instead of a new one made (under load, a
connect for every call that timed out), and it covers transports a caller passes in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)

# Requests whose caller left: asyncio keeps only weak references to tasks.
_abandoned: set[asyncio.Task[Any]] = set()


async def finish_uncancelled(
    request: Coroutine[Any, Any, T], *, on_done: Callable[[], None] = lambda: None
) -> T:
    """`request`'s result; if the caller is cancelled, the request carries on alone."""
    task = asyncio.get_running_loop().create_task(request)
    task.add_done_callback(lambda _: on_done())
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        if not task.done():
            _abandoned.add(task)
            task.add_done_callback(_forget)
        raise


def _forget(task: asyncio.Task[Any]) -> None:
    _abandoned.discard(task)
    if not task.cancelled() and task.exception() is not None:
        # Nobody waits for it any more: an error here is expected (the server that was
        # too slow for the caller timed out for httpx too), and only worth a debug line.
        logger.debug("an abandoned request ended in %r", task.exception())
