"""The attacks replayed against a running gateway while another member uses it.

One attacker, signed in as a member, sends each attack again and again (at least
`min_sends` times and for at least `min_window_s`), one request at a time and at most
one every `attack_interval_s`, from a loopback address of its own. The pace measures
what each attack does to the other client; a client sending as fast as the gateway
answers would saturate a worker with any request at all, which is a rate limit's
business, not a request limit's. Meanwhile the other client (`bench.bystander`), a
different member from another address, sends its small query at a steady rate. The
gateway's own time for an attack's sends is read from its request-duration histogram (the attacks
are its only unnamed operations) before the first and after the last: their mean.
Reading it around every send would make the gateway collect its metrics twice per send,
work the other client would wait for. The gateway's processes' CPU time is read around
the same sends too: less what they used per second before the attacks (the other
client's requests), it is what the attack cost them all told, reading its body in the
HTTP server included, which the endpoint does not time. The other client's requests
due during an attack are that attack's; those due before the first, its baseline.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import httpx
import orjson

from bench.attacks import Attack, chunks
from bench.bystander import Bystander, Sample, during
from bench.client import graphql_headers
from bench.metrics import MetricsDelta, SampleKey, parse_metrics
from bench.results import AttackResult
from bench.stats import LatencySummary, summarize

# The gateway's label for operations without a name: every attack, and nothing else sent
# while they run (the other client names its operation).
UNNAMED: Final = "anonymous"
DURATION_SUM: Final = "gateway_request_duration_seconds_sum"
DURATION_COUNT: Final = "gateway_request_duration_seconds_count"
ATTACK_TIMEOUT_S: Final = 120.0
# Answers larger than this are searched for their code rather than parsed.
PARSED_ANSWER_BYTES: Final = 1_000_000
_CODE: Final = re.compile(rb'"code"\s*:\s*"([A-Z_]+)"')
NO_CODE: Final = "none"


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    min_sends: int = 5
    min_window_s: float = 3.0
    max_sends: int = 1000
    attack_interval_s: float = 0.1
    baseline_s: float = 3.0
    settle_s: float = 1.0  # the other client's start-up, and a pause between attacks
    bystander_interval_s: float = 0.05


@dataclass(frozen=True, slots=True)
class Sent:
    """One send of an attack, as the attacker saw it."""

    status: int  # 0: no answer
    code: str
    retry_after: str | None
    response_bytes: int
    wall_ms: float


@dataclass(frozen=True, slots=True)
class Usage:
    """A reading of the gateway's clocks: its request histogram and its CPU time."""

    metrics: dict[SampleKey, float]
    cpu_s: float
    at: float  # time.monotonic()


def cpu_per_send_ms(
    before: Usage, after: Usage, *, sends: int, background_cpu_per_s: float
) -> float:
    """The gateway's CPU time per send, less what it uses anyway in that time."""
    background = background_cpu_per_s * (after.at - before.at)
    return max(0.0, after.cpu_s - before.cpu_s - background) * 1000 / sends


@dataclass(frozen=True, slots=True)
class Replayed:
    baseline: LatencySummary | None
    attacks: list[AttackResult]


def error_code(body: bytes) -> str:
    """The first error's `extensions.code` of a GraphQL answer ("none" without one)."""
    if len(body) > PARSED_ANSWER_BYTES:
        found = _CODE.search(body[:65536])
        return found.group(1).decode() if found else NO_CODE
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return NO_CODE
    errors = document.get("errors") if isinstance(document, dict) else None
    if not errors:
        return NO_CODE
    code = (errors[0].get("extensions") or {}).get("code")
    return code if isinstance(code, str) else NO_CODE


@dataclass(frozen=True, slots=True)
class ServerTime:
    requests: int  # the unnamed requests the gateway timed
    mean_ms: float | None


def server_time(before: dict[SampleKey, float], after: dict[SampleKey, float]) -> ServerTime:
    """The gateway's mean time for the unnamed requests between two readings."""
    delta = MetricsDelta.between(before, after)
    count = round(delta.total(DURATION_COUNT, operation=UNNAMED))
    if count < 1:
        return ServerTime(0, None)
    return ServerTime(count, delta.total(DURATION_SUM, operation=UNNAMED) * 1000 / count)


def summarize_attack(
    attack: Attack,
    sent: Sequence[Sent],
    server: ServerTime,
    cpu_ms: float | None,
    window: tuple[float, float],
    seen: Sequence[Sample],
) -> AttackResult:
    retry_after = next((s.retry_after for s in sent if s.status == 429), None)
    return AttackResult(
        name=attack.name,
        title=attack.title,
        expected_code=attack.expected_code,
        request_bytes=attack.size,
        sends=len(sent),
        statuses=dict(Counter(str(s.status) for s in sent)),
        codes=dict(Counter(s.code for s in sent)),
        retry_after=retry_after,
        server_requests=server.requests,
        server_mean_ms=server.mean_ms,
        gateway_cpu_ms=cpu_ms,
        wall_ms=summarize([s.wall_ms for s in sent]),
        response_bytes=max(s.response_bytes for s in sent),
        window_s=window[1] - window[0],
        bystander=summarize([s.latency_ms for s in seen]) if seen else None,
        bystander_failures=sum(1 for s in seen if s.status != 200),
    )


class Attacker:
    """The attacking member's connection, and the gateway's counters around each send."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        local_address: str | None,
        cpu_s: Callable[[], float],
    ) -> None:
        self._cpu_s = cpu_s
        transport = httpx.HTTPTransport(local_address=local_address)
        self._http = httpx.Client(base_url=base_url, transport=transport, timeout=ATTACK_TIMEOUT_S)
        self._headers = graphql_headers(token)

    def close(self) -> None:
        self._http.close()

    def metrics(self) -> dict[SampleKey, float]:
        response = self._http.get("/metrics")
        response.raise_for_status()
        return parse_metrics(response.text)

    def before(self) -> Usage:
        metrics = self.metrics()  # first: collecting them is not the attack's work
        return Usage(metrics, self._cpu_s(), time.monotonic())

    def after(self) -> Usage:
        cpu_s, at = self._cpu_s(), time.monotonic()
        return Usage(self.metrics(), cpu_s, at)

    def send(self, attack: Attack, body: bytes) -> Sent:
        content = chunks(body) if attack.chunked else body
        started = time.perf_counter()
        try:
            response = self._http.post("/graphql", content=content, headers=self._headers)
            status, body = response.status_code, response.content
            retry_after = response.headers.get("retry-after")
        except httpx.HTTPError:
            # A gateway may answer early and close the connection on a body it refused
            # while the rest is still being sent.
            status, body, retry_after = 0, b"", None
        wall_ms = (time.perf_counter() - started) * 1000
        return Sent(
            status=status,
            code=error_code(body),
            retry_after=retry_after,
            response_bytes=len(body),
            wall_ms=wall_ms,
        )


def replay(
    attacks: Sequence[Attack],
    *,
    attacker: Attacker,
    bystander: Bystander,
    plan: ReplayPlan,
    say: Callable[[str], None] = lambda line: None,
) -> Replayed:
    bystander.start()
    windows: list[tuple[float, float]] = []
    sends: list[list[Sent]] = []
    timed: list[ServerTime] = []
    cpu: list[float] = []
    try:
        time.sleep(2 * plan.settle_s)  # the other client's process starting
        calm_from = attacker.after()
        time.sleep(plan.baseline_s)
        calm_to = attacker.before()
        baseline = (calm_from.at, calm_to.at)
        background = (calm_to.cpu_s - calm_from.cpu_s) / (calm_to.at - calm_from.at)
        for attack in attacks:
            time.sleep(plan.settle_s)  # the gateway done with the last one
            before = attacker.before()
            started = time.monotonic()
            sent: list[Sent] = []
            body = None if attack.varies else attack.body
            while len(sent) < plan.max_sends and (
                len(sent) < plan.min_sends or time.monotonic() - started < plan.min_window_s
            ):
                due = started + len(sent) * plan.attack_interval_s
                time.sleep(max(0.0, due - time.monotonic()))
                sent.append(attacker.send(attack, body or attack.body_for(len(sent))))
            windows.append((started, time.monotonic()))
            after = attacker.after()
            timed.append(server_time(before.metrics, after.metrics))
            cpu.append(
                cpu_per_send_ms(before, after, sends=len(sent), background_cpu_per_s=background)
            )
            sends.append(sent)
            say(f"  {attack.name}: {_brief(sent, timed[-1])}, gateway CPU {cpu[-1]:.1f} ms/send")
    finally:
        samples = bystander.stop()
    calm = [s.latency_ms for s in during(samples, *baseline)]
    return Replayed(
        baseline=summarize(calm) if calm else None,
        attacks=[
            summarize_attack(attack, sent, server, cpu_ms, window, during(samples, *window))
            for attack, sent, server, cpu_ms, window in zip(
                attacks, sends, timed, cpu, windows, strict=True
            )
        ],
    )


def _brief(sent: Sequence[Sent], server: ServerTime) -> str:
    statuses = Counter(s.status for s in sent)
    codes = Counter(s.code for s in sent)
    mean = f", server mean {server.mean_ms:.1f} ms" if server.mean_ms is not None else ""
    return (
        f"{len(sent)} sends, status {dict(statuses)}, codes {dict(codes)}{mean},"
        f" wait max {max(s.wall_ms for s in sent):.1f} ms"
    )
