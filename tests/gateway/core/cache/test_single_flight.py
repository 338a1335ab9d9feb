"""Concurrent misses of the same key cost one backend call, shared by every caller."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from adapters.cis.port import CisUnavailable, Customer
from gateway.core.cache import kinds
from gateway.core.cache.cached import load_through_cache
from gateway.core.cache.keys import key_parts
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.single_flight import SingleFlight, single_flight_for_loop
from tests.gateway.core.cache import examples
from tests.gateway.core.cache.doubles import RecordingCache

CALLERS = 20


class GatedBackend:
    """Holds every load until the test opens the gate, so callers pile up behind it."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []
        self.gate = asyncio.Event()
        self.error: Exception | None = None

    async def load(self, ids: Sequence[str]) -> list[Customer | Exception]:
        self.asked.append(list(ids))
        await self.gate.wait()
        if self.error is not None:
            raise self.error
        return [examples.CUSTOMER for _ in ids]


class CountingCache(RecordingCache):
    """Signals once `expected` cache reads have been made."""

    def __init__(self, expected: int) -> None:
        super().__init__(MemoryCache())
        self.expected = expected
        self.all_read = asyncio.Event()

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        values = await super().get_many(keys)
        if len(self.gets) == self.expected:
            self.all_read.set()
        return values


async def read(
    cache: RecordingCache, backend: GatedBackend, flights: SingleFlight, ids: Sequence[str]
) -> list[Customer | Exception]:
    return await load_through_cache(
        cache,
        kind=kinds.CUSTOMER,
        keys=ids,
        key_to_str=key_parts,
        load_missing=backend.load,
        ttl_s=60.0,
        flights=flights,
    )


async def start_callers(
    backend: GatedBackend, flights: SingleFlight, batches: Sequence[Sequence[str]]
) -> tuple[CountingCache, list[asyncio.Task[list[Customer | Exception]]]]:
    """Start one caller per batch and return once all of them are waiting."""
    cache = CountingCache(expected=len(batches))
    tasks = [asyncio.create_task(read(cache, backend, flights, batch)) for batch in batches]
    # A caller joins the flight in the same step its cache read returns, so once every
    # caller has read, every caller is waiting on the flight.
    await cache.all_read.wait()
    return cache, tasks


async def test_concurrent_callers_missing_one_key_share_one_backend_call() -> None:
    backend, flights = GatedBackend(), SingleFlight()
    cache, tasks = await start_callers(backend, flights, [["C1"]] * CALLERS)
    assert flights.in_flight == 1

    backend.gate.set()
    results = await asyncio.gather(*tasks)

    assert results == [[examples.CUSTOMER]] * CALLERS
    assert backend.asked == [["C1"]]
    assert len(cache.sets) == 1
    assert flights.in_flight == 0


async def test_a_caller_loads_only_the_keys_nobody_is_loading_yet() -> None:
    backend, flights = GatedBackend(), SingleFlight()
    _, tasks = await start_callers(backend, flights, [["C1", "C2"], ["C2", "C3"]])

    backend.gate.set()
    await asyncio.gather(*tasks)

    assert sorted(backend.asked) == [["C1", "C2"], ["C3"]]


async def test_a_failed_load_reaches_every_waiter_and_is_tried_again_later() -> None:
    backend, flights = GatedBackend(), SingleFlight()
    backend.error = CisUnavailable("the CIS did not answer")
    cache, tasks = await start_callers(backend, flights, [["C1"]] * CALLERS)

    backend.gate.set()
    results = await asyncio.gather(*tasks)

    assert all(result == [backend.error] for result in results)
    assert backend.asked == [["C1"]]
    assert flights.in_flight == 0
    assert cache.sets == []

    backend.error = None
    assert await read(cache, backend, flights, ["C1"]) == [examples.CUSTOMER]
    assert backend.asked == [["C1"], ["C1"]]


async def test_the_caller_that_started_a_load_can_go_away_without_failing_the_others() -> None:
    backend, flights = GatedBackend(), SingleFlight()
    cache, tasks = await start_callers(backend, flights, [["C1"]] * 3)

    tasks[0].cancel()
    backend.gate.set()
    results = await asyncio.gather(*tasks[1:])

    assert results == [[examples.CUSTOMER]] * 2
    assert tasks[0].cancelled()
    assert backend.asked == [["C1"]]
    assert len(cache.sets) == 1  # the value was still stored for later requests


async def test_there_is_one_shared_single_flight_per_event_loop() -> None:
    assert single_flight_for_loop() is single_flight_for_loop()


def test_each_event_loop_gets_its_own_single_flight() -> None:
    async def current() -> SingleFlight:
        return single_flight_for_loop()

    with asyncio.Runner() as first, asyncio.Runner() as second:
        assert first.run(current()) is not second.run(current())


@pytest.mark.parametrize("callers", [1, 2])
async def test_without_a_flights_argument_the_loop_s_shared_one_is_used(callers: int) -> None:
    backend = GatedBackend()
    backend.gate.set()
    cache = RecordingCache(MemoryCache())
    results = await asyncio.gather(
        *(
            load_through_cache(
                cache,
                kind=kinds.CUSTOMER,
                keys=["C1"],
                key_to_str=key_parts,
                load_missing=backend.load,
                ttl_s=60.0,
            )
            for _ in range(callers)
        )
    )
    assert results == [[examples.CUSTOMER]] * callers
    assert backend.asked == [["C1"]]
