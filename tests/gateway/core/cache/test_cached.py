"""Reading through the cache: one read per batch, the backend only for what is missing."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from adapters.cis.port import Balance, CisNotFound, CisUnavailable, Customer
from gateway.core.cache import kinds
from gateway.core.cache.cached import TtlRule, load_through_cache
from gateway.core.cache.keys import key_parts
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.single_flight import SingleFlight
from tests.gateway.core.cache import examples
from tests.gateway.core.cache.doubles import FakeClock, RecordingCache

KNOWN = {
    "C1": examples.CUSTOMER,
    "C2": examples.BARE_CUSTOMER,
    "C3": examples.CUSTOMER,
}


class Backend:
    """Answers like a CIS adapter: customers it knows, NotFound for others."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []
        self.down = False

    async def load(self, ids: Sequence[str]) -> list[Customer | Exception]:
        self.asked.append(list(ids))
        if self.down:
            return [CisUnavailable("the CIS did not answer") for _ in ids]
        return [KNOWN.get(i) or CisNotFound(f"no customer {i}") for i in ids]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(clock: FakeClock) -> RecordingCache:
    return RecordingCache(MemoryCache(clock=clock))


@pytest.fixture
def backend() -> Backend:
    return Backend()


async def read(
    cache: RecordingCache,
    backend: Backend,
    ids: Sequence[str],
    *,
    ttl_s: TtlRule[str, Customer] = 3600.0,
) -> list[Customer | Exception]:
    return await load_through_cache(
        cache,
        kind=kinds.CUSTOMER,
        keys=ids,
        key_to_str=key_parts,
        load_missing=backend.load,
        ttl_s=ttl_s,
        not_found_ttl_s=30.0,
        flights=SingleFlight(),
    )


async def test_a_batch_is_one_cache_read_and_one_backend_call_for_the_misses(
    cache: RecordingCache, backend: Backend
) -> None:
    await read(cache, backend, ["C2"])
    cache.gets.clear()
    cache.sets.clear()

    results = await read(cache, backend, ["C1", "C2", "C3", "C1"])

    assert results == [KNOWN["C1"], KNOWN["C2"], KNOWN["C3"], KNOWN["C1"]]
    assert len(cache.gets) == 1
    assert cache.gets[0] == [kinds.CUSTOMER.key(i) for i in ("C1", "C2", "C3")]
    assert backend.asked == [["C2"], ["C1", "C3"]]
    assert len(cache.sets) == 1
    stored, ttl = cache.sets[0]
    assert set(stored) == {kinds.CUSTOMER.key("C1"), kinds.CUSTOMER.key("C3")}
    assert ttl == 3600.0


async def test_a_batch_fully_cached_never_reaches_the_backend(
    cache: RecordingCache, backend: Backend
) -> None:
    await read(cache, backend, ["C1", "C2"])
    backend.asked.clear()
    cache.sets.clear()
    assert await read(cache, backend, ["C2", "C1"]) == [KNOWN["C2"], KNOWN["C1"]]
    assert backend.asked == []
    assert cache.sets == []


async def test_not_found_is_returned_and_remembered_briefly(
    cache: RecordingCache, backend: Backend, clock: FakeClock
) -> None:
    first = await read(cache, backend, ["C404", "C1"])
    second = await read(cache, backend, ["C404"])

    for result in (first[0], second[0]):
        assert isinstance(result, CisNotFound)
        assert str(result) == "no customer C404"
    assert first[1] == KNOWN["C1"]
    assert backend.asked == [["C404", "C1"]]
    assert sorted(ttl for _, ttl in cache.sets) == [30.0, 3600.0]

    clock.advance(30)
    await read(cache, backend, ["C404"])
    assert backend.asked == [["C404", "C1"], ["C404"]]


async def test_other_errors_are_returned_but_not_cached(
    cache: RecordingCache, backend: Backend
) -> None:
    backend.down = True
    results = await read(cache, backend, ["C1", "C2"])
    assert all(isinstance(result, CisUnavailable) for result in results)
    assert cache.sets == []

    backend.down = False
    assert await read(cache, backend, ["C1", "C2"]) == [KNOWN["C1"], KNOWN["C2"]]
    assert backend.asked == [["C1", "C2"], ["C1", "C2"]]


async def test_a_loader_that_raises_fails_each_of_its_keys_uncached(
    cache: RecordingCache,
) -> None:
    error = CisUnavailable("connection refused")
    calls = 0

    async def raising(ids: Sequence[str]) -> list[Customer | Exception]:
        nonlocal calls
        calls += 1
        raise error

    for _ in range(2):
        results = await load_through_cache(
            cache,
            kind=kinds.CUSTOMER,
            keys=["C1", "C2"],
            key_to_str=key_parts,
            load_missing=raising,
            ttl_s=60.0,
            flights=SingleFlight(),
        )
        assert results == [error, error]
    assert calls == 2
    assert cache.sets == []


async def test_a_loader_answering_the_wrong_number_of_results_fails_the_keys(
    cache: RecordingCache,
) -> None:
    async def short(ids: Sequence[str]) -> list[Customer | Exception]:
        return [examples.CUSTOMER]

    results = await load_through_cache(
        cache,
        kind=kinds.CUSTOMER,
        keys=["C1", "C2"],
        key_to_str=key_parts,
        load_missing=short,
        ttl_s=60.0,
        flights=SingleFlight(),
    )
    assert all(isinstance(result, ValueError) for result in results)
    assert cache.sets == []


async def test_a_ttl_rule_sets_each_value_s_ttl_and_zero_means_do_not_cache(
    cache: RecordingCache, backend: Backend
) -> None:
    def ttl(customer_id: str, customer: Customer) -> float:
        return {"C1": 60.0, "C2": 0.0}.get(customer_id, 3600.0)

    await read(cache, backend, ["C1", "C2", "C3"], ttl_s=ttl)

    by_ttl = {ttl_s: set(items) for items, ttl_s in cache.sets}
    assert by_ttl == {
        60.0: {kinds.CUSTOMER.key("C1")},
        3600.0: {kinds.CUSTOMER.key("C3")},
    }


async def test_an_unreadable_entry_is_loaded_again_and_replaced(
    cache: RecordingCache, backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    await cache.set_many({kinds.CUSTOMER.key("C1"): b"v[garbage"}, ttl_s=60)
    with caplog.at_level(logging.WARNING, logger="gateway.core.cache.cached"):
        assert await read(cache, backend, ["C1"]) == [KNOWN["C1"]]
    assert backend.asked == [["C1"]]
    assert "Unreadable customer cache entry" in caplog.text
    assert await read(cache, backend, ["C1"]) == [KNOWN["C1"]]
    assert backend.asked == [["C1"]]


async def test_a_value_the_kind_cannot_store_is_returned_and_not_cached(
    cache: RecordingCache, caplog: pytest.LogCaptureFixture
) -> None:
    async def wrong_type(ids: Sequence[str]) -> list[Any]:
        return [examples.BALANCE for _ in ids]

    with caplog.at_level(logging.ERROR, logger="gateway.core.cache.cached"):
        results = await load_through_cache(
            cache,
            kind=kinds.CUSTOMER,
            keys=["C1"],
            key_to_str=key_parts,
            load_missing=wrong_type,
            ttl_s=60.0,
            flights=SingleFlight(),
        )
    assert isinstance(results[0], Balance)
    assert cache.sets == []
    assert "Cannot cache a value of kind customer" in caplog.text


async def test_the_cache_read_is_skipped_for_an_empty_batch(
    cache: RecordingCache, backend: Backend
) -> None:
    assert await read(cache, backend, []) == []
    assert cache.gets == []
    assert backend.asked == []


class BrokenCache(RecordingCache):
    """A cache implementation that raises instead of answering misses."""

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        raise RuntimeError("broken cache read")

    async def set_many(self, items: Mapping[str, bytes], *, ttl_s: float) -> None:
        raise RuntimeError("broken cache write")


async def test_a_cache_that_raises_costs_the_cache_but_not_the_request(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    cache = BrokenCache(MemoryCache())
    with caplog.at_level(logging.ERROR, logger="gateway.core.cache.cached"):
        results = await read(cache, backend, ["C1", "C404"])
    assert results[0] == KNOWN["C1"]
    assert isinstance(results[1], CisNotFound)
    assert backend.asked == [["C1", "C404"]]
    assert "broken cache read" in caplog.text
    assert "broken cache write" in caplog.text
