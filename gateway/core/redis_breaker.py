"""The circuit breaker of a Redis client: opened by Redis's failures, not by our load.

The cache, the stored answers and the shared rate-limit buckets each skip Redis for a
while once it fails (`resilience.breaker`, opening on the first failure: a failed
Redis call costs a request up to a timeout, skipping Redis only a fallback). What counts
as Redis failing is decided here, once for all three: an error of Redis's own (refused
or reset connection, an error reply) at once, and timeouts on a punctual event loop
once `TIMEOUTS_TO_OPEN` come in a row (a Redis slowed for a moment by a busy machine
costs a few requests a timeout each, not every read of the process a backend call for
the whole retry interval; a hung one costs each process that many timeouts). Two kinds
of failure are this process's own, and the breaker is not told of them, so that an
overloaded process keeps using its cache instead of sending every read to the
backends: a timeout that ended well past its limit (the loop ran late,
`resilience.late_loop`), and a full connection pool (more calls at once than it holds).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from redis.exceptions import MaxConnectionsError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.core.resilience.breaker import BreakerState, CircuitBreaker, Permit
from gateway.core.resilience.late_loop import held_up_by_loop

TIMEOUTS_TO_OPEN: Final = 3


@dataclass(frozen=True, slots=True)
class RedisCall:
    """A call the breaker let through, and when it started."""

    permit: Permit
    started: float


class RedisBreaker:
    def __init__(
        self,
        *,
        timeout_s: float,
        retry_interval_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`timeout_s`: the limit of one call, the measure of a late one."""
        self._timeout_s = timeout_s
        self._clock = clock
        self._breaker = CircuitBreaker(retry_interval_s=retry_interval_s, clock=clock)
        self._timeouts = 0  # punctual ones, in a row

    @property
    def state(self) -> BreakerState:
        return self._breaker.state

    @property
    def timeout_s(self) -> float:
        return self._timeout_s

    @property
    def retry_interval_s(self) -> float:
        return self._breaker.retry_interval_s

    def allow(self) -> RedisCall | None:
        """A call to make now, or None to skip Redis."""
        permit = self._breaker.allow()
        return None if permit is None else RedisCall(permit, self._clock())

    def succeeded(self, call: RedisCall) -> bool:
        """True when this ends an outage."""
        self._timeouts = 0
        return self._breaker.record_success(call.permit)

    def failed(self, call: RedisCall, error: BaseException) -> bool:
        """True when this starts an outage; a failure of this process's own is not counted."""
        if self._our_own(call, error):
            self._breaker.abandon(call.permit)
            return False
        if is_timeout(error) and call.permit is Permit.CALL:
            self._timeouts += 1
            if self._timeouts < TIMEOUTS_TO_OPEN:
                self._breaker.abandon(call.permit)
                return False
        self._timeouts = 0
        return self._breaker.record_failure(call.permit)

    def _our_own(self, call: RedisCall, error: BaseException) -> bool:
        if isinstance(error, MaxConnectionsError):
            return True
        waited_s = self._clock() - call.started
        return is_timeout(error) and held_up_by_loop(waited_s=waited_s, timeout_s=self._timeout_s)

    def abandon(self, call: RedisCall) -> None:
        """The call ended without telling whether Redis works (cancelled)."""
        self._breaker.abandon(call.permit)


def is_timeout(error: BaseException) -> bool:
    """A timeout, ours (`asyncio.timeout`) or the Redis client's socket timeout."""
    cause = error.__cause__
    return isinstance(error, TimeoutError | RedisTimeoutError) or (
        cause is not None and isinstance(cause, TimeoutError | RedisTimeoutError)
    )
