"""Nearest-rank percentiles: always an observed latency, never one in between."""

from __future__ import annotations

import pytest

from bench.stats import percentile, summarize


def test_a_percentile_is_the_smallest_sample_that_enough_samples_do_not_exceed() -> None:
    samples = [float(n) for n in range(1, 101)]  # 1..100, shuffled below
    shuffled = samples[50:] + samples[:50]
    assert percentile(shuffled, 50) == 50.0
    assert percentile(shuffled, 95) == 95.0
    assert percentile(shuffled, 99) == 99.0
    assert percentile(shuffled, 100) == 100.0


def test_with_few_samples_the_high_percentiles_are_the_slowest_ones() -> None:
    samples = [10.0, 30.0, 20.0, 40.0, 1000.0]
    assert percentile(samples, 50) == 30.0  # rank ceil(2.5) = 3
    assert percentile(samples, 95) == 1000.0
    assert percentile(samples, 99) == 1000.0


def test_twenty_samples_put_p95_at_the_nineteenth() -> None:
    samples = [float(n) for n in range(1, 21)]
    assert percentile(samples, 95) == 19.0
    assert percentile(samples, 99) == 20.0


def test_one_sample_is_every_percentile() -> None:
    assert percentile([7.5], 50) == percentile([7.5], 99) == 7.5


@pytest.mark.parametrize("p", [0, -1, 100.5])
def test_percentiles_outside_0_to_100_are_refused(p: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        percentile([1.0], p)


def test_no_samples_have_no_percentile() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_summary() -> None:
    summary = summarize([4.0, 1.0, 3.0, 2.0])
    assert summary.samples == 4
    assert (summary.p50_ms, summary.p95_ms, summary.p99_ms) == (2.0, 4.0, 4.0)
    assert summary.mean_ms == 2.5
    assert summary.max_ms == 4.0
