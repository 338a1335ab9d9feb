"""A circuit breaker per backend: stop waiting for a system that keeps failing.

Closed: calls go through; `failure_threshold` failures in a row (timeouts, refused
connections, server errors, never "not found") open it. Open: calls are refused at
once, so a hung system costs its fields nothing but an error, until `cool_down_s`
has passed. Half-open: exactly one call goes through as a probe while the others are
still refused; its success closes the breaker, its failure opens it for another
cool-down. The design follows the cache's breaker (`gateway.core.cache.breaker`), with
a threshold: a backend is worth a few failures before giving up on it, a cache is not.

Only the probe closes an open breaker: a call that started before the outage and
answers late says nothing about the system now. Each state change is logged once,
with how many calls failed or were refused meanwhile, instead of one line per field.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger("gateway.core.resilience")


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Permit(enum.Enum):
    """Why a call was let through: the breaker was closed, or it is the one probe."""

    CALL = "call"
    PROBE = "probe"


class StateListener(Protocol):
    def breaker_changed(self, system: str, state: str) -> None: ...


class BackendBreaker:
    def __init__(
        self,
        system: str,
        *,
        failure_threshold: int,
        cool_down_s: float,
        listener: StateListener | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold!r}")
        if not cool_down_s > 0:
            raise ValueError(f"cool_down_s must be positive, got {cool_down_s!r}")
        self.system = system
        self._threshold = failure_threshold
        self._cool_down_s = cool_down_s
        self._listener = listener
        self._clock = clock
        self._state = State.CLOSED
        self._failures = 0  # in a row, while closed
        self._opened_at = 0.0
        self._probing = False
        self._refused = 0  # calls refused since the breaker last opened

    @property
    def state(self) -> State:
        """OPEN until a probe is let through, even when the cool-down is over."""
        return self._state

    def is_refusing(self) -> bool:
        """True when a call now would be refused (open and cooling down, or probing)."""
        if self._state is State.CLOSED:
            return False
        return self._probing or self._clock() < self._opened_at + self._cool_down_s

    def allow(self) -> Permit | None:
        """A permit to call the system now, or None to fail without calling."""
        if self._state is State.CLOSED:
            return Permit.CALL
        if self.is_refusing():
            self._refused += 1
            return None
        self._probing = True
        self._change(State.HALF_OPEN, "probing with one call")
        return Permit.PROBE

    def record_success(self, permit: Permit) -> None:
        if permit is Permit.PROBE:
            self._probing = False
            self._failures = 0
            refused, self._refused = self._refused, 0
            elapsed = self._clock() - self._opened_at
            self._change(
                State.CLOSED, f"probe answered; {refused} calls refused in {elapsed:.1f} s"
            )
        elif self._state is State.CLOSED:
            self._failures = 0

    def record_failure(self, permit: Permit, reason: str) -> None:
        if permit is Permit.PROBE:
            self._probing = False
            self._opened_at = self._clock()
            self._change(
                State.OPEN, f"probe failed ({reason}); next probe in {self._cool_down_s:g} s"
            )
            return
        if self._state is not State.CLOSED:
            return  # a call from before the outage: the breaker already knows
        self._failures += 1
        if self._failures >= self._threshold:
            self._opened_at = self._clock()
            self._refused = 0
            self._change(
                State.OPEN,
                f"{self._failures} failures in a row, last: {reason}; "
                f"failing fast for {self._cool_down_s:g} s",
            )

    def abandon(self, permit: Permit) -> None:
        """A call ended without telling whether the system works (cancelled, cut short)."""
        if permit is Permit.PROBE:
            self._probing = False
            # Back to open, cool-down already over: the next call probes again.
            self._state = State.OPEN

    def _change(self, state: State, detail: str) -> None:
        previous, self._state = self._state, state
        if previous is state:
            return
        level = logging.INFO if state is State.HALF_OPEN else logging.WARNING
        logger.log(level, "%s breaker %s: %s", self.system, state.value, detail)
        if self._listener is not None:
            self._listener.breaker_changed(self.system, state.value)
