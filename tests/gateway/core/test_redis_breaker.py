"""The Redis breaker opens for Redis's failures, never for this process's lateness."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.core.redis_breaker import TIMEOUTS_TO_OPEN, RedisBreaker, RedisCall, is_timeout
from gateway.core.resilience.breaker import BreakerState
from tests.gateway.core.cache.doubles import FakeClock

TIMEOUT_S = 0.5
RETRY_S = 5.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(clock: FakeClock) -> RedisBreaker:
    return RedisBreaker(timeout_s=TIMEOUT_S, retry_interval_s=RETRY_S, clock=clock)


def let_through(breaker: RedisBreaker) -> RedisCall:
    call = breaker.allow()
    assert call is not None
    return call


@pytest.mark.parametrize("error", [TimeoutError(), RedisTimeoutError("Timeout reading")])
def test_timeouts_on_a_punctual_loop_open_it_when_they_come_in_a_row(
    breaker: RedisBreaker, clock: FakeClock, error: Exception
) -> None:
    for _ in range(TIMEOUTS_TO_OPEN - 1):
        call = let_through(breaker)
        clock.advance(TIMEOUT_S)
        assert not breaker.failed(call, error)
    assert breaker.state is BreakerState.CLOSED
    call = let_through(breaker)
    clock.advance(TIMEOUT_S)
    assert breaker.failed(call, error)
    assert breaker.state is BreakerState.OPEN
    assert breaker.allow() is None


def test_an_answer_between_timeouts_starts_the_count_again(
    breaker: RedisBreaker, clock: FakeClock
) -> None:
    for _ in range(3):
        for _ in range(TIMEOUTS_TO_OPEN - 1):
            assert not breaker.failed(let_through(breaker), TimeoutError())
        breaker.succeeded(let_through(breaker))
    assert breaker.state is BreakerState.CLOSED


def test_a_probe_that_times_out_opens_it_again_at_once(
    breaker: RedisBreaker, clock: FakeClock
) -> None:
    breaker.failed(let_through(breaker), RedisConnectionError("Connection refused"))
    clock.advance(RETRY_S)
    breaker.failed(let_through(breaker), TimeoutError())
    assert breaker.allow() is None


@pytest.mark.parametrize("error", [TimeoutError(), RedisTimeoutError("Timeout reading")])
def test_a_timeout_long_past_its_limit_leaves_it_closed(
    breaker: RedisBreaker, clock: FakeClock, error: Exception
) -> None:
    for _ in range(3):
        call = let_through(breaker)
        clock.advance(10 * TIMEOUT_S)  # the loop got round to the answer this late
        assert not breaker.failed(call, error)
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow() is not None


def test_an_error_of_redis_own_opens_it_however_long_it_took(
    breaker: RedisBreaker, clock: FakeClock
) -> None:
    call = let_through(breaker)
    clock.advance(10 * TIMEOUT_S)
    assert breaker.failed(call, RedisConnectionError("Connection refused"))
    assert breaker.state is BreakerState.OPEN


def test_a_full_connection_pool_is_this_process_own_doing(breaker: RedisBreaker) -> None:
    assert not breaker.failed(let_through(breaker), MaxConnectionsError("Too many connections"))
    assert breaker.state is BreakerState.CLOSED


def test_a_late_probe_neither_closes_nor_reopens_it(
    breaker: RedisBreaker, clock: FakeClock
) -> None:
    breaker.failed(let_through(breaker), RedisConnectionError("Connection reset"))
    clock.advance(RETRY_S)
    probe = let_through(breaker)
    assert breaker.allow() is None  # one probe at a time
    clock.advance(10 * TIMEOUT_S)
    assert not breaker.failed(probe, TimeoutError())
    # The late probe told nothing: the next call probes again at once, and closes it.
    assert breaker.succeeded(let_through(breaker))
    assert breaker.state is BreakerState.CLOSED


def test_timeouts_are_told_apart_wrapped_or_not() -> None:
    wrapped = RuntimeError("shared buckets failed")
    wrapped.__cause__ = RedisTimeoutError("Timeout reading")
    assert is_timeout(wrapped)
    assert is_timeout(TimeoutError())
    assert not is_timeout(RedisConnectionError("Connection refused"))
