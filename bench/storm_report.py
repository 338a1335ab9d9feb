"""The report's section on the outage storm."""

from __future__ import annotations

from bench.hostile_report import counted
from bench.report_format import VERDICTS, milliseconds, rate, table
from bench.results import StormRun
from bench.stats import LatencySummary


def storm_within_goal(run: StormRun) -> bool:
    """No errors, and the OMS asked about each location at most once per TTL window."""
    return run.errors == 0 and run.status_calls <= run.bound_per_gateway


def _latency_row(name: str, latency: LatencySummary) -> list[str]:
    return [
        name,
        str(latency.samples),
        milliseconds(latency.p50_ms),
        milliseconds(latency.p95_ms),
        milliseconds(latency.p99_ms),
        milliseconds(latency.max_ms),
    ]


def storm_section(run: StormRun) -> list[str]:
    dashboards = run.by_document.get("PortalDashboard")
    naive = (dashboards.samples if dashboards else 0) * run.locations / run.members
    return [
        "## Outage storm",
        "",
        f"Issue 13: {run.members:,} distinct members polling their dashboards while an"
        f" outage covers {run.locations_out:,} of the {run.locations:,} service locations"
        f" they hold, the OMS answering in {run.oms_latency_ms:g} ms. Goal: no errors, and"
        " OMS calls bounded by the distinct locations per outage-status TTL, not by the"
        f" members. Met: {VERDICTS[storm_within_goal(run)]}.",
        "",
        "- Reproduce: `python -m bench --only outage-storm`"
        f" (this run: `{run.command}`, {run.date}).",
        f"- Against the gateway {run.config}, the run's Redis emptied first, as deployed"
        " (a worker beside it). The storm has a co-op of its own, an account per member,"
        f" and its own stand-ins: the CIS at {run.cis_latency_ms:g} ms a call, the OMS at"
        f" {run.oms_latency_ms:g} ms over a copy of its database in which the outage is"
        " started (an event per feeder) before the storm.",
        f"- Each member signs in (a session and an access token from the gateway's own"
        f" issuer, written directly: argon2 for {run.members:,} logins would be measured"
        f" instead), arrives at a random moment within {run.arrival_s:g} s, opens the"
        f" portal ({' then '.join(f'`{d}`' for d in run.documents)}, sent by `documentId`"
        " from the portal's manifest, as the portal sends them) and polls the dashboard,"
        f" which shows each location's outage status, {run.polls} times in all, every"
        f" {run.poll_interval_s:g} s.",
        "- An error is an answer that is not a 200, carries GraphQL `errors`, or names no"
        " account of the member's; or a request not answered at all. Latency is from the"
        " send to the whole answer read, at the client.",
        f"- OMS calls are counted by the stand-in (`GET …/calls`). The bound: each of the"
        f" {run.locations:,} locations costs one status read per {run.outage_ttl_s:g} s TTL"
        f" window (GetOutageEventStatusByOutageLocation, and GetOutageEvent for the"
        f" {run.locations_out:,} out), and {run.duration_s:.0f} s of storm hold"
        f" {run.bound_windows} window(s): {run.bound_per_gateway:,} calls. Each web"
        f" process loads a missing key once at a time (single flight) but does not see the"
        f" other's loads: {run.processes} processes may make up to"
        f" {run.bound_per_process:,}. Asked once per poll instead, the members'"
        f" dashboards would have cost about {naive:,.0f} status reads.",
        f"- Load average: {run.load_average_start} at the start, {run.load_average_end} at"
        " the end.",
        "",
        *table(
            [
                "requests",
                "duration (s)",
                "req/s",
                "p50 (ms)",
                "p99 (ms)",
                "errors",
                "OMS status calls",
                "bound (per gateway / per process)",
                "dashboards showing an outage",
            ],
            [
                [
                    f"{run.requests:,}",
                    f"{run.duration_s:.1f}",
                    rate(run.requests_per_s),
                    milliseconds(run.latency.p50_ms),
                    milliseconds(run.latency.p99_ms),
                    f"{run.errors}" + (f" ({counted(run.error_kinds)})" if run.errors else ""),
                    f"{run.status_calls:,}",
                    f"{run.bound_per_gateway:,} / {run.bound_per_process:,}",
                    f"{run.dashboards_told_out:,}",
                ]
            ],
        ),
        "",
        *table(
            ["document", "requests", "p50 (ms)", "p95 (ms)", "p99 (ms)", "max (ms)"],
            [_latency_row(name, latency) for name, latency in run.by_document.items()],
        ),
        "",
        f"Every OMS call in the storm, by operation: {counted(run.oms_calls) or 'none'}."
        f" The CIS's: {counted(run.cis_calls) or 'none'}.",
        "",
        "CPU seconds used over the storm (all share the machine's cores): "
        + ", ".join(f"{name} {used:.1f}" for name, used in run.cpu_s.items())
        + ".",
        "",
        *(
            ["The gateway logged, besides routine lines:", ""]
            + [f"- `{line}`" for line in run.gateway_log]
            + [""]
            if run.gateway_log
            else []
        ),
    ]
