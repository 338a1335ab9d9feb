"""Latency summaries: percentiles by the nearest-rank method.

The p-th percentile is the smallest sample that at least p% of the samples do not
exceed, so it is always a latency that was observed (no interpolation between two
requests). With 20 samples the p95 is the 19th slowest and the p99 the slowest one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LatencySummary:
    samples: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float


def percentile(samples: Sequence[float], p: float) -> float:
    if not samples:
        raise ValueError("no samples")
    if not 0 < p <= 100:
        raise ValueError(f"a percentile is in (0, 100], got {p}")
    ordered = sorted(samples)
    rank = math.ceil(p * len(ordered) / 100)
    return ordered[rank - 1]


def summarize(samples_ms: Sequence[float]) -> LatencySummary:
    """The summary of latencies given in milliseconds."""
    return LatencySummary(
        samples=len(samples_ms),
        p50_ms=percentile(samples_ms, 50),
        p95_ms=percentile(samples_ms, 95),
        p99_ms=percentile(samples_ms, 99),
        mean_ms=sum(samples_ms) / len(samples_ms),
        max_ms=max(samples_ms),
    )
