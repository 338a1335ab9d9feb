"""Driving the storm: every member's visit on its schedule, and what the answers say.

Each member is a coroutine sending its own requests with its own token: the portal's
viewer document on arrival, then its dashboard at every due time (or at once, if the
previous answer came late, as a portal's poll does). Latency is measured from the send
to the whole answer read. An answer is an error if it is not a 200, carries GraphQL
`errors`, or names no account the member holds; a request the gateway never answered
(refused, reset, timed out) is one too.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

import aiohttp
import orjson

from bench.client import graphql_headers
from bench.portal_documents import PortalDocument
from bench.stats import LatencySummary, summarize
from bench.storm_members import Member
from bench.storm_plan import Visit

# Room for every member's open request at once, as from as many browsers; the kernel
# spreads the connections over the gateway's processes. One pool holds them all: aiohttp
# finds a free connection at a cost that does not grow with the pool (httpx's did, and at
# ~5 ms of CPU per request took the gateway's cores; docs/benchmarks.md, "The outage
# storm's load generator").
MAX_CONNECTIONS: Final = 512
REQUEST_TIMEOUT_S: Final = 60.0  # from the send to the whole answer read
# Below the gateway's idle timeout (uvicorn's 5 s): members poll every 15 s, and a
# connection the server closed in the meantime would fail the next poll sent on it
# (a browser would quietly open a new one; aiohttp does not retry a POST).
KEEPALIVE_EXPIRY_S: Final = 4.0
START_DELAY_S: Final = 0.2  # the schedule's zero, a moment after all coroutines exist


@dataclass(frozen=True, slots=True)
class Answer:
    document: str  # the operation name
    sent_s: float  # from the storm's start
    latency_ms: float
    error: str | None  # what went wrong, None for a complete answer
    told_out: bool = False  # a dashboard showing one of the member's locations out


def judge(status: int, body: bytes) -> tuple[str | None, bool]:
    """An answer's error (None if complete), and whether it shows a location out."""
    if status != HTTPStatus.OK:
        return f"HTTP {status}", False
    try:
        payload: dict[str, Any] = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "unreadable JSON", False
    errors = payload.get("errors")
    if errors:
        codes = sorted({str((e.get("extensions") or {}).get("code", "?")) for e in errors})
        return f"errors: {', '.join(codes)}", False
    data = payload.get("data") or {}
    account = data.get("account")
    if account is None:
        return (None, False) if data.get("viewer") is not None else ("no data", False)
    if account.get("__typename") != "Account":
        return f"answered {account.get('__typename')}", False
    locations = account.get("serviceLocations") or []
    return None, any((loc.get("outageStatus") or {}).get("isOut") for loc in locations)


async def _ask(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str],
    document: str,
    start: float,
) -> Answer:
    sent = time.perf_counter()
    try:
        async with session.post(url, data=body, headers=headers) as response:
            error, told_out = judge(response.status, await response.read())
    except (aiohttp.ClientError, TimeoutError) as failure:
        error, told_out = f"no answer: {type(failure).__name__}", False
    return Answer(
        document=document,
        sent_s=sent - start,
        latency_ms=(time.perf_counter() - sent) * 1000,
        error=error,
        told_out=told_out,
    )


def _browsers() -> aiohttp.ClientSession:
    """One pool of connections for every member, keeping no cookies: each member is
    known by its own token alone, as in its own browser."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS, keepalive_timeout=KEEPALIVE_EXPIRY_S),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


async def drive(
    visits: Sequence[Visit],
    members: Sequence[Member],
    *,
    graphql_url: str,
    viewer: PortalDocument,
    dashboard: PortalDocument,
) -> tuple[list[Answer], float]:
    """Every answer, and the seconds from the first send to the last answer."""
    answers: list[Answer] = []
    async with _browsers() as session:
        start = time.perf_counter() + START_DELAY_S

        async def visit(plan: Visit) -> None:
            member = members[plan.member]
            headers = graphql_headers(member.token)
            asked = dashboard.body({"number": member.account_number})
            for n, due_s in enumerate(plan.dashboards_at_s):
                await asyncio.sleep(max(0.0, start + due_s - time.perf_counter()))
                if n == 0:
                    answers.append(
                        await _ask(
                            session,
                            graphql_url,
                            viewer.body({}),
                            headers=headers,
                            document=viewer.operation,
                            start=start,
                        )
                    )
                answers.append(
                    await _ask(
                        session,
                        graphql_url,
                        asked,
                        headers=headers,
                        document=dashboard.operation,
                        start=start,
                    )
                )

        await asyncio.gather(*(visit(plan) for plan in visits))
        finished = time.perf_counter()
    first = min((answer.sent_s for answer in answers), default=0.0)
    return answers, finished - start - first


@dataclass(frozen=True, slots=True)
class StormFigures:
    requests: int
    errors: int
    error_kinds: dict[str, int]
    requests_per_s: float
    latency: LatencySummary
    by_document: dict[str, LatencySummary]
    dashboards_told_out: int


def figures(answers: Sequence[Answer], duration_s: float) -> StormFigures:
    if not answers or duration_s <= 0:
        raise ValueError("a storm with answers over some time")
    kinds = Counter(answer.error for answer in answers if answer.error is not None)
    documents = sorted({answer.document for answer in answers})
    return StormFigures(
        requests=len(answers),
        errors=sum(kinds.values()),
        error_kinds=dict(kinds.most_common()),
        requests_per_s=len(answers) / duration_s,
        latency=summarize([answer.latency_ms for answer in answers]),
        by_document={
            name: summarize([a.latency_ms for a in answers if a.document == name])
            for name in documents
        },
        dashboards_told_out=sum(answer.told_out for answer in answers),
    )
