"""docs/benchmarks.md from results, and the results' JSON beside it."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest

from bench.report import abbreviated, milliseconds, render_report, seconds, table
from bench.results import from_json, to_json
from bench.stats import LatencySummary
from bench.targets import check_targets
from tests.bench.examples import results


def test_results_survive_the_json_round_trip() -> None:
    original = results()
    assert from_json(to_json(original)) == original


def test_results_written_before_a_field_existed_read_with_its_default() -> None:
    document = orjson.loads(to_json(results()))
    del document["gateway_logs"]
    del document["phases"][0]["floor_p50_ms"]
    read = from_json(orjson.dumps(document))
    assert read.gateway_logs == {}
    assert read.phases[0].floor_p50_ms is None


def test_results_without_a_required_field_are_refused() -> None:
    document = orjson.loads(to_json(results()))
    del document["phases"][0]["latency"]
    with pytest.raises(ValueError, match=r"PhaseResult\.latency"):
        from_json(orjson.dumps(document))


def test_the_report_names_the_date_command_and_machine() -> None:
    report = render_report(results(), check_targets(results()))
    assert report.startswith("# Benchmarks\n")
    assert "- Date: 2026-11-26 01:00 UTC" in report
    assert "- Command: `python -m bench --output docs/benchmarks.md`" in report
    assert "- CPU: Test CPU" in report
    assert "- cores: 2" in report


def test_targets_are_a_table_with_verdicts() -> None:
    report = render_report(results(), check_targets(results()))
    assert (
        "| Dashboard warm p50 under 5 ms with 2 workers | 3.50 ms (4 connections) | yes |" in report
    )
    assert (
        "| A year of hourly usage: p50 under 150 ms, one request at a time (cached, 1 worker,"
        " warm) | 160.0 ms | **no** |" in report
    )


def test_each_run_is_a_row_beside_the_floor() -> None:
    report = render_report(results(), check_targets(results()))
    assert "## Member dashboard" in report
    assert (
        "| cached, 2 workers | warm, 4 at once (9,000 in 10 s) | 900 | 3.50 | 4.20 | 5.25 | 100 |"
        " 0.04× | 0 | 100% | 190 (180) / 186 (176) | 0 |" in report
    )
    assert (
        "| cached, 1 worker | cold (20 in 10 s) | — | 120 | 144 | 180 | 110 | 1.09× | 33 | 0% |"
        " 180 (170) | 0 |" in report
    )


def test_the_floor_s_chains_are_listed_slowest_first_and_marked() -> None:
    report = render_report(results(), check_targets(results()))
    floor = report.index(
        "Floor: the 33 backend calls made directly, p50 110 ms (cached, 1 worker) when timed"
        " alongside each configuration; 100 ms (p95 120 ms) in 20 runs at the start"
    )
    slowest = report.index("| **a → b** | 100 | 90.0 |")
    other = report.index("| cis.get_balance | 60.0 | 45.0 |")
    assert floor < slowest < other


def test_backend_calls_are_compared_per_operation_with_the_distinct_questions() -> None:
    report = render_report(results(), check_targets(results()))
    assert "| `cis.get_bill` | 28 | 50.0 | 28 | 0 | 28 | 0 | 28 |" in report
    assert "| `cis.get_service_locations_by_account` | 0 | — | 0 | 0 | 0 | 0 | 6 |" in report


def test_a_warm_run_that_finished_no_request_shows_no_latency() -> None:
    base = results()
    empty = LatencySummary(samples=0, p50_ms=0, p95_ms=0, p99_ms=0, mean_ms=0, max_ms=0)
    phases = [
        replace(p, latency=empty, requests=0, requests_per_s=0.0, errors=3, first_error="boom")
        if (p.config, p.phase, p.workload) == ("cached-1", "warm", "dashboard")
        else p
        for p in base.phases
    ]
    report = render_report(replace(base, phases=phases), [])
    assert (
        "| cached, 1 worker | warm, 4 at once (0 in 10 s) | 0.0 | — | — | — | 100 | — |" in report
    )
    assert "- Errors, cached, 1 worker, warm, 4 at once: 3; the first one checked: boom" in report


def test_notes_and_queries_are_included() -> None:
    report = render_report(results(), [])
    assert "## Notes\n\n- A note for the reader." in report
    assert "```graphql\n{ a }\n```" in report


def test_tables_escape_pipes() -> None:
    assert table(["a"], [["x | y"]]) == ["| a |", "|---|", "| x \\| y |"]


def test_milliseconds_keep_three_significant_figures_or_so() -> None:
    assert [milliseconds(v) for v in (3.456, 45.67, 1234.5)] == ["3.46", "45.7", "1,234"]


def test_background_calls_are_reported_apart_from_the_requests() -> None:
    base = results()
    phases = [
        replace(p, background_calls={"cis.changes_since": 3.0}) if p.workload == "dashboard" else p
        for p in base.phases
    ]
    report = render_report(replace(base, phases=phases), [])
    assert (
        "Not counted per request: the gateway's own background calls during these 50 s of"
        " measurement (`cis.changes_since` 15)." in report
    )


def test_failures_the_client_did_not_see_are_shown_from_the_gateway_s_count() -> None:
    base = results()
    phases = [
        replace(p, failed_in_gateway=4) if (p.config, p.phase) == ("naive-2", "cold") else p
        for p in base.phases
    ]
    report = render_report(replace(base, phases=phases), [])
    assert "| 0 (gateway: 4) |" in report


def test_a_long_query_shows_its_first_and_last_lines() -> None:
    query = "\n".join(f"line {n}" for n in range(100))
    shown = abbreviated(query, head=2, tail=3, most=40).splitlines()
    assert shown == [
        "line 0",
        "line 1",
        "  # ... 95 more lines like these ...",
        *(f"line {n}" for n in (97, 98, 99)),
    ]
    assert abbreviated("short\nquery") == "short\nquery"


def test_short_durations_keep_a_decimal() -> None:
    assert [seconds(v) for v in (0.42, 9.96, 12.4)] == ["0.4", "10.0", "12"]
