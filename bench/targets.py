"""The issue's performance targets, checked against a run's results.

They are reached (or not) in the harness on the benchmark machine; the test suite
never asserts timings.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from bench.documents_report import (
    GREEN_BUTTON_GOAL_MS,
    GREEN_BUTTON_RSS_GOAL_MB,
    green_button_in_memory,
    green_button_in_time,
    largest_growth_mb,
)
from bench.fanout_report import duplicates_within_goal
from bench.hostile import (
    ATTACK_SERVER_MS,
    BYSTANDER_P99_MS,
    attack_bounded,
    attack_time_ms,
    bystander_unharmed,
    freeze_within_deadline,
)
from bench.portal_report import DASHBOARD_GOAL_MS, dashboard_within_goal
from bench.results import BenchResults, PhaseResult, phase_name
from bench.storm_report import storm_within_goal

DASHBOARD_COLD_FLOOR_RATIO: Final = 1.25
DASHBOARD_WARM_P50_MS: Final = 5.0
DASHBOARD_WARM_RPS: Final = 2000.0
DASHBOARD_WARM_P99_MS: Final = 40.0
HOURLY_P50_MS: Final = 150.0
HOURLY_RESPONSE_BYTES: Final = 1_000_000
PEAK_RSS_MB: Final = 300.0
TWO_WORKERS: Final = 2


@dataclass(frozen=True, slots=True)
class TargetCheck:
    target: str
    figure: str
    met: bool | None  # None: not measured in this run


def check_targets(results: BenchResults) -> list[TargetCheck]:
    return [
        *_dashboard_cold(results),
        *_dashboard_warm(results),
        *_hourly(results),
        *_calls_per_distinct_question(results),
        _peak_rss(results),
        *_attacks(results),
        _freeze(results),
        _duplicate_storm(results),
        _fanout(results),
        _storm(results),
        _portal(results),
        *_documents(results),
    ]


def _documents(results: BenchResults) -> Iterator[TargetCheck]:
    run = results.documents
    meters = run.account_meters if run is not None else 3
    in_time = (
        f"Green Button: a year of hours for a {meters}-meter account, p95 under"
        f" {GREEN_BUTTON_GOAL_MS:,.0f} ms to the last byte"
    )
    in_memory = (
        f"Green Button: a year of hours grows the web process by under"
        f" {GREEN_BUTTON_RSS_GOAL_MB:g} MB"
    )
    if run is None or not run.green_button:
        yield TargetCheck(in_time, "not run", None)
        yield TargetCheck(in_memory, "not run", None)
        return
    yield TargetCheck(
        in_time,
        "; ".join(
            f"{f.title}: p95 {f.latency.p95_ms:,.0f} ms ({f.response_bytes / 1_000_000:.1f} MB)"
            for f in run.green_button
        ),
        green_button_in_time(run),
    )
    yield TargetCheck(
        in_memory,
        "; ".join(f"{f.title}: at most {largest_growth_mb(f):.1f} MB" for f in run.green_button),
        green_button_in_memory(run),
    )


def _storm(results: BenchResults) -> TargetCheck:
    target = "Outage storm: no errors, and OMS calls bounded by distinct locations per TTL"
    run = results.storm
    if run is None:
        return TargetCheck(target, "not run", None)
    figure = (
        f"{run.members:,} members, {run.requests:,} requests: {run.errors} error(s);"
        f" {run.status_calls:,} OMS status calls, bound {run.bound_per_gateway:,}"
    )
    return TargetCheck(target, figure, storm_within_goal(run))


def _portal(results: BenchResults) -> TargetCheck:
    target = f"Portal: the dashboard usable within {DASHBOARD_GOAL_MS:,.0f} ms of signing in"
    run = results.portal
    if run is None:
        return TargetCheck(target, "not run", None)
    figure = (
        f"p50 {statistics.median(run.sign_in_to_dashboard_ms):,.0f} ms over {run.visits}"
        " first visits"
    )
    return TargetCheck(target, figure, dashboard_within_goal(run))


def _fanout(results: BenchResults) -> TargetCheck:
    target = "Billing-day notices: at most one duplicate per killed worker, and no loss"
    run = results.fanout
    killed = next((r for r in run.rounds if r.killed), None) if run is not None else None
    if killed is None:
        return TargetCheck(target, "not run", None)
    figure = (
        f"{killed.notices} notices, {killed.killed} worker killed: {killed.duplicates}"
        f" duplicate(s), {killed.losses} loss(es)"
    )
    return TargetCheck(target, figure, duplicates_within_goal(killed))


def _duplicate_storm(results: BenchResults) -> TargetCheck:
    target = "Duplicate payment storm: exactly one processor charge and one CIS posting"
    run = results.payments
    if run is None:
        return TargetCheck(target, "not run", None)
    storm = run.storm
    figure = (
        f"{storm.requests} identical payBill calls: {storm.payments} payment(s),"
        f" {storm.charges} charge(s), {storm.postings} posting(s)"
    )
    return TargetCheck(target, figure, storm.payments == storm.charges == storm.postings == 1)


def _attacks(results: BenchResults) -> Iterator[TargetCheck]:
    bounded = f"Every attack refused or bounded within {ATTACK_SERVER_MS:g} ms of server time"
    unharmed = f"Another member's p99 under {BYSTANDER_P99_MS:g} ms during every attack"
    run = results.attacks
    if run is None or not run.attacks:
        yield TargetCheck(bounded, "not run", None)
        yield TargetCheck(unharmed, "not run", None)
        return
    over = [a for a in run.attacks if not attack_bounded(a)]
    figure = f"{len(run.attacks) - len(over)} of {len(run.attacks)}"
    if over:
        figure += "; over: " + ", ".join(f"{a.name} {attack_time_ms(a):,.0f} ms" for a in over)
    yield TargetCheck(bounded, figure, not over)
    seen = [a for a in run.attacks if a.bystander is not None]
    harmed = [a for a in seen if not bystander_unharmed(a)]
    if not seen:
        yield TargetCheck(unharmed, "no samples", None)
        return
    worst = max(seen, key=lambda a: a.bystander.p99_ms if a.bystander else 0.0)
    assert worst.bystander is not None
    figure = f"{len(seen) - len(harmed)} of {len(seen)}; worst {worst.bystander.p99_ms:,.1f} ms"
    figure += f" ({worst.name})"
    yield TargetCheck(unharmed, figure, not harmed)


def _freeze(results: BenchResults) -> TargetCheck:
    freeze = results.freeze
    if freeze is None:
        return TargetCheck("A frozen CIS: dashboards answered within the deadline", "not run", None)
    target = (
        f"CIS frozen {freeze.freeze_s:g} s under {freeze.clients} dashboards: every request"
        f" answered, with data, within the {freeze.request_deadline_s:g} s request deadline"
    )
    if freeze.during is None:
        return TargetCheck(target, "no request during the freeze", None)
    figure = (
        f"slowest {freeze.during.max_ms / 1000:.2f} s, p99 {freeze.during.p99_ms / 1000:.2f} s;"
        f" {freeze.complete} complete, {freeze.partial} partial, {freeze.failed} failed"
    )
    return TargetCheck(target, figure, freeze_within_deadline(freeze))


def _cached(results: BenchResults, workload: str, phase: str) -> Iterator[PhaseResult]:
    for config in results.configs:
        found = results.phase(config.name, workload, phase)
        if config.cached and found is not None:
            yield found


def _title(results: BenchResults, result: PhaseResult) -> str:
    return results.config(result.config).title


def _dashboard_cold(results: BenchResults) -> Iterator[TargetCheck]:
    target = f"Dashboard cold p50 within {DASHBOARD_COLD_FLOOR_RATIO:g}× the floor"
    floor = results.floors.get("dashboard")
    runs = list(_cached(results, "dashboard", "cold"))
    if floor is None or not runs:
        yield TargetCheck(target, "not run", None)
        return
    for run in runs:
        floor_ms = run.floor_p50_ms or floor.latency.p50_ms
        ratio = run.latency.p50_ms / floor_ms
        yield TargetCheck(
            f"{target} ({_title(results, run)})",
            f"{run.latency.p50_ms:.1f} ms vs floor {floor_ms:.1f} ms: {ratio:.2f}×",
            ratio <= DASHBOARD_COLD_FLOOR_RATIO,
        )


def _dashboard_warm(results: BenchResults) -> Iterator[TargetCheck]:
    def warm_two_workers(answers: bool) -> list[PhaseResult]:
        return [
            run
            for run in _cached(results, "dashboard", "warm")
            if results.config(run.config).workers == TWO_WORKERS
            and results.config(run.config).answers is answers
        ]

    runs = warm_two_workers(answers=True)
    latency_target = f"Dashboard warm p50 under {DASHBOARD_WARM_P50_MS:g} ms with 2 workers"
    tail_target = f"Dashboard warm p99 under {DASHBOARD_WARM_P99_MS:g} ms with 2 workers"
    rate_target = f"Dashboard warm at least {DASHBOARD_WARM_RPS:g} requests/s with 2 workers"
    ratio_target = "Dashboard warm faster with the response cache than without it (2 workers)"
    if not runs:
        for target in (latency_target, tail_target, rate_target, ratio_target):
            yield TargetCheck(target, "not run", None)
        return
    (run,) = runs
    connections = results.settings.connections
    yield TargetCheck(
        latency_target,
        f"{run.latency.p50_ms:.2f} ms ({connections} connections)",
        run.latency.p50_ms < DASHBOARD_WARM_P50_MS,
    )
    yield TargetCheck(
        tail_target,
        f"{run.latency.p99_ms:.2f} ms ({connections} connections)",
        run.latency.p99_ms < DASHBOARD_WARM_P99_MS,
    )
    rate = run.requests_per_s or 0.0
    yield TargetCheck(
        rate_target,
        f"{rate:.0f} requests/s ({connections} connections)",
        rate >= DASHBOARD_WARM_RPS,
    )
    without = warm_two_workers(answers=False)
    if not without or not without[0].requests_per_s:
        yield TargetCheck(ratio_target, "not run", None)
        return
    other = without[0]
    yield TargetCheck(
        ratio_target,
        f"{rate / (other.requests_per_s or 1.0):.1f}× the requests/s"
        f" ({rate:.0f} vs {other.requests_per_s:.0f}), p50"
        f" {run.latency.p50_ms:.2f} vs {other.latency.p50_ms:.2f} ms",
        rate > (other.requests_per_s or 0.0),
    )


def _hourly(results: BenchResults) -> Iterator[TargetCheck]:
    # A request's own latency: under load, requests also wait for each other.
    target = f"A year of hourly usage: p50 under {HOURLY_P50_MS:g} ms, one request at a time"
    runs = [
        *_cached(results, "hourly-year", "cold"),
        *_cached(results, "hourly-year", "warm-serial"),
    ]
    if not runs:
        yield TargetCheck(target, "not run", None)
        yield TargetCheck("A year of hourly usage: response under 1 MB", "not run", None)
        return
    for run in runs:
        yield TargetCheck(
            f"{target} ({_title(results, run)}, {'cold' if run.phase == 'cold' else 'warm'})",
            f"{run.latency.p50_ms:.1f} ms",
            run.latency.p50_ms < HOURLY_P50_MS,
        )
    largest = max(run.response_bytes for run in runs)
    points = max(run.facts.get("points", 0) for run in runs)
    yield TargetCheck(
        "A year of hourly usage: response under 1 MB",
        f"{largest / 1_000_000:.2f} MB for {points:,} points",
        largest < HOURLY_RESPONSE_BYTES,
    )


def excess_calls(calls: dict[str, float], distinct: dict[str, int]) -> dict[str, float]:
    """Calls per request beyond the distinct questions the floor had to ask, by operation."""
    excess = {name: count - distinct.get(name, 0) for name, count in calls.items()}
    return {name: extra for name, extra in excess.items() if extra > 1e-9}


def _calls_per_distinct_question(results: BenchResults) -> Iterator[TargetCheck]:
    for workload in results.workloads:
        target = (
            f"{workload.title}: each backend asked at most once per distinct question"
            " (cold, per request)"
        )
        floor = results.floors.get(workload.name)
        runs = [r for r in _cached(results, workload.name, "cold") if r.backend_calls is not None]
        if floor is None or not runs:
            yield TargetCheck(target, "not measured", None)
            continue
        figures, met = [], True
        for run in runs:
            assert run.backend_calls is not None
            excess = excess_calls(run.backend_calls, floor.calls)
            met = met and not excess
            detail = (
                "; over: " + ", ".join(f"{name} +{extra:g}" for name, extra in excess.items())
                if excess
                else ""
            )
            figures.append(
                f"{_title(results, run)}: {sum(run.backend_calls.values()):g} calls for"
                f" {sum(floor.calls.values())} distinct{detail}"
            )
        yield TargetCheck(target, "; ".join(figures), met)


def _peak_rss(results: BenchResults) -> TargetCheck:
    target = f"Peak RSS under {PEAK_RSS_MB:g} MB per worker"
    peaks = [(peak, run) for run in results.phases for peak in run.peak_rss_mb]
    if not peaks:
        return TargetCheck(target, "not measured", None)
    peak, run = max(peaks, key=lambda item: item[0])
    return TargetCheck(
        target,
        f"largest {peak:.0f} MB ({_title(results, run)}, after {run.workload},"
        f" {phase_name(run.phase, results.settings.connections)})",
        peak < PEAK_RSS_MB,
    )
