"""The report's sections on hostile clients and the frozen CIS."""

from __future__ import annotations

from collections.abc import Mapping

from bench.hostile import (
    ATTACK_SERVER_MS,
    BYSTANDER_P99_MS,
    DEADLINE_SLACK_S,
    attack_bounded,
    bystander_unharmed,
    freeze_within_deadline,
)
from bench.report_format import VERDICTS, milliseconds, size, table
from bench.results import AttackResult, AttackRun, FreezeResult
from bench.stats import LatencySummary


def counted(counts: Mapping[str, int]) -> str:
    """{"400": 5, "429": 20} as "400 ×5, 429 ×20", the most frequent first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} ×{count}" for name, count in ordered)


def _status(attack: AttackResult) -> str:
    statuses = {("no answer" if s == "0" else s): n for s, n in attack.statuses.items()}
    shown = counted(statuses)
    if attack.retry_after is not None:
        shown += f" (Retry-After: {attack.retry_after})"
    return shown


def _codes(attack: AttackResult) -> str:
    shown = counted(attack.codes)
    if attack.expected_code not in attack.codes:
        shown += f" (expected {attack.expected_code})"
    return shown


def _server(attack: AttackResult) -> str:
    if attack.server_mean_ms is None:
        return "—"
    shown = milliseconds(attack.server_mean_ms)
    if attack.server_requests != attack.sends:
        shown += f" ({attack.server_requests} of {attack.sends} sends)"
    return shown


def _other(summary: LatencySummary | None) -> str:
    if summary is None:
        return "—"
    return " / ".join(milliseconds(v) for v in (summary.p50_ms, summary.p99_ms, summary.max_ms))


def _pace(run: AttackRun) -> str:
    if run.attack_interval_ms <= 0:
        return "each as soon as the one before was answered"
    return f"at most one every {run.attack_interval_ms:g} ms (one after the other when slower)"


def attack_section(run: AttackRun) -> list[str]:
    baseline = run.baseline
    rows = (
        [
            f"{a.title} (`{a.name}`)",
            size(a.request_bytes),
            str(a.sends),
            _status(a),
            _codes(a),
            _server(a),
            "—" if a.gateway_cpu_ms is None else milliseconds(a.gateway_cpu_ms),
            f"{milliseconds(a.wall_ms.p50_ms)} / {milliseconds(a.wall_ms.max_ms)}",
            size(a.response_bytes),
            f"{_other(a.bystander)}"
            + (f" ({a.bystander_failures} failed)" if a.bystander_failures else ""),
            VERDICTS[attack_bounded(a)],
            VERDICTS[bystander_unharmed(a)],
        ]
        for a in run.attacks
    )
    return [
        "## Hostile clients",
        "",
        f"Goal (issue 10): every attack refused or bounded within {ATTACK_SERVER_MS:g} ms of"
        f" server time, and another member's p99 under {BYSTANDER_P99_MS:g} ms throughout.",
        "",
        f"- Reproduce: `python -m bench --only attacks` (this run: `{run.command}`, {run.date}).",
        f"- Against the gateway {run.config}, its request limits and its per-client rate"
        " limit on at their defaults, as deployed (README, *Request limits* and *Rate"
        " limit*), the stand-ins and Redis as above.",
        f"- The attacker: {run.attacker}, signed in. Each attack is sent one request at a"
        f" time, {_pace(run)}, at least {run.min_sends} times and for at least"
        f" {run.min_window_s:g} s (at most {run.max_sends} times): what each attack does to"
        " the other client, not what a flood of any request would (a rate limit's"
        " business); each send"
        " ends with a comment naming it, so no two are the same document and no cache of"
        " parsed or validated documents spares the gateway any work.",
        f"- The other client: {run.bystander}, signed in, sends `{{ viewer {{ email }} }}`"
        f" every {run.bystander_interval_ms:g} ms whether or not its earlier requests have"
        " been answered, each timed from when it was due; its requests due while an attack"
        " was being sent are that attack's. Each client has a loopback address of its own,"
        " so a limit per client address sees two clients.",
        "- Server time: the gateway's own mean time per send, from its"
        " `gateway_request_duration_seconds` histogram read before the first send and after"
        " the last (the attacks are its only unnamed operations; reading it around every"
        " send would load the gateway the other client shares). Gateway CPU: the CPU time"
        " its processes used over the same sends (`/proc`), less what they used per second"
        " before the attacks (the other client), per send: what the attack cost all told,"
        " the HTTP server reading its body included. The"
        f" {ATTACK_SERVER_MS:g} ms goal is checked against the larger of the two. The"
        " attacker's wait, from the first byte sent to the last received, adds sending the"
        " body and reading the answer, and whatever else the machine was doing.",
        f"- Load average: {run.load_average_start} at the start,"
        f" {run.load_average_end} at the end.",
        "",
        f"The other client alone, before the attacks: p50 / p99 / max {_other(baseline)} ms"
        f" ({baseline.samples if baseline else 0} requests).",
        "",
        *table(
            [
                "attack",
                "request",
                "sends",
                "HTTP status",
                "extensions.code",
                "server time, mean (ms)",
                "gateway CPU per send (ms)",
                "attacker's wait p50 / max (ms)",
                "answer, largest",
                "other member p50 / p99 / max (ms)",
                f"≤ {ATTACK_SERVER_MS:g} ms",
                f"other p99 < {BYSTANDER_P99_MS:g} ms",
            ],
            rows,
        ),
        "",
    ]


def _latency_row(name: str, summary: LatencySummary | None) -> list[str]:
    if summary is None:
        return [name, "0", "—", "—", "—", "—"]
    values = (summary.p50_ms, summary.p95_ms, summary.p99_ms, summary.max_ms)
    return [name, str(summary.samples), *(milliseconds(v) for v in values)]


def freeze_section(freeze: FreezeResult) -> list[str]:
    slowest = f"{freeze.during.max_ms / 1000:.2f} s" if freeze.during else "—"
    recovery = f"{freeze.recovery_s:.2f} s" if freeze.recovery_s is not None else "not within 30 s"
    return [
        "## A frozen CIS",
        "",
        f"Goal (issue 10): with the CIS frozen for {freeze.freeze_s:g} s under"
        f" {freeze.clients} concurrent dashboards, requests still complete (with partial"
        f" data) within the request deadline ({freeze.request_deadline_s:g} s); p99 during"
        " the freeze reported.",
        "",
        f"- Reproduce: `python -m bench --only freeze` (this run: `{freeze.command}`,"
        f" {freeze.date}).",
        f"- Against the gateway {freeze.config}, settings at their defaults (CIS timeout"
        f" {freeze.cis_timeout_s:g} s, request deadline {freeze.request_deadline_s:g} s,"
        " circuit breaker after 5 failures, 5 s cool-down). The demo member's dashboard (the"
        f" workload above) in a loop on {freeze.clients} connections; after a warm-up and"
        f" 3 s, the CIS stand-in's process is stopped (SIGSTOP) for {freeze.freeze_s:g} s,"
        f" then continued (SIGCONT). Cache: {freeze.cache}.",
        "- *During*: requests in flight at any moment of the freeze; *after*: requests"
        " started once the first dashboard started after SIGCONT came back complete"
        " (the recovery).",
        f"- Load average: {freeze.load_average_start} at the start,"
        f" {freeze.load_average_end} at the end.",
        "",
        *table(
            ["dashboards", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms"],
            [
                _latency_row("before the freeze", freeze.before),
                _latency_row("during the freeze", freeze.during),
                _latency_row("after recovery", freeze.after),
            ],
        ),
        "",
        f"- During the freeze: {freeze.complete} complete, {freeze.partial} partial (data,"
        f" with errors on the fields that needed the CIS), {freeze.failed} failed; HTTP"
        f" status {counted(freeze.statuses) or '—'}; errors"
        f" {counted(freeze.error_codes) or 'none'}.",
        f"- Slowest request during the freeze: {slowest}; slower than the deadline (plus"
        f" {DEADLINE_SLACK_S:g} s to answer): {freeze.over_deadline}. Within the deadline,"
        f" with data: {VERDICTS[freeze_within_deadline(freeze)]}.",
        f"- Recovery: {recovery} from SIGCONT to the first complete dashboard.",
        "",
    ]
