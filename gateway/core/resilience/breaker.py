"""Circuit breakers: stop calling a dependency that keeps failing, probe it now and then.

`CircuitBreaker` is the one state machine, for the shared cache and for the backends.
Closed: calls go through; `failure_threshold` failures in a row open it. Open: calls
are refused at once (the caller falls back instead of waiting for a timeout) until
`retry_interval_s` has passed. Half-open: exactly one call goes through as a probe while
the others are still refused; its success closes the breaker, its failure opens it for
another interval. The cache opens on its first failure (each failed cache call costs a
request up to a socket timeout, while skipping the cache only costs a backend read); a
backend is worth a few failures before giving up on it.

Only the probe closes an open breaker: a call that started before the outage and
answers late says nothing about the dependency now, and letting it close the breaker
would make a flapping dependency look like many short outages.

`BackendBreaker` is that machine for one backend system, logging each state change
once, with how many calls failed or were refused meanwhile, instead of one line per
field, and telling a listener (the metrics).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger("gateway.core.resilience")


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Permit(enum.Enum):
    """Why a call was let through: the breaker was closed, or it is the one probe."""

    CALL = "call"
    PROBE = "probe"


class CircuitBreaker:
    def __init__(
        self,
        *,
        retry_interval_s: float,
        failure_threshold: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold!r}")
        if not retry_interval_s > 0:
            raise ValueError(f"retry_interval_s must be positive, got {retry_interval_s!r}")
        self._threshold = failure_threshold
        self._retry_interval_s = retry_interval_s
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0  # in a row, while closed
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> BreakerState:
        """OPEN until a probe is let through, even when the interval is over."""
        return self._state

    @property
    def retry_interval_s(self) -> float:
        return self._retry_interval_s

    @property
    def failure_threshold(self) -> int:
        return self._threshold

    def is_refusing(self) -> bool:
        """True when a call now would be refused (open and waiting, or probing)."""
        if self._state is BreakerState.CLOSED:
            return False
        return self._probing or self._clock() < self._opened_at + self._retry_interval_s

    def allow(self) -> Permit | None:
        """A permit to call the dependency now, or None to fall back without calling."""
        if self._state is BreakerState.CLOSED:
            return Permit.CALL
        if self.is_refusing():
            return None
        self._probing = True
        self._state = BreakerState.HALF_OPEN
        return Permit.PROBE

    def record_success(self, permit: Permit) -> bool:
        """Note a call that worked; True when this ends an outage."""
        if permit is Permit.PROBE:
            self._probing = False
            self._failures = 0
            self._state = BreakerState.CLOSED
            return True
        if self._state is BreakerState.CLOSED:
            self._failures = 0
        return False

    def record_failure(self, permit: Permit) -> bool:
        """Note a call that failed; True when this starts an outage."""
        if permit is Permit.PROBE:
            self._probing = False
            self._open()
            return False  # the same outage, not a new one
        if self._state is not BreakerState.CLOSED:
            return False  # a call from before the outage: the breaker already knows
        self._failures += 1
        if self._failures < self._threshold:
            return False
        self._open()
        return True

    def abandon(self, permit: Permit) -> None:
        """A call ended without telling whether the dependency works (cancelled, cut short)."""
        if permit is Permit.PROBE:
            self._probing = False
            # Back to open, interval already over: the next call probes again.
            self._state = BreakerState.OPEN

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
        self._failures = 0


class StateListener(Protocol):
    def breaker_changed(self, system: str, state: str) -> None: ...


class BackendBreaker:
    """The circuit breaker of one backend system, which says when its state changes."""

    def __init__(
        self,
        system: str,
        *,
        failure_threshold: int,
        cool_down_s: float,
        listener: StateListener | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.system = system
        self._breaker = CircuitBreaker(
            retry_interval_s=cool_down_s, failure_threshold=failure_threshold, clock=clock
        )
        self._listener = listener
        self._clock = clock
        self._opened_at = 0.0
        self._refused = 0  # calls refused since the breaker last opened

    @property
    def state(self) -> BreakerState:
        return self._breaker.state

    def is_refusing(self) -> bool:
        return self._breaker.is_refusing()

    def allow(self) -> Permit | None:
        permit = self._breaker.allow()
        if permit is None:
            self._refused += 1
        elif permit is Permit.PROBE:
            self._changed(BreakerState.HALF_OPEN, "probing with one call")
        return permit

    def record_success(self, permit: Permit) -> None:
        if self._breaker.record_success(permit):
            refused, self._refused = self._refused, 0
            elapsed = self._clock() - self._opened_at
            self._changed(
                BreakerState.CLOSED, f"probe answered; {refused} calls refused in {elapsed:.1f} s"
            )

    def record_failure(self, permit: Permit, reason: str) -> None:
        cool_down_s = self._breaker.retry_interval_s
        if self._breaker.record_failure(permit):
            self._opened_at = self._clock()
            self._refused = 0
            self._changed(
                BreakerState.OPEN,
                f"{self._breaker.failure_threshold} failures in a row, last: {reason}; "
                f"failing fast for {cool_down_s:g} s",
            )
        elif permit is Permit.PROBE:
            self._changed(
                BreakerState.OPEN, f"probe failed ({reason}); next probe in {cool_down_s:g} s"
            )

    def abandon(self, permit: Permit) -> None:
        self._breaker.abandon(permit)

    def _changed(self, state: BreakerState, detail: str) -> None:
        level = logging.INFO if state is BreakerState.HALF_OPEN else logging.WARNING
        logger.log(level, "%s breaker %s: %s", self.system, state.value, detail)
        if self._listener is not None:
            self._listener.breaker_changed(self.system, state.value)
