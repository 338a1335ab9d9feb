"""The near cache: decoded answers kept for seconds in this process, in front of Redis."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from adapters.cis.port import CisNotFound, Customer
from adapters.meters.port import HourlyReads
from gateway.core.cache import invalidate, kinds
from gateway.core.cache.cached import load_through_cache
from gateway.core.cache.keys import key_parts
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.near import NearCache, WithNearCache
from gateway.core.cache.single_flight import SingleFlight
from tests.gateway.core.cache import examples
from tests.gateway.core.cache.doubles import FakeClock, RecordingCache

NEAR_TTL_S = 2.0


class Backend:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    async def load(self, ids: Sequence[str]) -> list[Customer | Exception]:
        self.asked.append(list(ids))
        return [examples.CUSTOMER if i == "C1" else CisNotFound(f"no customer {i}") for i in ids]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def process(shared: RecordingCache, clock: FakeClock) -> WithNearCache:
    """One gateway process: its own near cache over the shared one."""
    return WithNearCache(shared, NearCache(ttl_s=NEAR_TTL_S, clock=clock))


async def read(cache: WithNearCache, backend: Backend, ids: Sequence[str]) -> list[object]:
    return list(
        await load_through_cache(
            cache,
            kind=kinds.CUSTOMER,
            keys=ids,
            key_to_str=key_parts,
            load_missing=backend.load,
            ttl_s=3600.0,
            not_found_ttl_s=30.0,
            flights=SingleFlight(),
        )
    )


async def test_answers_are_served_from_the_near_cache_without_a_shared_read(
    clock: FakeClock,
) -> None:
    shared = RecordingCache(MemoryCache(clock=clock))
    cache, backend = process(shared, clock), Backend()

    first = await read(cache, backend, ["C1", "C404"])
    shared.gets.clear()
    second = await read(cache, backend, ["C404", "C1"])

    assert second[1] is first[0]  # the very object: nothing was decoded again
    assert isinstance(second[0], CisNotFound)
    assert shared.gets == []
    assert backend.asked == [["C1", "C404"]]


async def test_after_its_ttl_the_near_cache_reads_the_shared_cache_again(
    clock: FakeClock,
) -> None:
    shared = RecordingCache(MemoryCache(clock=clock))
    cache, backend = process(shared, clock), Backend()
    await read(cache, backend, ["C1"])

    clock.advance(NEAR_TTL_S)
    assert await read(cache, backend, ["C1"]) == [examples.CUSTOMER]

    assert shared.gets == [[kinds.CUSTOMER.key("C1")], [kinds.CUSTOMER.key("C1")]]
    assert backend.asked == [["C1"]]  # the shared cache still had it


async def test_an_invalidation_drops_the_near_entry_of_its_process_at_once(
    clock: FakeClock,
) -> None:
    shared = RecordingCache(MemoryCache(clock=clock))
    writer, other = process(shared, clock), process(shared, clock)
    backend = Backend()
    await read(writer, backend, ["C1"])
    await read(other, backend, ["C1"])

    await invalidate.after_customer_change(writer, customer_id="C1")
    await read(writer, backend, ["C1"])
    await read(other, backend, ["C1"])  # still within its near TTL: its own copy
    clock.advance(NEAR_TTL_S)
    await read(other, backend, ["C1"])

    assert backend.asked == [["C1"], ["C1"]]  # the writer asked again at once
    assert shared.deletes == [[kinds.CUSTOMER.key("C1")]]
    assert shared.gets[-1] == [kinds.CUSTOMER.key("C1")]  # the other, after its TTL


def test_memory_is_bounded_by_weight_least_recently_used_first(clock: FakeClock) -> None:
    near = NearCache(ttl_s=60, max_weight=10, clock=clock)
    near.keep({"a": (1, 2, 3), "b": "x", "c": (4, 5)})  # weights 4, 1 and 3
    assert near.lookup(["a"]) == {"a": (1, 2, 3)}  # now the most recent
    near.keep({"d": (6, 7, 8)})  # weight 4: 12 > 10, so the least recent go (b, then c)

    assert set(near.lookup(["a", "b", "c", "d"])) == {"a", "d"}
    assert near.weight == 8
    near.keep({"huge": tuple(range(20))})  # heavier than the whole budget: not kept
    assert near.lookup(["huge"]) == {}


def test_columns_of_reads_weigh_their_rows(clock: FakeClock) -> None:
    near = NearCache(ttl_s=60, max_weight=10, clock=clock)
    nine_hours = HourlyReads(tuple(range(9)), (0.5,) * 9, (False,) * 9)
    near.keep({"hours": nine_hours, "station": "KDEN-LONG-NAME"})  # weights 10 and 1
    assert set(near.lookup(["hours", "station"])) == {"station"}  # 11 > 10: hours went
    assert near.weight == 1


def test_a_shorter_ttl_than_its_own_is_honoured(clock: FakeClock) -> None:
    near = NearCache(ttl_s=5, clock=clock)
    near.keep({"short": 1}, ttl_s=1)
    near.keep({"not-kept": 2}, ttl_s=0)
    clock.advance(1)
    assert near.lookup(["short", "not-kept"]) == {}


def test_a_near_cache_needs_a_positive_ttl() -> None:
    with pytest.raises(ValueError, match="ttl_s"):
        NearCache(ttl_s=0)
