"""How long a call's requests have been with the remote system, as opposed to queued here.

An adapter that keeps its own queue in front of a system (the MultiSpeak client lets a
fixed number of calls be under way at once, the others wait their turn) cannot tell its
caller, when a timeout cuts the call short, whether the time went on the system or on
the queue: the cancellation reaches it wherever it is. A caller that decides from the
timeout whether the system is failing (a circuit breaker) would then blame the system
for this process's own backlog, and shut its members off a system that answers in time.

So the caller opens a `CallTrace` around the call (`traced`), and the adapter says when
the call joins its queue (`queued_here`) and marks the stretch during which a request is
actually with the system (`with_system`).
The trace is found through a context variable, so that tasks the call spawns share it.
An adapter that marks nothing leaves the trace untracked, and the caller judges the
timeout as it always has.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import count
from typing import Final

_current: Final[ContextVar[CallTrace | None]] = ContextVar("call_trace", default=None)


class CallTrace:
    """How long the requests of one call have waited on the remote system unanswered."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tickets = count()
        self._sent_at: dict[int, float] = {}  # per request still with the system
        self._longest_cut_short_s = 0.0  # of requests that ended without an answer
        self.tracked = False  # whether any adapter marked a request at all

    @contextmanager
    def with_system(self) -> Iterator[None]:
        """Marks the request sent inside the block as being with the system."""
        ticket = next(self._tickets)
        self.tracked = True
        sent_at = self._sent_at[ticket] = self._clock()
        try:
            yield
        except BaseException:
            # Cut short (the caller's timeout cancels it on its way out): the wait
            # still counts when the caller asks, after the cancellation unwound it.
            waited = self._clock() - sent_at
            self._longest_cut_short_s = max(self._longest_cut_short_s, waited)
            raise
        finally:
            del self._sent_at[ticket]

    def unanswered_s(self) -> float:
        """The longest a request of the call waited on the system without an answer:
        one still waiting, or one cut short. 0 when every request sent was answered,
        however long the call took (queued here, or working on the answers)."""
        now = self._clock()
        waiting = max((now - sent_at for sent_at in self._sent_at.values()), default=0.0)
        return max(waiting, self._longest_cut_short_s)


@contextmanager
def traced(trace: CallTrace) -> Iterator[CallTrace]:
    """Makes `trace` the one adapters mark, for the call made inside the block."""
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


def queued_here() -> None:
    """Tells the current trace, if there is one, that the call now waits in this
    process's queue: until a request is marked `with_system`, its time is the queue's."""
    trace = _current.get()
    if trace is not None:
        trace.tracked = True


@contextmanager
def with_system() -> Iterator[None]:
    """Marks a request as being with the system in the current trace, if there is one."""
    trace = _current.get()
    if trace is None:
        yield
        return
    with trace.with_system():
        yield
