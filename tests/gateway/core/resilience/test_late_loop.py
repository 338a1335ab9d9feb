"""A timeout that ended well past its limit is put down to the event loop."""

from __future__ import annotations

from gateway.core.resilience.late_loop import held_up_by_loop


def test_a_timeout_at_its_limit_is_the_dependencys() -> None:
    assert not held_up_by_loop(waited_s=0.5, timeout_s=0.5)
    assert not held_up_by_loop(waited_s=0.7, timeout_s=0.5)  # a busy loop, late by a little


def test_a_timeout_long_past_its_limit_is_the_loops() -> None:
    assert held_up_by_loop(waited_s=0.8, timeout_s=0.5)
    assert held_up_by_loop(waited_s=31.0, timeout_s=3.0)
