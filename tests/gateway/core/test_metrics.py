"""The metrics' names and labels, the bound on operation names, and the sum over processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from gateway.core.metrics import MAX_OPERATION_NAMES, GatewayMetrics, Outcome


def samples(text: bytes) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


def value(metrics: GatewayMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_requests_are_counted_by_operation_and_outcome_and_timed() -> None:
    metrics = GatewayMetrics()
    metrics.request_finished("Dashboard", Outcome.OK, 0.004)
    metrics.request_finished("Dashboard", Outcome.PARTIAL, 0.2)
    metrics.request_finished(None, Outcome.ERROR, 0.0005)

    assert value(metrics, "gateway_requests_total", operation="Dashboard", outcome="ok") == 1.0
    assert value(metrics, "gateway_requests_total", operation="Dashboard", outcome="partial") == 1
    assert value(metrics, "gateway_requests_total", operation="anonymous", outcome="error") == 1
    duration = "gateway_request_duration_seconds_bucket"
    assert value(metrics, duration, operation="Dashboard", le="0.005") == 1.0
    assert value(metrics, duration, operation="Dashboard", le="0.25") == 2.0
    assert value(metrics, duration, operation="anonymous", le="0.001") == 1.0


def test_client_chosen_operation_names_cannot_grow_the_series_without_bound() -> None:
    metrics = GatewayMetrics()
    for n in range(MAX_OPERATION_NAMES + 5):
        metrics.request_finished(f"Op{n}", Outcome.OK, 0.01)
    metrics.request_finished("Op0", Outcome.OK, 0.01)  # known names keep their own series
    metrics.request_finished("not a name; DROP", Outcome.ERROR, 0.01)

    requests: defaultdict[str, float] = defaultdict(float)
    for (name, labels), count in samples(metrics.render()).items():
        if name == "gateway_requests_total":
            requests[dict(labels)["operation"]] += count
    assert len(requests) == MAX_OPERATION_NAMES + 1
    assert requests["Op0"] == 2.0
    assert requests["other"] == 5.0 + 1.0
    assert f"Op{MAX_OPERATION_NAMES}" not in requests


def test_backend_calls_and_cache_lookups_by_their_labels() -> None:
    metrics = GatewayMetrics()
    metrics.backend_called("meters", "hourly_reads_many", 0.03)
    metrics.cache_read("balance", hits=3, misses=2)
    metrics.cache_read("balance", hits=0, misses=1)

    found = samples(metrics.render())
    backend = frozenset({("system", "meters"), ("operation", "hourly_reads_many")})
    assert found[("gateway_backend_calls_total", backend)] == 1.0
    assert found[("gateway_backend_call_duration_seconds_count", backend)] == 1.0
    kind = frozenset({("kind", "balance")})
    assert found[("gateway_cache_hits_total", kind)] == 3.0
    assert found[("gateway_cache_misses_total", kind)] == 3.0


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from gateway.core.metrics import GatewayMetrics, Outcome

    metrics = GatewayMetrics(multiprocess_dir=Path(sys.argv[1]))
    for _ in range(int(sys.argv[2])):
        metrics.backend_called("cis", "get_bill", 0.01)
        metrics.request_finished("Dashboard", Outcome.OK, 0.02)
        metrics.cache_read("bill", hits=1, misses=0)
    sys.stdout.buffer.write(metrics.render())
    """
)


def test_with_several_processes_each_one_serves_the_sum(tmp_path: Path) -> None:
    # prometheus-client picks multiprocess mode from the environment when first
    # imported, so each "worker" is a process of its own, as under uvicorn.
    environment = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def worker(requests: int) -> bytes:
        return subprocess.run(
            [sys.executable, "-c", WORKER, str(tmp_path), str(requests)],
            env=environment,
            capture_output=True,
            check=True,
        ).stdout

    worker(1)
    found = samples(worker(2))

    assert (
        found[
            ("gateway_requests_total", frozenset({("operation", "Dashboard"), ("outcome", "ok")}))
        ]
        == 3
    )
    bill = frozenset({("system", "cis"), ("operation", "get_bill")})
    assert found[("gateway_backend_calls_total", bill)] == 3.0
    assert found[("gateway_cache_hits_total", frozenset({("kind", "bill")}))] == 3.0
