"""What the gateway counts and times, in Prometheus's text format at `GET /metrics`.

Requests by GraphQL operation and outcome, backend calls by system and port method,
backend calls without an answer and circuit breaker changes by system,
cache hits and misses by kind, cache writes made after the answer, change-feed polls
and the cache keys they dropped, requests refused by the rate limit by the bucket that
refused them.
Each app has its own registry, so two apps in one process (tests) count apart. With
several server processes, prometheus-client keeps each process's values in files under
`PROMETHEUS_MULTIPROC_DIR` (it reads that variable itself, when first imported), and
`render` serves the sum over all of them.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

# From a cached lookup (about a millisecond) to a request at its deadline (eight seconds).
REQUEST_BUCKETS_S: Final = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
BACKEND_BUCKETS_S: Final = REQUEST_BUCKETS_S
CONTENT_TYPE: Final = CONTENT_TYPE_LATEST

ANONYMOUS_OPERATION: Final = "anonymous"
OTHER_OPERATION: Final = "other"
# Operation names come from clients: past this many distinct names, new ones are counted
# as "other", so that a client cannot grow the number of time series without bound.
MAX_OPERATION_NAMES: Final = 200
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


class Outcome(StrEnum):
    OK = "ok"  # data and no errors
    PARTIAL = "partial"  # data with errors (a backend down costs only its fields)
    ERROR = "error"  # no data: rejected before execution, or failed as a whole


class GatewayMetrics:
    def __init__(self, *, multiprocess_dir: Path | None = None) -> None:
        """`multiprocess_dir`: where every server process writes its values, if several."""
        self._multiprocess_dir = multiprocess_dir
        self._operations: set[str] = set()
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gateway_requests",
            "GraphQL requests, by operation name and outcome.",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.request_duration = Histogram(
            "gateway_request_duration_seconds",
            "Time to answer a GraphQL request, by operation name.",
            ["operation"],
            buckets=REQUEST_BUCKETS_S,
            registry=self.registry,
        )
        self.backend_calls = Counter(
            "gateway_backend_calls",
            "Calls that reached an adapter, by system (cis, oms, meters) and port method.",
            ["system", "operation"],
            registry=self.registry,
        )
        self.backend_call_duration = Histogram(
            "gateway_backend_call_duration_seconds",
            "Time an adapter took to answer, by system and port method.",
            ["system", "operation"],
            buckets=BACKEND_BUCKETS_S,
            registry=self.registry,
        )
        self.backend_failures = Counter(
            "gateway_backend_failures",
            "Backend calls that got no answer, by system and reason: timeout, unavailable "
            "(refused or dropped), deadline (the request's time ran out), breaker_open "
            "(refused without calling), backlog (timed out mostly queued in this process).",
            ["system", "reason"],
            registry=self.registry,
        )
        self.breaker_changes = Counter(
            "gateway_backend_breaker_changes",
            "Circuit breaker state changes, by system and the state entered "
            "(open, half_open, closed).",
            ["system", "state"],
            registry=self.registry,
        )
        self.cache_hits = Counter(
            "gateway_cache_hits",
            "Keys a loader found in the shared cache, by cache kind.",
            ["kind"],
            registry=self.registry,
        )
        self.cache_misses = Counter(
            "gateway_cache_misses",
            "Keys a loader did not find in the shared cache, by cache kind.",
            ["kind"],
            registry=self.registry,
        )
        self.cache_writes = Counter(
            "gateway_cache_writes",
            "Cache writes made after the answer, by stage: queued, then done (so queued"
            " less done is how many are pending).",
            ["stage"],
            registry=self.registry,
        )
        self.change_feed_polls = Counter(
            "gateway_change_feed_polls",
            "Polls of a backend's change feed, by system and outcome (ok, error).",
            ["system", "outcome"],
            registry=self.registry,
        )
        self.cache_invalidations = Counter(
            "gateway_cache_invalidations",
            "Cache keys dropped because the data behind them changed, by source "
            "(cis_feed: the CIS change feed).",
            ["source"],
            registry=self.registry,
        )
        self.rate_limited_requests = Counter(
            "gateway_rate_limited",
            "Requests refused by the rate limit (HTTP 429), by the bucket that refused "
            "them: login or address.",
            ["bucket"],
            registry=self.registry,
        )

    def request_finished(self, operation: str | None, outcome: Outcome, seconds: float) -> None:
        label = self._operation_label(operation)
        self.requests.labels(operation=label, outcome=outcome.value).inc()
        self.request_duration.labels(operation=label).observe(seconds)

    def backend_called(self, system: str, operation: str, seconds: float) -> None:
        self.backend_calls.labels(system=system, operation=operation).inc()
        self.backend_call_duration.labels(system=system, operation=operation).observe(seconds)

    def backend_failed(self, system: str, reason: str) -> None:
        """One call without an answer (implements `resilience.guard.FailureCounter`)."""
        self.backend_failures.labels(system=system, reason=reason).inc()

    def breaker_changed(self, system: str, state: str) -> None:
        """Implements `resilience.breaker.StateListener`."""
        self.breaker_changes.labels(system=system, state=state).inc()

    def cache_read(self, kind: str, *, hits: int, misses: int) -> None:
        """One batch's lookup (implements `gateway.core.cache.port.CacheStats`)."""
        if hits:
            self.cache_hits.labels(kind=kind).inc(hits)
        if misses:
            self.cache_misses.labels(kind=kind).inc(misses)

    def cache_write_queued(self) -> None:
        """Implements `gateway.core.cache.background.WriteCounter`."""
        self.cache_writes.labels(stage="queued").inc()

    def cache_write_done(self) -> None:
        self.cache_writes.labels(stage="done").inc()

    def change_feed_polled(self, system: str, *, ok: bool) -> None:
        self.change_feed_polls.labels(system=system, outcome="ok" if ok else "error").inc()

    def cache_invalidated(self, source: str, *, keys: int) -> None:
        if keys:
            self.cache_invalidations.labels(source=source).inc(keys)

    def rate_limited(self, bucket: str) -> None:
        """One request refused (implements `gateway.core.rate_limit.limiter.RefusalCounter`)."""
        self.rate_limited_requests.labels(bucket=bucket).inc()

    def render(self) -> bytes:
        """The text exposition: this process's values, or every process's summed."""
        if self._multiprocess_dir is None:
            return generate_latest(self.registry)
        # A fresh registry per scrape, as prometheus-client prescribes: the collector
        # reads the files of every process, this one included.
        combined = CollectorRegistry()
        MultiProcessCollector(combined, path=str(self._multiprocess_dir))  # type: ignore[no-untyped-call]
        return generate_latest(combined)

    def _operation_label(self, operation: str | None) -> str:
        if not operation:
            return ANONYMOUS_OPERATION
        if not _OPERATION_NAME.fullmatch(operation):
            return OTHER_OPERATION
        if operation not in self._operations:
            if len(self._operations) >= MAX_OPERATION_NAMES:
                return OTHER_OPERATION
            self._operations.add(operation)
        return operation
