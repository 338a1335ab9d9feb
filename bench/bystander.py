"""The other client: another member sending a small query at a steady rate, in a process
of its own, while the attacks are replayed.

Its own process, so that what the harness does to send an attack (building a 10 MB
body, reading an answer) never delays it: what it sees is the gateway's doing. Each
request is sent when it is due, whether or not the ones before it have been answered
(an open loop, on as many connections as that takes), and timed from then: a gateway
that stalls for a second delays every request due in that second, and each of them
counts, as wrk2 does it. Its samples carry their due time on the system's monotonic
clock, which every process reads alike, so the harness can tell which fell during which
attack.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Final

import httpx
import orjson

from bench.client import graphql_headers

# Signs in the second member and asks for the viewer's email: no backend call, a
# session lookup and the smallest execution the gateway has.
PROBE_OPERATION: Final = "BystanderProbe"
PROBE_QUERY: Final = f"query {PROBE_OPERATION} {{ viewer {{ email }} }}"
REQUEST_TIMEOUT_S: Final = 30.0
MAX_IDLE_CONNECTIONS: Final = 20
STOP_TIMEOUT_S: Final = 60.0


@dataclass(frozen=True, slots=True)
class Sample:
    due: float  # time.monotonic() when the request was due
    latency_ms: float  # from `due` to the end of the answer
    status: int  # 0: no answer (connection error or timeout)


def during(samples: Sequence[Sample], start: float, end: float) -> list[Sample]:
    """The samples whose requests were due from `start` to `end`."""
    return [s for s in samples if start <= s.due <= end]


async def _sample(
    url: str, token: str, interval_s: float, local_address: str | None, stop: Event
) -> list[tuple[float, float, int]]:
    body = orjson.dumps({"query": PROBE_QUERY, "operationName": PROBE_OPERATION})
    headers = graphql_headers(token)
    samples: list[tuple[float, float, int]] = []
    transport = httpx.AsyncHTTPTransport(local_address=local_address)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=MAX_IDLE_CONNECTIONS)
    async with httpx.AsyncClient(
        transport=transport, timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as client:

        async def one(due: float) -> None:
            try:
                status = (await client.post(url, content=body, headers=headers)).status_code
            except httpx.HTTPError:
                status = 0
            samples.append((due, (time.monotonic() - due) * 1000, status))

        in_flight: set[asyncio.Task[None]] = set()
        due = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            task = asyncio.create_task(one(due))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            due += interval_s
        await asyncio.gather(*in_flight)
    return samples


def _probe(
    url: str,
    token: str,
    interval_s: float,
    local_address: str | None,
    stop: Event,
    results: Connection,
) -> None:
    results.send(asyncio.run(_sample(url, token, interval_s, local_address, stop)))
    results.close()


class Bystander:
    """The other client's process: sampling from `start` until `stop`."""

    def __init__(
        self, url: str, token: str, *, interval_s: float, local_address: str | None
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_probe,
            args=(url, token, interval_s, local_address, self._stop, send),
            name="bench-bystander",
            daemon=True,
        )

    def start(self) -> None:
        self._process.start()

    def stop(self) -> list[Sample]:
        """Every sample, once the process has finished its last request."""
        self._stop.set()
        try:
            if not self._receive.poll(STOP_TIMEOUT_S):
                return []
            raw: list[tuple[float, float, int]] = self._receive.recv()
        finally:
            self._process.join(STOP_TIMEOUT_S)
            if self._process.is_alive():
                self._process.kill()
        return [Sample(due, latency, status) for due, latency, status in raw]
