"""The breaker stops calls after a failure, probes once per interval, closes on success."""

from __future__ import annotations

import pytest

from gateway.core.resilience.breaker import BreakerState, CircuitBreaker, Permit
from tests.gateway.core.cache.doubles import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(retry_interval_s=5, clock=clock)


def test_a_closed_breaker_lets_every_call_through(breaker: CircuitBreaker) -> None:
    assert [breaker.allow() for _ in range(3)] == [Permit.CALL] * 3
    assert breaker.record_success(Permit.CALL) is False
    assert breaker.state is BreakerState.CLOSED


def test_one_failure_opens_it_and_only_that_one_reports_the_outage(
    breaker: CircuitBreaker,
) -> None:
    assert breaker.record_failure(Permit.CALL) is True
    assert breaker.record_failure(Permit.CALL) is False  # a concurrent call failing too
    assert breaker.state is BreakerState.OPEN
    assert breaker.allow() is None


def test_after_the_interval_exactly_one_probe_goes_through(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    breaker.record_failure(Permit.CALL)
    clock.advance(4.9)
    assert breaker.allow() is None
    clock.advance(0.1)
    assert breaker.allow() is Permit.PROBE
    assert breaker.allow() is None  # others fall back while the probe is out


def test_a_successful_probe_closes_it_and_reports_the_recovery(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    breaker.record_failure(Permit.CALL)
    clock.advance(5)
    permit = breaker.allow()
    assert permit is Permit.PROBE
    assert breaker.record_success(permit) is True
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow() is Permit.CALL


def test_a_failed_probe_waits_another_full_interval(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    breaker.record_failure(Permit.CALL)
    clock.advance(5)
    assert breaker.record_failure(Permit.PROBE) is False  # the same outage, not a new one
    clock.advance(4.9)
    assert breaker.allow() is None
    clock.advance(0.1)
    assert breaker.allow() is Permit.PROBE


def test_a_late_success_of_a_call_from_before_the_outage_does_not_close_it(
    breaker: CircuitBreaker,
) -> None:
    breaker.record_failure(Permit.CALL)
    assert breaker.record_success(Permit.CALL) is False
    assert breaker.state is BreakerState.OPEN


def test_an_abandoned_probe_lets_the_next_call_probe(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    breaker.record_failure(Permit.CALL)
    clock.advance(5)
    assert breaker.allow() is Permit.PROBE
    breaker.abandon(Permit.PROBE)
    assert breaker.allow() is Permit.PROBE


@pytest.mark.parametrize("interval", [0, -1])
def test_an_interval_that_is_not_positive_is_refused(interval: float) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(retry_interval_s=interval)
