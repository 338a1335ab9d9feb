"""The gateway's counters read twice and subtracted."""

from __future__ import annotations

import pytest

from bench.metrics import MetricsDelta, parse_metrics, pending_cache_writes

BEFORE = """\
# HELP gateway_backend_calls_total Calls that reached an adapter.
# TYPE gateway_backend_calls_total counter
gateway_backend_calls_total{operation="get_bill",system="cis"} 10.0
gateway_backend_calls_total{operation="get_outage_status",system="oms"} 4.0
gateway_backend_calls_created{operation="get_bill",system="cis"} 1.7e+09
# HELP gateway_cache_hits_total Cache hits.
# TYPE gateway_cache_hits_total counter
gateway_cache_hits_total{kind="bill"} 5.0
# HELP gateway_cache_misses_total Cache misses.
# TYPE gateway_cache_misses_total counter
gateway_cache_misses_total{kind="bill"} 10.0
# HELP gateway_requests_total Requests.
# TYPE gateway_requests_total counter
gateway_requests_total{operation="Dashboard",outcome="ok"} 2.0
# HELP gateway_request_duration_seconds Latency.
# TYPE gateway_request_duration_seconds histogram
gateway_request_duration_seconds_bucket{le="0.005",operation="Dashboard"} 0.0
gateway_request_duration_seconds_bucket{le="+Inf",operation="Dashboard"} 2.0
gateway_request_duration_seconds_count{operation="Dashboard"} 2.0
gateway_request_duration_seconds_sum{operation="Dashboard"} 0.5
"""

AFTER = (
    BEFORE.replace('system="cis"} 10.0', 'system="cis"} 38.0')
    .replace('{kind="bill"} 5.0', '{kind="bill"} 65.0')
    .replace('{kind="bill"} 10.0', '{kind="bill"} 30.0')
    .replace('outcome="ok"} 2.0', 'outcome="ok"} 22.0')
    + 'gateway_requests_total{operation="Dashboard",outcome="partial"} 1.0\n'
    + 'gateway_backend_calls_total{operation="daily_weather",system="meters"} 2.0\n'
    + 'gateway_backend_calls_total{operation="changes_since",system="cis"} 3.0\n'
)


def test_samples_are_keyed_by_name_and_sorted_labels() -> None:
    samples = parse_metrics(BEFORE)
    key = ("gateway_backend_calls_total", (("operation", "get_bill"), ("system", "cis")))
    assert samples[key] == 10.0
    count = ("gateway_request_duration_seconds_count", (("operation", "Dashboard"),))
    assert samples[count] == 2.0


def test_creation_timestamps_are_not_samples_to_subtract() -> None:
    assert not any(name.endswith("_created") for name, _ in parse_metrics(BEFORE))


def test_backend_calls_grew_by_system_and_operation_new_series_from_zero() -> None:
    delta = MetricsDelta.between(parse_metrics(BEFORE), parse_metrics(AFTER))
    # The OMS did not grow: a zero is left out.
    assert delta.backend_calls() == {"cis.get_bill": 28.0, "meters.daily_weather": 2.0}


def test_requests_of_an_operation_sum_every_outcome() -> None:
    delta = MetricsDelta.between(parse_metrics(BEFORE), parse_metrics(AFTER))
    assert delta.requests("Dashboard") == 21.0
    assert delta.requests("Other") == 0.0


def test_hit_ratio_is_hits_over_lookups_between_the_readings() -> None:
    delta = MetricsDelta.between(parse_metrics(BEFORE), parse_metrics(AFTER))
    assert delta.cache_hit_ratio() == pytest.approx(60 / (60 + 20))


def test_no_lookups_means_no_hit_ratio() -> None:
    same = parse_metrics(BEFORE)
    assert MetricsDelta.between(same, same).cache_hit_ratio() is None


def test_background_calls_are_kept_apart_from_the_requests_calls() -> None:
    delta = MetricsDelta.between(parse_metrics(BEFORE), parse_metrics(AFTER))
    assert "cis.changes_since" not in delta.backend_calls()
    assert delta.background_calls() == {"cis.changes_since": 3.0}


def test_failed_requests_are_those_not_ok() -> None:
    delta = MetricsDelta.between(parse_metrics(BEFORE), parse_metrics(AFTER))
    assert delta.failed_requests("Dashboard") == 1.0


def test_pending_cache_writes_are_those_queued_and_not_yet_done() -> None:
    exposition = """\
# HELP gateway_cache_writes_total Cache writes made after the answer.
# TYPE gateway_cache_writes_total counter
gateway_cache_writes_total{stage="queued"} 7.0
gateway_cache_writes_total{stage="done"} 5.0
"""
    assert pending_cache_writes(parse_metrics(exposition)) == 2
    assert pending_cache_writes(parse_metrics(BEFORE)) == 0  # a gateway without the counter
