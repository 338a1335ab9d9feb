"""One backend call under its system's timeout, its breaker, the request's deadline.

Every adapter call goes through a `BackendGuard` (wired once, in
`gateway.core.instrumented`). The call waits at most the system's timeout, and never
past the request's deadline (`deadline.time_left`); an open breaker refuses it at
once. Whatever stops a call, the caller gets the system's own "unavailable" error
(`CisUnavailable`, ...), so a field that needed the system fails as it always has.

A read is retried once, after a short random pause, when it failed for want of an
answer (timeout, refused connection), there is time left, and the breaker still lets
calls through: a blip costs one extra call, a hung system no more than the breaker's
threshold. Writes (an outage report, a contact change) are never retried here: a
timed-out write may have been carried out, and only the outbox, with its idempotency
keys, may send one again. Faults and "not found" are answers, never retried.

A timeout is put down to the system only when the system had the call for most of it.
One that ended well past the system's timeout, or after which the event loop is slow to
come back to the caller, was this process's event loop running late (`late_loop`); one
whose requests spent most of it queued in this process (an adapter's limit on calls
under way, `adapters.call_trace`) was this process's backlog.
Either way the call still fails, but the breaker is not told, and a read is not retried
into the same backlog: an overloaded gateway must not also cut its members off a
backend that answers in time.

A write the guard itself cut short (its timeout, the request's deadline) was sent and
may have been carried out: a caller for whom "unavailable" would wrongly mean "nothing
happened" (a payment) passes `lost_answer`, and that error is raised instead. An error
the adapter raised is passed on as it is, with its type: `PaymentOutcomeUnknown` keeps
meaning "look it up", never "unavailable".
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from adapters.call_trace import CallTrace, traced
from adapters.errors import AdapterError, BackendUnavailable
from gateway.core.resilience.breaker import BackendBreaker, Permit
from gateway.core.resilience.deadline import time_left
from gateway.core.resilience.late_loop import held_up_by_loop, loop_delay_s

T = TypeVar("T")

# A retry needs at least this much of the request's time left to be worth sending.
MIN_RETRY_BUDGET_S = 0.05
# A timed-out call counts against its system only when one of its requests had been
# with the system for at least this share of the timeout: a backend that answers in
# 40 ms and took a request queued here for 2.9 s of a 3 s timeout is not failing.
SYSTEM_SHARE = 0.5


class FailureCounter(Protocol):
    def backend_failed(self, system: str, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class CallPolicy:
    """How long one call to a system may wait, and how reads are retried."""

    timeout_s: float
    retry_jitter_s: float = 0.1  # a retry waits a random 0..this first
    retries: int = 1  # for reads only


class BackendGuard:
    def __init__(
        self,
        *,
        system: str,
        unavailable: type[BackendUnavailable],
        policy: CallPolicy,
        breaker: BackendBreaker,
        failures: FailureCounter | None = None,
        jitter: Callable[[float], float] = lambda high: random.uniform(0.0, high),  # noqa: S311
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.system = system
        self.breaker = breaker
        self._unavailable = unavailable
        self._policy = policy
        self._failures = failures
        self._jitter = jitter
        self._clock = clock

    async def read(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        """An idempotent call: retried once on a missing answer, within the deadline."""
        attempts = 1 + self._policy.retries
        for attempt in range(1, attempts + 1):
            try:
                return await self._once(operation, call)
            except _NoAnswer as error:
                pause = self._jitter(self._policy.retry_jitter_s)
                left = time_left()
                out_of_time = left is not None and left < pause + MIN_RETRY_BUDGET_S
                if attempt == attempts or error.refused or error.backlog or out_of_time:
                    raise error.cause from None
                await asyncio.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def write(
        self,
        operation: str,
        call: Callable[[], Awaitable[T]],
        *,
        lost_answer: Callable[[str], BackendUnavailable] | None = None,
    ) -> T:
        """A call that changes the system: sent at most once. `lost_answer` makes the
        error for a call the guard cut short after sending it."""
        try:
            return await self._once(operation, call)
        except _NoAnswer as error:
            if error.cut_short and lost_answer is not None:
                raise lost_answer(str(error.cause)) from None
            raise error.cause from None

    async def _once(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        left = time_left()
        if left is not None and left <= 0:
            self._count("deadline")
            raise _NoAnswer(self._error(f"{operation}: the request's time is up"), refused=True)
        permit = self.breaker.allow()
        if permit is None:
            self._count("breaker_open")
            raise _NoAnswer(
                self._error(f"{operation}: not called, the system is failing"), refused=True
            )
        timeout = self._policy.timeout_s if left is None else min(self._policy.timeout_s, left)
        # Cut short by the request's deadline, not the system's timeout: that says
        # nothing about the system, so the breaker does not count it.
        cut_by_deadline = timeout < self._policy.timeout_s
        started = self._clock()
        trace = CallTrace(clock=self._clock)
        try:
            with traced(trace):
                async with asyncio.timeout(timeout):
                    result = await call()
        except TimeoutError:
            if cut_by_deadline:
                self.breaker.abandon(permit)
                self._count("deadline")
                raise _NoAnswer(
                    self._error(f"{operation}: no answer before the request's deadline"),
                    refused=False,
                    cut_short=True,
                ) from None
            waited_s = self._clock() - started
            backlog = trace.tracked and trace.unanswered_s() < timeout * SYSTEM_SHARE
            if backlog or await self._loop_to_blame(permit, waited_s=waited_s, limit_s=timeout):
                self.breaker.abandon(permit)
            else:
                self.breaker.record_failure(permit, f"{operation} timed out")
            self._count("backlog" if backlog else "timeout")
            raise _NoAnswer(
                self._error(f"{operation}: no answer within {timeout:g} s"),
                refused=False,
                cut_short=True,
                backlog=backlog,
            ) from None
        except BackendUnavailable as error:
            self.breaker.record_failure(permit, str(error))
            self._count("unavailable")
            raise _NoAnswer(error, refused=False) from None
        except AdapterError:
            # An answer: "not found" or a SOAP Fault. The system is up and quick; a
            # fault is about this one request, and must not open the breaker for all.
            self.breaker.record_success(permit)
            raise
        except BaseException:
            # Cancelled, or a bug of ours (a bad argument): nothing learnt about the system.
            self.breaker.abandon(permit)
            raise
        self.breaker.record_success(permit)
        return result

    async def _loop_to_blame(self, permit: Permit, *, waited_s: float, limit_s: float) -> bool:
        try:
            delay = await loop_delay_s(self._clock)
        except BaseException:
            self.breaker.abandon(permit)  # cancelled while asking: nothing learnt
            raise
        return held_up_by_loop(waited_s=waited_s, timeout_s=limit_s, loop_delay_s=delay)

    def _error(self, message: str) -> BackendUnavailable:
        return self._unavailable(message)

    def _count(self, reason: str) -> None:
        if self._failures is not None:
            self._failures.backend_failed(self.system, reason)


class _NoAnswer(Exception):
    """Inside the guard only: a call that got no answer, whether it was even sent,
    whether the guard cut it short while it was under way, and whether its time went on
    this process's own backlog rather than on the system."""

    def __init__(
        self,
        cause: BackendUnavailable,
        *,
        refused: bool,
        cut_short: bool = False,
        backlog: bool = False,
    ) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.refused = refused
        self.cut_short = cut_short
        self.backlog = backlog
