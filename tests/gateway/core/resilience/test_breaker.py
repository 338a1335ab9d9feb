"""The breaker opens after consecutive failures, refuses, probes once, and closes."""

from __future__ import annotations

import logging

import pytest

from gateway.core.resilience.breaker import BackendBreaker, BreakerState, Permit

COOL_DOWN_S = 5.0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Changes:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def breaker_changed(self, system: str, state: str) -> None:
        self.seen.append((system, state))


def breaker(clock: Clock, changes: Changes | None = None) -> BackendBreaker:
    return BackendBreaker(
        "cis", failure_threshold=3, cool_down_s=COOL_DOWN_S, listener=changes, clock=clock
    )


def fail(b: BackendBreaker, times: int) -> None:
    for _ in range(times):
        permit = b.allow()
        assert permit is not None
        b.record_failure(permit, "timed out")


def test_it_opens_only_after_the_threshold_of_failures_in_a_row() -> None:
    b = breaker(Clock())
    fail(b, 2)
    permit = b.allow()
    assert permit is Permit.CALL
    b.record_success(permit)  # a success in between starts the count again
    fail(b, 2)
    assert b.state is BreakerState.CLOSED
    fail(b, 1)
    assert b.state is BreakerState.OPEN
    assert b.allow() is None


def test_after_the_cool_down_one_probe_goes_through_and_its_success_closes_it() -> None:
    clock, changes = Clock(), Changes()
    b = breaker(clock, changes)
    fail(b, 3)
    clock.now += COOL_DOWN_S
    probe = b.allow()
    assert probe is Permit.PROBE
    assert b.allow() is None  # only one probe at a time
    b.record_success(probe)
    assert b.state is BreakerState.CLOSED
    assert b.allow() is Permit.CALL
    assert changes.seen == [("cis", "open"), ("cis", "half_open"), ("cis", "closed")]


def test_a_failed_probe_opens_it_for_another_cool_down() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += COOL_DOWN_S
    probe = b.allow()
    assert probe is Permit.PROBE
    b.record_failure(probe, "timed out")
    assert b.state is BreakerState.OPEN
    clock.now += COOL_DOWN_S - 0.1
    assert b.allow() is None
    clock.now += 0.1
    assert b.allow() is Permit.PROBE


def test_a_late_success_of_a_call_from_before_the_outage_does_not_close_it() -> None:
    b = breaker(Clock())
    early = b.allow()
    assert early is not None
    fail(b, 3)
    b.record_success(early)
    assert b.state is BreakerState.OPEN


def test_an_abandoned_probe_lets_the_next_call_probe() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += COOL_DOWN_S
    probe = b.allow()
    assert probe is Permit.PROBE
    b.abandon(probe)
    assert b.allow() is Permit.PROBE


def test_each_state_change_is_logged_once_with_the_refused_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="gateway.core.resilience")
    clock = Clock()
    b = breaker(clock)
    in_flight = [b.allow() for _ in range(10)]  # ten calls hang at once
    for permit in in_flight:
        assert permit is not None
        b.record_failure(permit, "timed out")  # seven of them once open: no more lines
    for _ in range(50):
        assert b.allow() is None
    clock.now += COOL_DOWN_S
    probe = b.allow()
    assert probe is not None
    b.record_success(probe)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines
    assert lines[0].startswith("cis breaker open: 3 failures in a row")
    assert lines[2].startswith("cis breaker closed: probe answered; 50 calls refused")


def test_it_rejects_a_threshold_below_one() -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        BackendBreaker("cis", failure_threshold=0, cool_down_s=1.0)
