"""Backoff: the ceiling doubles up to the cap, and the delay is drawn below it."""

from __future__ import annotations

import random

import pytest

from gateway.core.outbox import RetryPolicy


def test_the_ceiling_doubles_from_the_base_up_to_the_cap() -> None:
    policy = RetryPolicy(base_s=2.0, cap_s=30.0, max_attempts=10)

    assert [policy.ceiling_s(attempt) for attempt in range(1, 8)] == [2, 4, 8, 16, 30, 30, 30]
    assert policy.ceiling_s(10_000) == 30.0  # no overflow however many attempts


def test_delays_are_full_jitter_below_the_ceiling() -> None:
    policy = RetryPolicy(base_s=2.0, cap_s=30.0, max_attempts=10)
    draws = random.Random(20260105)

    delays = [
        (attempt, policy.delay_s(attempt, random=draws.random))
        for attempt in range(1, 8)
        for _ in range(200)
    ]

    assert all(0 <= delay < policy.ceiling_s(attempt) for attempt, delay in delays)
    # Spread over the whole range, not bunched at the ceiling (plain exponential) or at
    # a fixed fraction of it (equal jitter).
    first = [delay for attempt, delay in delays if attempt == 1]
    assert min(first) < 0.2 < 1.8 < max(first)
    assert policy.delay_s(3, random=lambda: 0.0) == 0.0
    assert policy.delay_s(3, random=lambda: 0.5) == 4.0


def test_gives_up_after_the_last_allowed_attempt() -> None:
    policy = RetryPolicy(max_attempts=3)

    assert [policy.gives_up_after(attempt) for attempt in (1, 2, 3, 4)] == [
        False,
        False,
        True,
        True,
    ]


@pytest.mark.parametrize(
    "arguments",
    [{"base_s": 0.0}, {"base_s": 10.0, "cap_s": 5.0}, {"max_attempts": 0}],
)
def test_a_policy_that_cannot_work_is_refused(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**arguments)  # type: ignore[arg-type]
