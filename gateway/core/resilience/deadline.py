"""The request's deadline for backend waiting, carried in a contextvar.

A GraphQL request sets it once (`gateway.app`); every guarded backend call reads it
and never waits past it, however many calls a request chains or fans out. A
contextvar, not an argument, so that loaders, services and adapters keep their
signatures: tasks created during the request (DataLoader batches, `gather`) inherit it.
Outside a request (the worker, the change feed) there is no deadline, and each call is
bounded by its system's timeout alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The monotonic instant after which the request waits for no backend; None: no deadline.
_deadline: ContextVar[float | None] = ContextVar("coop_request_deadline", default=None)


@contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """Backend calls inside the block give up `seconds` from now at the latest.

    A deadline already running that ends sooner is kept: a block can shorten the
    time left, never lengthen it.
    """
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds!r}")
    ends = time.monotonic() + seconds
    current = _deadline.get()
    token = _deadline.set(ends if current is None else min(current, ends))
    try:
        yield
    finally:
        _deadline.reset(token)


def time_left() -> float | None:
    """Seconds until the current deadline (0 when past it), or None without one."""
    ends = _deadline.get()
    if ends is None:
        return None
    return max(0.0, ends - time.monotonic())
