"""A small, hand-made benchmark result for the report and target tests."""

from __future__ import annotations

from dataclasses import replace

from bench.results import (
    BenchResults,
    ConfigInfo,
    FloorResult,
    PhaseResult,
    RunSettings,
    WorkloadInfo,
)
from bench.stats import LatencySummary


def latency(p50: float, p95: float | None = None, p99: float | None = None) -> LatencySummary:
    return LatencySummary(
        samples=20,
        p50_ms=p50,
        p95_ms=p95 or p50 * 1.2,
        p99_ms=p99 or p50 * 1.5,
        mean_ms=p50 * 1.05,
        max_ms=(p99 or p50 * 1.5) + 1,
    )


def phase(
    config: str,
    workload: str,
    phase_name: str,
    *,
    p50: float,
    rps: float | None = None,
    calls: dict[str, float] | None = None,
    hit_ratio: float | None = None,
    response_bytes: int = 20_000,
    rss: tuple[float, ...] = (180.0,),
    facts: dict[str, int] | None = None,
    floor_p50: float | None = None,
    background: dict[str, float] | None = None,
) -> PhaseResult:
    return PhaseResult(
        config=config,
        workload=workload,
        phase=phase_name,
        requests=20 if rps is None else int(rps * 10),
        duration_s=10.0,
        errors=0,
        requests_per_s=rps,
        latency=latency(p50),
        backend_calls=calls,
        background_calls=background,
        failed_in_gateway=0 if calls is not None else None,
        cache_hit_ratio=hit_ratio,
        response_bytes=response_bytes,
        peak_rss_mb=list(rss),
        rss_mb=[value - 10 for value in rss],
        facts=facts or {"accounts": 2},
        floor_p50_ms=floor_p50,
    )


DASHBOARD_CALLS = {"cis.get_balance": 2, "cis.get_bill": 28, "oms.get_outage_status": 3}


def results() -> BenchResults:
    floor = FloorResult(
        latency=latency(100.0),
        chains_ms={"cis.get_balance": 60.0, "a → b": 100.0},
        critical_paths_ms={"cis.get_balance": 45.0, "a → b": 90.0},
        slowest_call_alone_ms={"cis.get_balance": 45.0, "cis.get_bill": 50.0},
        calls=DASHBOARD_CALLS,
    )
    hourly_floor = replace(floor, latency=latency(80.0), calls={"meters.hourly_reads_many": 1})
    cold_calls = {name: float(count) for name, count in DASHBOARD_CALLS.items()}
    return BenchResults(
        date="2026-11-26 01:00 UTC",
        command="python -m bench --output docs/benchmarks.md",
        machine={"CPU": "Test CPU", "cores": "2"},
        settings=RunSettings(
            accounts=500,
            as_of="2026-11-26",
            cis_latency_ms=40.0,
            oms_latency_ms=30.0,
            cold_requests={"dashboard": 20, "hourly-year": 20},
            warm_duration_s=10.0,
            warmup_s=2.0,
            connections=4,
            threads=1,
            floor_repetitions=10,
            quick=False,
            cache_switches=True,
            metrics=True,
        ),
        workloads=[
            WorkloadInfo("dashboard", "Member dashboard", "Two accounts.", "Dashboard", "{ a }"),
            WorkloadInfo("hourly-year", "A year of hourly usage", "Hours.", "Hourly", "{ b }"),
        ],
        configs=[
            ConfigInfo("cached-1", "cached, 1 worker", 1, True),
            ConfigInfo("cached-2", "cached, 2 workers", 2, True),
            ConfigInfo("naive-2", "naive, 2 workers", 2, False),
        ],
        floors={"dashboard": floor, "hourly-year": hourly_floor},
        phases=[
            phase(
                "cached-1",
                "dashboard",
                "cold",
                p50=120.0,
                calls=cold_calls,
                hit_ratio=0.0,
                floor_p50=110.0,
            ),
            phase("cached-1", "dashboard", "warm", p50=6.0, rps=500.0, calls={}, hit_ratio=1.0),
            phase("cached-2", "dashboard", "cold", p50=118.0, calls=cold_calls, hit_ratio=0.0),
            phase(
                "cached-2",
                "dashboard",
                "warm",
                p50=3.5,
                rps=900.0,
                calls={},
                hit_ratio=1.0,
                rss=(190.0, 185.5),
            ),
            phase(
                "naive-2",
                "dashboard",
                "cold",
                p50=300.0,
                calls={**cold_calls, "cis.get_service_locations_by_account": 6.0},
            ),
            phase(
                "cached-1",
                "hourly-year",
                "cold",
                p50=140.0,
                response_bytes=450_000,
                facts={"points": 8760},
                calls={"meters.hourly_reads_many": 1.0},
            ),
            phase(
                "cached-1",
                "hourly-year",
                "warm-serial",
                p50=160.0,
                response_bytes=450_000,
                facts={"points": 8760},
                calls={},
            ),
            phase(
                "cached-1",
                "hourly-year",
                "warm",
                p50=400.0,
                rps=25.0,
                response_bytes=450_000,
                facts={"points": 8760},
                calls={},
            ),
        ],
        notes=["A note for the reader."],
    )
