"""What a benchmark run measured, as plain dataclasses that round-trip through JSON."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from bench.stats import LatencySummary

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FloorResult:
    latency: LatencySummary
    chains_ms: dict[str, float]  # median time at which each chain finished, all calls at once
    critical_paths_ms: dict[str, float]  # each chain's slowest solo call per hop, summed
    slowest_call_alone_ms: dict[str, float]  # by "system.operation", each call made alone
    calls: dict[str, int]  # "system.operation" -> calls in one run

    @property
    def slowest_chain(self) -> str:
        return max(self.chains_ms, key=lambda chain: self.chains_ms[chain])


@dataclass(frozen=True, slots=True)
class PhaseResult:
    config: str
    workload: str
    phase: str  # "cold" (sequential, cache emptied before each request) or "warm" (wrk)
    requests: int
    duration_s: float
    errors: int
    requests_per_s: float | None  # None for the sequential cold phase
    latency: LatencySummary
    backend_calls: dict[str, float] | None  # per request, by "system.operation"
    background_calls: dict[str, float] | None  # in the whole phase: the change feed, ...
    failed_in_gateway: int | None  # measured requests the gateway answered with errors
    cache_hit_ratio: float | None
    response_bytes: int
    peak_rss_mb: list[float]  # per worker (10^6 bytes), since it started
    rss_mb: list[float]  # per worker, at the end of the phase
    facts: dict[str, int]  # what the answer held (accounts, points, ...)
    first_error: str | None = None  # of the requests this harness checked itself
    # The floor timed between this configuration's cold requests, so both saw the machine
    # equally busy (p50); warm runs repeat their cold run's.
    floor_p50_ms: float | None = None

    @property
    def backend_calls_total(self) -> float | None:
        return None if self.backend_calls is None else sum(self.backend_calls.values())


@dataclass(frozen=True, slots=True)
class WorkloadInfo:
    name: str
    title: str
    description: str
    operation: str
    query: str
    floor_note: str = ""


@dataclass(frozen=True, slots=True)
class ConfigInfo:
    name: str
    title: str
    workers: int
    cached: bool
    answers: bool = True  # the response cache (with `cached`)


@dataclass(frozen=True, slots=True)
class RunSettings:
    accounts: int
    as_of: str
    cis_latency_ms: float
    oms_latency_ms: float
    cold_requests: dict[str, int]
    warm_duration_s: float
    warmup_s: float
    connections: int
    threads: int
    floor_repetitions: int
    quick: bool
    cache_switches: bool  # the gateway has the cache/batching settings
    metrics: bool  # the gateway served /metrics


@dataclass(frozen=True, slots=True)
class AttackResult:
    """One attack, sent again and again while the other client sampled the gateway."""

    name: str
    title: str
    expected_code: str
    request_bytes: int
    sends: int
    statuses: dict[str, int]  # HTTP status ("0": no answer) -> sends
    codes: dict[str, int]  # the first error's extensions.code ("none") -> sends
    retry_after: str | None  # the Retry-After of the first 429, if any
    server_requests: int  # sends the gateway's endpoint timed (not one a middleware answered)
    server_mean_ms: float | None  # the gateway's own mean time for them, from /metrics
    gateway_cpu_ms: float | None  # the gateway's CPU time per send, all told
    wall_ms: LatencySummary  # the attacker's wait: first byte sent to last received
    response_bytes: int  # the largest answer
    window_s: float  # from the first send to the end of the last
    bystander: LatencySummary | None  # the other client's requests due in the window
    bystander_failures: int  # of those, answered with anything but 200


@dataclass(frozen=True, slots=True)
class AttackRun:
    date: str
    command: str
    config: str  # the configuration's title
    attacker: str  # who sent the attacks, and from which address
    bystander: str  # the other client
    bystander_interval_ms: float
    load_average_start: str
    load_average_end: str
    baseline: LatencySummary | None  # the other client alone, before the attacks
    attacks: list[AttackResult]
    # Each attack sent at least `min_sends` times and for `min_window_s`, at most `max_sends`.
    min_sends: int = 5
    min_window_s: float = 3.0
    max_sends: int = 100
    attack_interval_ms: float = 0.0  # at most one send this often (0: one after the other)


@dataclass(frozen=True, slots=True)
class FreezeResult:
    """Dashboards in a loop while the CIS stand-in is stopped (SIGSTOP) and continued."""

    date: str
    command: str
    config: str
    clients: int
    freeze_s: float
    cis_timeout_s: float
    request_deadline_s: float
    cache: str  # what the cache held when the CIS froze
    load_average_start: str
    load_average_end: str
    before: LatencySummary | None
    during: LatencySummary | None  # requests started while the CIS was stopped
    after: LatencySummary | None  # requests started once it had recovered
    complete: int  # during the freeze: answers without errors
    partial: int  # data with errors on some fields
    failed: int  # no data, or no answer at all
    error_codes: dict[str, int]  # extensions.code of the errors during the freeze
    statuses: dict[str, int]
    over_deadline: int  # requests during the freeze slower than the request deadline
    recovery_s: float | None  # from SIGCONT to the end of the first complete answer


@dataclass(frozen=True, slots=True)
class PaymentBurst:
    """Payments of the same member, `concurrency` at a time, until all were POSTED."""

    workers: int  # `coop-gateway worker` processes sharing the outbox
    payments: int
    concurrency: int  # payBill requests in flight at once
    duration_s: float  # from the first payment written to the last one posted
    payments_per_s: float
    answer: LatencySummary  # payBill, request to answer (PaymentAccepted)
    to_posted: LatencySummary  # the payment written (payBill) to POSTED, by the store's clock
    statuses: dict[str, int]  # where the payments ended


@dataclass(frozen=True, slots=True)
class PaymentStorm:
    """Identical payBill calls (one idempotency key) at once, over the gateway's processes."""

    requests: int
    answers: dict[str, int]  # __typename (or the error) -> requests
    payments: int  # distinct payment ids answered
    charges: int  # what the processor stand-in charged under that payment's id
    postings: int  # what the CIS stand-in booked under it
    status: str  # where the payment ended


@dataclass(frozen=True, slots=True)
class PaymentsRun:
    date: str
    command: str
    config: str  # the configuration's title
    processor_latency_ms: float
    cis_latency_ms: float
    worker_poll_interval_s: float
    load_average_start: str
    load_average_end: str
    one_at_a_time: PaymentBurst
    bursts: list[PaymentBurst]
    storm: PaymentStorm


@dataclass(frozen=True, slots=True)
class FanoutRound:
    """One batch of notices, from the workers' start to the last one settled."""

    name: str  # "run1", "run2", "killed"
    workers: int
    killed: int  # workers killed with SIGKILL mid-run
    notices: int
    duration_s: float
    messages_per_s: float
    peak_rss_mb: list[float]  # per worker
    statuses: dict[str, int]  # the delivery log's statuses at the end
    emails_received: int  # messages the relay received, repeats included
    texts_received: int  # messages the SMS provider keeps, repeats included
    duplicates: int  # messages received more than once (the repeats)
    losses: int  # notices not SENT, or never received


@dataclass(frozen=True, slots=True)
class FanoutRun:
    date: str
    command: str
    notices: int
    smtp_latency_ms: float
    sms_latency_ms: float
    lease_s: float
    load_average_start: str
    load_average_end: str
    rounds: list[FanoutRound]


@dataclass(frozen=True, slots=True)
class StormRun:
    """The outage storm: many members polling their dashboards through an outage."""

    date: str
    command: str
    config: str
    members: int  # distinct logins, each holding an account of its own
    arrival_s: float
    polls: int
    poll_interval_s: float
    documents: list[str]  # the portal's operations each member sends
    oms_latency_ms: float
    cis_latency_ms: float
    locations: int  # distinct service locations the members' dashboards show
    locations_out: int  # of them, in an outage during the storm
    outage_ttl_s: float
    processes: int  # web processes, each with its own single flight
    load_average_start: str
    load_average_end: str
    duration_s: float  # first request sent to last answer read
    requests: int
    errors: int
    error_kinds: dict[str, int]
    requests_per_s: float
    latency: LatencySummary
    by_document: dict[str, LatencySummary]
    dashboards_told_out: int
    oms_calls: dict[str, int]  # per operation, counted at the stand-in over the storm
    cis_calls: dict[str, int]
    cpu_s: dict[str, float]  # CPU seconds each part used over the storm
    status_calls: int  # of them, the status reads a dashboard makes
    bound_windows: int
    bound_per_gateway: int
    bound_per_process: int
    # What the gateway's web processes logged besides routine lines (`logs.log_digest`).
    gateway_log: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PortalRun:
    """First visits to the member portal in Chromium; each list has one figure a visit,
    in milliseconds as the browser measured them."""

    date: str
    command: str
    visits: int
    load_average_start: str
    load_average_end: str
    dom_interactive_ms: list[float]  # navigation start to the document parsed
    sign_in_shown_ms: list[float]  # navigation start to the sign-in form on screen
    sign_in_to_dashboard_ms: list[float]  # the form submitted to the amount due drawn


@dataclass(frozen=True, slots=True)
class DocumentFetches:
    """One document fetched again and again through signed links, each to its last byte."""

    name: str  # "green-button-xml", "bill-pdf-drawn", ...
    title: str
    latency: LatencySummary  # the GET sent to its last byte read
    response_bytes: int  # the largest answer
    rows: int | None  # CSV: the readings in the answer
    cpu_ms_per_request: float  # the web process's CPU time per request, all told
    rss_growth_mb: list[float]  # per request: the web process's peak during it, over its RSS before


@dataclass(frozen=True, slots=True)
class DocumentsRun:
    """Green Button downloads and bill PDFs from links GraphQL gave, through the gateway."""

    date: str
    command: str
    config: str  # the configuration's title
    account_meters: int  # meters on the account whose data is downloaded
    first_day: str  # the Green Button range, local dates, both included
    last_day: str
    cis_latency_ms: float
    load_average_start: str
    load_average_end: str
    green_button: list[DocumentFetches]  # a year of hours, XML and CSV
    bill_pdf: list[DocumentFetches]  # cold, drawn on request, from the cache


@dataclass(frozen=True, slots=True)
class BenchResults:
    date: str
    command: str
    machine: dict[str, str]
    settings: RunSettings
    workloads: list[WorkloadInfo]
    configs: list[ConfigInfo]
    floors: dict[str, FloorResult]
    phases: list[PhaseResult]
    notes: list[str] = field(default_factory=list)
    gateway_logs: dict[str, list[str]] = field(default_factory=dict)  # config -> digest
    attacks: AttackRun | None = None
    freeze: FreezeResult | None = None
    payments: PaymentsRun | None = None
    fanout: FanoutRun | None = None
    storm: StormRun | None = None
    portal: PortalRun | None = None
    documents: DocumentsRun | None = None

    def phase(self, config: str, workload: str, phase: str) -> PhaseResult | None:
        for result in self.phases:
            if (result.config, result.workload, result.phase) == (config, workload, phase):
                return result
        return None

    def config(self, name: str) -> ConfigInfo:
        return next(config for config in self.configs if config.name == name)


def phase_name(phase: str, connections: int) -> str:
    """How the report names a phase."""
    return {
        "cold": "cold",
        "warm-serial": "warm, one at a time",
        "warm": f"warm, {connections} at once",
    }.get(phase, phase)


def to_json(results: BenchResults) -> bytes:
    return orjson.dumps(dataclasses.asdict(results), option=orjson.OPT_INDENT_2) + b"\n"


def from_json(data: bytes) -> BenchResults:
    results: BenchResults = _decode(BenchResults, orjson.loads(data))
    return results


def _decode(kind: Any, value: Any) -> Any:
    """`value` (parsed JSON) as the type `kind`, recursing through the annotations."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        fields = {}
        for f in dataclasses.fields(kind):
            if f.name in value:
                fields[f.name] = _decode(hints[f.name], value[f.name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ValueError(f"the results have no {kind.__name__}.{f.name}: run again")
        return kind(**fields)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _decode(inner, value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_decode(item, element) for element in value]
    if origin is dict:
        key, item = typing.get_args(kind)
        return {_decode(key, k): _decode(item, v) for k, v in value.items()}
    if kind is float:
        return float(value)
    if kind in (int, str, bool):
        if not isinstance(value, kind):
            raise ValueError(f"expected {kind.__name__}, got {value!r}")
        return value
    raise TypeError(f"cannot decode {kind!r}")
