"""A circuit breaker: stop calling a failing dependency, probe it now and then.

Closed: calls go through. The first failure opens it: calls are refused (the caller
falls back at once instead of waiting for a timeout) until `retry_interval_s` has
passed; then exactly one call is let through as a probe. The probe's success closes
the breaker, its failure opens it for another interval. A single failure is enough to
open it because for a cache every failed call costs a request up to a socket timeout,
while skipping the cache only costs a backend read.

Only the probe can close an open breaker: a call that started before the outage and
happens to succeed late says nothing about the dependency now, and letting it close
the breaker would make a flapping dependency look like many short outages.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"


class Permit(enum.Enum):
    """Why a call was allowed: the breaker was closed, or it is the one probe."""

    CALL = "call"
    PROBE = "probe"


class CircuitBreaker:
    def __init__(
        self, *, retry_interval_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not retry_interval_s > 0:
            raise ValueError(f"retry_interval_s must be positive, got {retry_interval_s!r}")
        self._retry_interval_s = retry_interval_s
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> BreakerState:
        return self._state

    @property
    def retry_interval_s(self) -> float:
        return self._retry_interval_s

    def allow(self) -> Permit | None:
        """A permit to call the dependency now, or None to fall back without calling."""
        if self._state is BreakerState.CLOSED:
            return Permit.CALL
        if self._probing or self._clock() < self._opened_at + self._retry_interval_s:
            return None
        self._probing = True
        return Permit.PROBE

    def record_success(self, permit: Permit) -> bool:
        """Note a call that worked; True when this ends an outage."""
        if permit is not Permit.PROBE:
            return False
        self._probing = False
        self._state = BreakerState.CLOSED
        return True

    def record_failure(self, permit: Permit) -> bool:
        """Note a call that failed; True when this starts an outage."""
        if permit is Permit.PROBE:
            self._probing = False
            self._opened_at = self._clock()
            return False
        if self._state is BreakerState.OPEN:
            return False
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
        return True

    def abandon(self, permit: Permit) -> None:
        """A call ended without telling whether the dependency works (it was cancelled)."""
        if permit is Permit.PROBE:
            self._probing = False
