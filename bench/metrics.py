"""The gateway's Prometheus metrics, read before and after a workload and subtracted.

Only counters and the counts and sums of histograms are meaningful as differences;
`_created` timestamps (single-process mode) are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from prometheus_client.parser import text_string_to_metric_families

REQUESTS: Final = "gateway_requests_total"
BACKEND_CALLS: Final = "gateway_backend_calls_total"
CACHE_HITS: Final = "gateway_cache_hits_total"
CACHE_MISSES: Final = "gateway_cache_misses_total"
CACHE_WRITES: Final = "gateway_cache_writes_total"  # by stage: queued, then done
# Calls the gateway makes on its own schedule, not for a request: the CIS change feed
# that keeps the cache fresh, and the readiness checks.
BACKGROUND_OPERATIONS: Final = frozenset(
    {"cis.changes_since", "cis.get_methods", "oms.get_methods", "meters.ping"}
)

Labels = tuple[tuple[str, str], ...]
SampleKey = tuple[str, Labels]


def parse_metrics(text: str) -> dict[SampleKey, float]:
    """Every sample of a Prometheus text exposition, keyed by name and sorted labels."""
    samples: dict[SampleKey, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            key = (sample.name, tuple(sorted(sample.labels.items())))
            samples[key] = float(sample.value)
    return samples


@dataclass(frozen=True, slots=True)
class MetricsDelta:
    """What the counters grew by between two readings."""

    values: Mapping[SampleKey, float]

    @classmethod
    def between(
        cls, before: Mapping[SampleKey, float], after: Mapping[SampleKey, float]
    ) -> MetricsDelta:
        # A series first seen in `after` started at zero.
        return cls({key: value - before.get(key, 0.0) for key, value in after.items()})

    def total(self, name: str, **labels: str) -> float:
        """The sum of `name` over the series whose labels include `labels`."""
        wanted = set(labels.items())
        return sum(
            value
            for (sample, series), value in self.values.items()
            if sample == name and wanted <= set(series)
        )

    def by_label(self, name: str, *label_names: str) -> dict[str, float]:
        """`name` summed per combination of `label_names`, joined with dots, zeros left out."""
        sums: dict[str, float] = defaultdict(float)
        for (sample, series), value in self.values.items():
            if sample != name or not value:
                continue
            labels = dict(series)
            sums[".".join(labels.get(label, "") for label in label_names)] += value
        return dict(sums)

    def backend_calls(self) -> dict[str, float]:
        """Calls made for requests that reached an adapter, by "system.operation"."""
        calls = self.by_label(BACKEND_CALLS, "system", "operation")
        return {name: n for name, n in calls.items() if name not in BACKGROUND_OPERATIONS}

    def background_calls(self) -> dict[str, float]:
        """Calls the gateway made on its own schedule, by "system.operation"."""
        calls = self.by_label(BACKEND_CALLS, "system", "operation")
        return {name: n for name, n in calls.items() if name in BACKGROUND_OPERATIONS}

    def requests(self, operation: str) -> float:
        return self.total(REQUESTS, operation=operation)

    def failed_requests(self, operation: str) -> float:
        """Requests answered with errors (partial data or none), by the gateway's count."""
        return self.requests(operation) - self.total(REQUESTS, operation=operation, outcome="ok")

    def cache_hit_ratio(self) -> float | None:
        """Hits over lookups, all kinds together; None when the cache was not asked."""
        hits, misses = self.total(CACHE_HITS), self.total(CACHE_MISSES)
        if hits + misses == 0:
            return None
        return hits / (hits + misses)


def pending_cache_writes(samples: Mapping[SampleKey, float]) -> float:
    """Cache writes the gateway has put off until after an answer and not yet made."""
    counted = MetricsDelta.between({}, samples)
    return counted.total(CACHE_WRITES, stage="queued") - counted.total(CACHE_WRITES, stage="done")
