"""The call trace: which of a call's requests are with the remote system, and since when."""

from __future__ import annotations

import asyncio

import pytest

from adapters.call_trace import CallTrace, queued_here, traced, with_system


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_a_trace_no_adapter_marked_is_untracked_and_holds_nothing() -> None:
    trace = CallTrace(clock=FakeClock())
    assert not trace.tracked
    assert trace.unanswered_s() == 0.0


def test_the_oldest_request_still_with_the_system_is_measured() -> None:
    clock = FakeClock()
    trace = CallTrace(clock=clock)
    with trace.with_system():
        clock.advance(2.0)
        with trace.with_system():
            clock.advance(0.5)
            assert trace.unanswered_s() == 2.5  # the first, not the newest
        assert trace.unanswered_s() == 2.5
    clock.advance(1.0)
    # Answered: the time after it (working on the answer, queued again) is not the system's.
    assert trace.tracked
    assert trace.unanswered_s() == 0.0


async def test_a_request_cut_short_still_counts_once_the_cancellation_unwound_it() -> None:
    clock = FakeClock()
    trace = CallTrace(clock=clock)

    async def hung() -> None:
        with trace.with_system():
            clock.advance(0.75)
            await asyncio.sleep(3600)

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.001):
            await hung()
    clock.advance(5.0)  # the caller judging it later does not stretch it
    assert trace.unanswered_s() == 0.75


async def test_marks_reach_the_current_trace_from_the_tasks_a_call_spawns() -> None:
    clock = FakeClock()
    inside = asyncio.Event()
    release = asyncio.Event()

    async def request() -> None:
        with with_system():
            inside.set()
            await release.wait()

    with traced(CallTrace(clock=clock)) as trace:
        spawned = asyncio.gather(request())  # a task of its own, with a copied context
        await inside.wait()
        clock.advance(1.5)
        assert trace.unanswered_s() == 1.5
        release.set()
        await spawned
    assert trace.tracked


async def test_marking_outside_any_trace_does_nothing() -> None:
    with with_system():
        await asyncio.sleep(0)
    with traced(CallTrace(clock=FakeClock())) as trace:
        pass
    with with_system():
        pass
    assert not trace.tracked  # the trace ended before the second mark


def test_a_call_queued_here_is_tracked_before_any_request_is_sent() -> None:
    with traced(CallTrace(clock=FakeClock())) as trace:
        queued_here()
    assert trace.tracked
    assert trace.unanswered_s() == 0.0
