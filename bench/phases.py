"""One workload against one running gateway: cold, then warm.

Cold: requests one at a time, the cache emptied before each (once the gateway has made
the cache writes it puts off until after an answer), timed by the client.
Warm, one at a time: a few checked requests fill the cache, then requests one after
the other, timed by the client. Warm: a wrk warm-up, then wrk keeps `connections`
requests in flight for the measured duration. Around each measured
part the gateway's counters are read, so backend calls and cache hits are those of
the measured requests only. Before each part the gateway must be idle: requests
still running from the part before (wrk stops timing, the gateway does not stop
working) would slow it down.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from bench.client import Answer, GatewayClient, GatewayRequestFailed, graphql_headers
from bench.metrics import REQUESTS, MetricsDelta, SampleKey, pending_cache_writes
from bench.results import PhaseResult
from bench.rss import peak_rss_mb, rss_mb, worker_pids
from bench.stats import percentile, summarize
from bench.workloads import Facts, Workload
from bench.wrk import run_wrk, wrk_script

WARM_CHECKS: Final = 3
IDLE_AFTER_S: Final = 1.0  # no request finished and no backend call made for this long
IDLE_TIMEOUT_S: Final = 180.0
IDLE_POLL_S: Final = 0.25
WARM_DURATION_PER_COLD_P50: Final = 4  # slow workloads run long enough to finish requests
CACHE_WRITES_TIMEOUT_S: Final = 30.0
CACHE_WRITES_POLL_S: Final = 0.005


@dataclass(frozen=True, slots=True)
class Target:
    """A running gateway, as the phases see it."""

    client: GatewayClient
    graphql_url: str
    server_pid: int
    config: str
    flush_cache: Callable[[], None]
    log: Path  # what the gateway writes to stdout and stderr


@dataclass(frozen=True, slots=True)
class WarmLoad:
    duration_s: float
    max_duration_s: float
    warmup_s: float
    connections: int
    threads: int
    timeout_s: float

    def duration_after(self, cold: PhaseResult) -> float:
        """The measured duration: longer for workloads whose requests take seconds."""
        wanted = cold.latency.p50_ms / 1000 * WARM_DURATION_PER_COLD_P50
        return min(max(self.duration_s, wanted), self.max_duration_s)


@dataclass(slots=True)
class _Checked:
    """Answers checked so far: the last good one, and what went wrong with the others."""

    answer: Answer | None = None
    facts: Facts | None = None
    errors: int = 0
    first_error: str | None = None

    def check(self, answer: Answer, workload: Workload) -> None:
        try:
            facts = workload.facts(answer.data())
        except GatewayRequestFailed as error:
            self.errors += 1
            self.first_error = self.first_error or " ".join(str(error).split())[:500]
            return
        self.answer, self.facts = answer, facts

    @property
    def response_bytes(self) -> int:
        return len(self.answer.body) if self.answer else 0


def wait_until_idle(client: GatewayClient) -> None:
    """Until the gateway has finished every request it was given."""
    deadline = time.monotonic() + IDLE_TIMEOUT_S
    last: tuple[float, float] | None = None
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        snapshot = client.metrics()
        if snapshot is None:  # no counters to watch: give it a moment
            time.sleep(IDLE_AFTER_S)
            return
        calls = MetricsDelta.between({}, snapshot).backend_calls()  # without the background
        activity = (_sum(snapshot, REQUESTS), sum(calls.values()))
        now = time.monotonic()
        if activity != last:
            last, quiet_since = activity, now
        elif now - quiet_since >= IDLE_AFTER_S:
            return
        time.sleep(IDLE_POLL_S)


def wait_for_cache_writes(client: GatewayClient) -> None:
    """Until the gateway has made the cache writes it put off until after its answers.

    Emptying the cache before a write lands would leave the entry for the next "cold"
    request to find.
    """
    deadline = time.monotonic() + CACHE_WRITES_TIMEOUT_S
    while time.monotonic() < deadline:
        snapshot = client.metrics()
        if snapshot is None or pending_cache_writes(snapshot) <= 0:
            return
        time.sleep(CACHE_WRITES_POLL_S)
    raise TimeoutError(f"cache writes still pending after {CACHE_WRITES_TIMEOUT_S:.0f} s")


def cold_phase(
    target: Target,
    workload: Workload,
    token: str,
    *,
    requests: int,
    floor_ms: Callable[[], float] | None = None,
) -> PhaseResult:
    """`floor_ms`, when given, times the floor before each request (not counted as one)."""
    floor_samples: list[float] = []

    def before_each() -> None:
        if floor_ms:
            # The floor's calls go to the stand-ins directly: the gateway's counters stay put.
            floor_samples.append(floor_ms())
        wait_for_cache_writes(target.client)
        target.flush_cache()

    result = _one_at_a_time(
        target, workload, token, phase="cold", most=requests, before_each=before_each
    )
    floor_p50 = percentile(floor_samples, 50) if floor_samples else None
    return replace(result, floor_p50_ms=floor_p50)


def _warm_up(target: Target, workload: Workload, token: str) -> _Checked:
    """Once the gateway is idle, a few checked requests that fill the cache."""
    wait_until_idle(target.client)
    checked = _Checked()
    for _ in range(WARM_CHECKS):
        checked.check(target.client.post(workload.body, token=token), workload)
    return checked


def warm_serial_phase(
    target: Target,
    workload: Workload,
    token: str,
    *,
    most: int,
    budget_s: float,
    floor_p50_ms: float | None = None,
) -> PhaseResult:
    """Warm requests one at a time: the latency of one request with nothing queued."""
    checked = _warm_up(target, workload, token)
    result = _one_at_a_time(
        target, workload, token, phase="warm-serial", most=most, budget_s=budget_s
    )
    return replace(
        result,
        errors=result.errors + checked.errors,
        first_error=result.first_error or checked.first_error,
        floor_p50_ms=floor_p50_ms,
    )


def warm_phase(
    target: Target,
    workload: Workload,
    token: str,
    *,
    load: WarmLoad,
    duration_s: float,
    scratch: Path,
    floor_p50_ms: float | None = None,
) -> PhaseResult:
    """wrk's `load.connections` at once for `duration_s`, after a warm-up."""
    checked = _warm_up(target, workload, token)
    script = scratch / f"{workload.name}.lua"
    script.write_text(
        wrk_script(body=workload.body.decode(), headers=graphql_headers(token)), encoding="utf-8"
    )
    wrk = functools.partial(
        run_wrk,
        url=target.graphql_url,
        script=script,
        connections=load.connections,
        threads=load.threads,
        timeout_s=load.timeout_s,
    )
    if load.warmup_s > 0:
        wrk(duration_s=load.warmup_s)
        wait_until_idle(target.client)
    before = target.client.metrics()
    result = wrk(duration_s=duration_s)
    wait_until_idle(target.client)
    delta = _delta(before, target.client.metrics())
    # The gateway also counts the requests that were in flight when wrk stopped timing.
    served = int(delta.requests(workload.operation)) if delta else 0
    return PhaseResult(
        config=target.config,
        workload=workload.name,
        phase="warm",
        requests=result.requests,
        duration_s=result.duration_s,
        errors=result.errors + checked.errors,
        requests_per_s=result.requests_per_s,
        latency=result.latency,
        backend_calls=_per_request(delta, served or result.requests),
        background_calls=delta.background_calls() if delta else None,
        failed_in_gateway=int(delta.failed_requests(workload.operation)) if delta else None,
        cache_hit_ratio=delta.cache_hit_ratio() if delta else None,
        response_bytes=checked.response_bytes,
        peak_rss_mb=_memory(target, peak_rss_mb),
        rss_mb=_memory(target, rss_mb),
        facts=checked.facts or {},
        first_error=checked.first_error,
        floor_p50_ms=floor_p50_ms,
    )


def _one_at_a_time(
    target: Target,
    workload: Workload,
    token: str,
    *,
    phase: str,
    most: int,
    budget_s: float | None = None,
    before_each: Callable[[], None] | None = None,
) -> PhaseResult:
    """`most` requests one after the other, fewer if `budget_s` of them is spent first."""
    wait_until_idle(target.client)
    before = target.client.metrics()
    latencies: list[float] = []
    checked = _Checked()
    while len(latencies) < most and (budget_s is None or sum(latencies) < budget_s * 1000):
        if before_each:
            before_each()
        answer = target.client.post(workload.body, token=token)
        latencies.append(answer.elapsed_ms)
        checked.check(answer, workload)
    delta = _delta(before, target.client.metrics())
    return PhaseResult(
        config=target.config,
        workload=workload.name,
        phase=phase,
        requests=len(latencies),
        duration_s=sum(latencies) / 1000,
        errors=checked.errors,
        requests_per_s=None,
        latency=summarize(latencies),
        backend_calls=_per_request(delta, len(latencies)),
        background_calls=delta.background_calls() if delta else None,
        failed_in_gateway=int(delta.failed_requests(workload.operation)) if delta else None,
        cache_hit_ratio=delta.cache_hit_ratio() if delta else None,
        response_bytes=checked.response_bytes,
        peak_rss_mb=_memory(target, peak_rss_mb),
        rss_mb=_memory(target, rss_mb),
        facts=checked.facts or {},
        first_error=checked.first_error,
    )


def _sum(snapshot: dict[SampleKey, float], name: str) -> float:
    return sum(value for (sample, _), value in snapshot.items() if sample == name)


def _delta(
    before: dict[SampleKey, float] | None, after: dict[SampleKey, float] | None
) -> MetricsDelta | None:
    if before is None or after is None:
        return None
    return MetricsDelta.between(before, after)


def _per_request(delta: MetricsDelta | None, requests: int) -> dict[str, float] | None:
    if delta is None or requests <= 0:
        return None
    return {name: calls / requests for name, calls in sorted(delta.backend_calls().items())}


def _memory(target: Target, read: Callable[[int], float | None]) -> list[float]:
    values = (read(pid) for pid in worker_pids(target.server_pid))
    return [round(value, 1) for value in values if value is not None]
