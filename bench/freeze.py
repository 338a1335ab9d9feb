"""A hung CIS under load: its stand-in stopped (SIGSTOP) while dashboards keep coming.

`clients` members' portals ask for the dashboard one request after the other, each on
its own connection. After a warm-up and `before_s`, the CIS stand-in's process is stopped
and the cache emptied (so that every CIS field must ask the CIS): the kernel still accepts its
connections, and no answer comes. After `freeze_s` it is continued. The dashboards go
on until one started after that comes back complete (the recovery), and `after_s` more.

Each request is counted by when it ran: *during* the freeze if it was in flight at any
moment of it, *after* once the gateway had recovered, *before* if it ended before the
CIS stopped. During the freeze an answer is *complete* (no errors), *partial* (data
with errors on the fields that needed the CIS) or *failed* (no data, or no answer).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

import httpx
import orjson

from bench.client import graphql_headers
from bench.stats import LatencySummary, summarize

REQUEST_TIMEOUT_S: Final = 60.0
POLL_S: Final = 0.05
SETTLE_S: Final = 0.25


class Outcome(Enum):
    COMPLETE = "complete"
    PARTIAL = "partial"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Record:
    started: float  # time.monotonic()
    ended: float
    status: int  # 0: no answer
    outcome: Outcome
    codes: tuple[str, ...]  # extensions.code of each error

    @property
    def latency_ms(self) -> float:
        return (self.ended - self.started) * 1000


@dataclass(frozen=True, slots=True)
class FreezePlan:
    clients: int = 10
    warmup_s: float = 3.0
    freeze_s: float = 10.0
    before_s: float = 3.0
    after_s: float = 3.0
    recovery_timeout_s: float = 30.0


@dataclass(frozen=True, slots=True)
class Timeline:
    measuring_from: float  # the first dashboards (cold) are not counted
    frozen_at: float
    thawed_at: float
    recovered_at: float | None


@dataclass(frozen=True, slots=True)
class FreezeFigures:
    before: LatencySummary | None
    during: LatencySummary | None
    after: LatencySummary | None
    complete: int
    partial: int
    failed: int
    error_codes: dict[str, int]
    statuses: dict[str, int]
    over_deadline: int
    recovery_s: float | None


def classify(status: int, body: bytes) -> tuple[Outcome, tuple[str, ...]]:
    """The outcome of one dashboard answer and its errors' codes."""
    if status == 0:
        return Outcome.FAILED, ()
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return Outcome.FAILED, ()
    if not isinstance(document, dict):
        return Outcome.FAILED, ()
    errors = document.get("errors") or []
    codes = tuple(str((e.get("extensions") or {}).get("code", "none")) for e in errors)
    if status != 200 or document.get("data") is None:
        return Outcome.FAILED, codes
    return (Outcome.PARTIAL if errors else Outcome.COMPLETE), codes


def figures(records: Sequence[Record], timeline: Timeline, *, deadline_s: float) -> FreezeFigures:
    before = [
        r for r in records if r.started >= timeline.measuring_from and r.ended <= timeline.frozen_at
    ]
    during = [r for r in records if r.started < timeline.thawed_at and r.ended > timeline.frozen_at]
    after = (
        [r for r in records if r.started >= timeline.recovered_at]
        if timeline.recovered_at is not None
        else []
    )
    outcomes = Counter(r.outcome for r in during)
    return FreezeFigures(
        before=_summary(before),
        during=_summary(during),
        after=_summary(after),
        complete=outcomes[Outcome.COMPLETE],
        partial=outcomes[Outcome.PARTIAL],
        failed=outcomes[Outcome.FAILED],
        error_codes=dict(Counter(code for r in during for code in r.codes)),
        statuses=dict(Counter(str(r.status) for r in during)),
        over_deadline=sum(1 for r in during if r.latency_ms > deadline_s * 1000),
        recovery_s=(
            None if timeline.recovered_at is None else timeline.recovered_at - timeline.thawed_at
        ),
    )


def _summary(records: Sequence[Record]) -> LatencySummary | None:
    return summarize([r.latency_ms for r in records]) if records else None


def first_recovery(records: Sequence[Record], thawed_at: float) -> float | None:
    """When the first request started after the thaw came back complete."""
    ends = [r.ended for r in records if r.started >= thawed_at and r.outcome is Outcome.COMPLETE]
    return min(ends) if ends else None


async def _dashboards(
    url: str, body: bytes, token: str, records: list[Record], stop: asyncio.Event
) -> None:
    headers = graphql_headers(token)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                response = await client.post(url, content=body, headers=headers)
                status, content = response.status_code, response.content
            except httpx.HTTPError:
                status, content = 0, b""
            outcome, codes = classify(status, content)
            records.append(Record(started, time.monotonic(), status, outcome, codes))


async def run_freeze(
    *,
    graphql_url: str,
    body: bytes,
    token: str,
    plan: FreezePlan,
    empty_cache: Callable[[], None],
    freeze: Callable[[], None],
    thaw: Callable[[], None],
) -> tuple[list[Record], Timeline]:
    records: list[Record] = []
    stop = asyncio.Event()
    clients = [
        asyncio.create_task(_dashboards(graphql_url, body, token, records, stop))
        for _ in range(plan.clients)
    ]
    try:
        await asyncio.sleep(plan.warmup_s)
        measuring_from = time.monotonic()
        await asyncio.sleep(plan.before_s)
        freeze()
        frozen_at = time.monotonic()
        try:
            # Answers the CIS gave just before it stopped are written to the cache as
            # they arrive: the cache is emptied once they have been.
            await asyncio.sleep(SETTLE_S)
            empty_cache()
            await asyncio.sleep(plan.freeze_s - SETTLE_S)
        finally:
            thaw()
        thawed_at = time.monotonic()
        give_up = thawed_at + plan.recovery_timeout_s
        recovered_at = None
        while recovered_at is None and time.monotonic() < give_up:
            await asyncio.sleep(POLL_S)
            recovered_at = first_recovery(records, thawed_at)
        await asyncio.sleep(plan.after_s)
    finally:
        stop.set()
        await asyncio.gather(*clients, return_exceptions=True)
    return records, Timeline(measuring_from, frozen_at, thawed_at, recovered_at)
