"""A small, hand-made benchmark result for the report and target tests."""

from __future__ import annotations

from dataclasses import replace

from bench.results import (
    AttackResult,
    AttackRun,
    BenchResults,
    ConfigInfo,
    DocumentFetches,
    DocumentsRun,
    FanoutRound,
    FanoutRun,
    FloorResult,
    FreezeResult,
    PaymentBurst,
    PaymentsRun,
    PaymentStorm,
    PhaseResult,
    PortalRun,
    RunSettings,
    StormRun,
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


def attack(
    name: str,
    *,
    wait_max: float,
    other_p99: float,
    statuses: dict[str, int] | None = None,
    codes: dict[str, int] | None = None,
    retry_after: str | None = None,
) -> AttackResult:
    return AttackResult(
        name=name,
        title=f"The {name} attack",
        expected_code="QUERY_TOO_LARGE",
        request_bytes=90_000,
        sends=10,
        statuses=statuses or {"400": 10},
        codes=codes or {"QUERY_TOO_LARGE": 10},
        retry_after=retry_after,
        server_requests=10,
        server_mean_ms=wait_max / 2,
        gateway_cpu_ms=wait_max / 3,
        wall_ms=latency(wait_max / 2, p99=wait_max),
        response_bytes=120,
        window_s=2.0,
        bystander=latency(other_p99 / 2, p99=other_p99),
        bystander_failures=0,
    )


def attack_run() -> AttackRun:
    return AttackRun(
        date="2026-12-03 03:00 UTC",
        command="python -m bench --only attacks",
        config="cached, 1 worker",
        attacker="demo@example.com from 127.0.0.2",
        bystander="neighbor@example.com from 127.0.0.3",
        bystander_interval_ms=20.0,
        load_average_start="1.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        load_average_end="2.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        baseline=latency(3.0, p99=8.0),
        attacks=[
            attack("tokens", wait_max=12.0, other_p99=20.0),
            attack("slow", wait_max=250.0, other_p99=300.0),
            attack(
                "limited",
                wait_max=3.0,
                other_p99=10.0,
                statuses={"400": 2, "429": 8},
                codes={"QUERY_TOO_LARGE": 2, "RATE_LIMITED": 8},
                retry_after="4",
            ),
        ],
    )


def freeze_result() -> FreezeResult:
    return FreezeResult(
        date="2026-12-03 03:05 UTC",
        command="python -m bench --only freeze",
        config="cached, 1 worker",
        clients=10,
        freeze_s=10.0,
        cis_timeout_s=3.0,
        request_deadline_s=8.0,
        cache="emptied",
        load_average_start="1.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        load_average_end="2.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        before=latency(50.0),
        during=latency(70.0, p99=3_100.0),
        after=latency(52.0),
        complete=40,
        partial=600,
        failed=0,
        error_codes={"BACKEND_UNAVAILABLE": 4_800},
        statuses={"200": 640},
        over_deadline=0,
        recovery_s=0.9,
    )


def payment_burst(workers: int, *, concurrency: int = 16, payments: int = 200) -> PaymentBurst:
    return PaymentBurst(
        workers=workers,
        payments=payments,
        concurrency=concurrency,
        duration_s=16.0 / workers,
        payments_per_s=12.5 * workers,
        answer=latency(320.0, p95=380.0),
        to_posted=latency(600.0, p95=780.0),
        statuses={"posted": payments},
    )


def payments_run(*, charges: int = 1, postings: int = 1) -> PaymentsRun:
    return PaymentsRun(
        date="2026-12-03 05:39 UTC",
        command="python -m bench --only payments",
        config="cached, 2 workers",
        processor_latency_ms=300.0,
        cis_latency_ms=40.0,
        worker_poll_interval_s=1.0,
        load_average_start="1.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        load_average_end="2.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        one_at_a_time=payment_burst(1, concurrency=1, payments=20),
        bursts=[payment_burst(1), payment_burst(2)],
        storm=PaymentStorm(
            requests=50,
            answers={"PaymentAccepted": 50},
            payments=1,
            charges=charges,
            postings=postings,
            status="posted",
        ),
    )


def fanout_round(name: str, *, workers: int, killed: int = 0, duplicates: int = 0) -> FanoutRound:
    return FanoutRound(
        name=name,
        workers=workers,
        killed=killed,
        notices=5000,
        duration_s=100.0 / workers,
        messages_per_s=50.0 * workers,
        peak_rss_mb=[120.0] * workers,
        statuses={"sent": 5000},
        emails_received=2500 + duplicates,
        texts_received=2500,
        duplicates=duplicates,
        losses=0,
    )


def fanout_run(*, duplicates: int = 1) -> FanoutRun:
    return FanoutRun(
        date="2026-12-03 07:00 UTC",
        command="python -m bench --only fanout",
        notices=5000,
        smtp_latency_ms=50.0,
        sms_latency_ms=100.0,
        lease_s=15.0,
        load_average_start="1.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        load_average_end="2.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        rounds=[
            fanout_round("run1", workers=1),
            fanout_round("run2", workers=2),
            fanout_round("killed", workers=2, killed=1, duplicates=duplicates),
        ],
    )


def storm_run(*, errors: int = 0, status_calls: int = 9000) -> StormRun:
    return StormRun(
        date="2026-12-03 09:00 UTC",
        command="python -m bench --only outage-storm",
        config="cached, 2 workers",
        members=2000,
        arrival_s=30.0,
        polls=3,
        poll_interval_s=15.0,
        documents=["PortalViewer", "PortalDashboard"],
        oms_latency_ms=300.0,
        cis_latency_ms=40.0,
        locations=2400,
        locations_out=720,
        outage_ttl_s=30.0,
        processes=2,
        load_average_start="1.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        load_average_end="2.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        duration_s=62.0,
        requests=8000,
        errors=errors,
        error_kinds={"HTTP 503": errors} if errors else {},
        requests_per_s=129.0,
        latency=latency(120.0, 900.0, 1500.0),
        by_document={
            "PortalViewer": latency(60.0, 200.0, 400.0),
            "PortalDashboard": latency(150.0, 1000.0, 1600.0),
        },
        dashboards_told_out=1800,
        oms_calls={
            "GetAllActiveOutageEvents": 2,
            "GetOutageEvent": 1500,
            "GetOutageEventStatusByOutageLocation": status_calls - 1500,
        },
        cis_calls={"GetBillingDetail": 2100},
        cpu_s={"gateway web processes": 60.0, "load generator": 20.0},
        status_calls=status_calls,
        bound_windows=3,
        bound_per_gateway=9360,
        bound_per_process=18720,
    )


def portal_run(*, sign_in_to_dashboard_ms: list[float] | None = None) -> PortalRun:
    return PortalRun(
        date="2026-12-03 09:00 UTC",
        command="python -m bench --only portal",
        visits=4,
        load_average_start="1.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        load_average_end="1.50 / 1.00 / 1.00 (1 / 5 / 15 min)",
        dom_interactive_ms=[40.0, 45.0, 50.0, 60.0],
        sign_in_shown_ms=[120.0, 130.0, 150.0, 400.0],
        sign_in_to_dashboard_ms=sign_in_to_dashboard_ms or [300.0, 320.0, 350.0, 900.0],
    )


def fetches(
    name: str, title: str, *, p95: float, growth: list[float], rows: int | None = None
) -> DocumentFetches:
    return DocumentFetches(
        name=name,
        title=title,
        latency=latency(p95 * 0.8, p95, p95),
        response_bytes=3_800_000,
        rows=rows,
        cpu_ms_per_request=45.0,
        rss_growth_mb=growth,
    )


def documents_run(*, xml_p95: float = 900.0, csv_growth: float = 3.5) -> DocumentsRun:
    return DocumentsRun(
        date="2026-12-03 12:00 UTC",
        command="python -m bench --only documents",
        config="cached, 1 worker",
        account_meters=3,
        first_day="2025-12-02",
        last_day="2026-12-01",
        cis_latency_ms=40.0,
        load_average_start="1.00 / 1.00 / 1.00 (1 / 5 / 15 min)",
        load_average_end="1.20 / 1.00 / 1.00 (1 / 5 / 15 min)",
        green_button=[
            fetches("green-button-xml", "Green Button XML", p95=xml_p95, growth=[2.0, 1.5]),
            fetches(
                "green-button-csv", "Green Button CSV", p95=500.0, growth=[csv_growth], rows=26280
            ),
        ],
        bill_pdf=[
            fetches("bill-pdf-drawn", "Bill PDF drawn on request", p95=60.0, growth=[0.5]),
            fetches("bill-pdf-cached", "Bill PDF from the cache", p95=4.0, growth=[0.0]),
        ],
    )
