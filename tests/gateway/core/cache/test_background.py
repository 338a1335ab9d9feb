"""Cache writes made after the answer: the answer does not wait, and nothing is lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

import pytest

from adapters.cis.port import Customer
from gateway.core.cache import kinds
from gateway.core.cache.background import BackgroundWrites, writes_held
from gateway.core.cache.cached import load_through_cache
from gateway.core.cache.entry import decode_entry
from gateway.core.cache.keys import key_parts
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.single_flight import SingleFlight
from tests.gateway.core.cache import examples
from tests.gateway.core.cache.doubles import FakeClock, RecordingCache


class Counted:
    def __init__(self) -> None:
        self.queued = 0
        self.done = 0

    def cache_write_queued(self) -> None:
        self.queued += 1

    def cache_write_done(self) -> None:
        self.done += 1


class HeldCache(RecordingCache):
    """Writes wait until the test lets them through."""

    def __init__(self) -> None:
        super().__init__(MemoryCache(clock=FakeClock()))
        self.release = asyncio.Event()

    async def set_many(self, items: Mapping[str, bytes], *, ttl_s: float) -> None:
        await self.release.wait()
        await super().set_many(items, ttl_s=ttl_s)


async def load_customers(ids: Sequence[str]) -> list[Customer | Exception]:
    return [examples.CUSTOMER for _ in ids]


async def read_through(cache: RecordingCache, writes: BackgroundWrites) -> list[object]:
    results = await load_through_cache(
        cache,
        kind=kinds.CUSTOMER,
        keys=["C1"],
        key_to_str=key_parts,
        load_missing=load_customers,
        ttl_s=60.0,
        flights=SingleFlight(),
        writes=writes,
    )
    return list(results)


async def test_the_answer_comes_before_its_cache_write_which_is_then_made() -> None:
    cache = HeldCache()
    counted = Counted()
    writes = BackgroundWrites(counted)

    answer = await asyncio.wait_for(read_through(cache, writes), timeout=5)

    assert answer == [examples.CUSTOMER]
    assert cache.sets == []
    assert (writes.pending, counted.queued, counted.done) == (1, 1, 0)
    cache.release.set()
    await writes.drain()
    assert (writes.pending, counted.queued, counted.done) == (0, 1, 1)
    (stored,) = await cache.get_many([kinds.CUSTOMER.key("C1")])
    assert stored is not None
    assert decode_entry(kinds.CUSTOMER.codec, stored) == examples.CUSTOMER


async def test_a_failed_write_is_logged_and_counted_done(caplog: pytest.LogCaptureFixture) -> None:
    counted = Counted()
    writes = BackgroundWrites(counted)

    async def failing() -> None:
        raise RuntimeError("the store went away")

    writes.start(failing())
    with caplog.at_level(logging.ERROR, logger="gateway.core.cache.background"):
        await writes.drain()

    assert (writes.pending, counted.queued, counted.done) == (0, 1, 1)
    assert "background cache write failed" in caplog.text


async def test_drain_waits_for_writes_started_while_it_waits() -> None:
    writes = BackgroundWrites()
    made: list[str] = []

    async def second() -> None:
        await asyncio.sleep(0)
        made.append("second")

    async def first() -> None:
        await asyncio.sleep(0)
        made.append("first")
        writes.start(second())

    writes.start(first())
    await writes.drain()

    assert made == ["first", "second"]
    assert writes.pending == 0


async def test_writes_started_while_held_start_when_the_hold_ends() -> None:
    counted = Counted()
    writes = BackgroundWrites(counted)
    made: list[str] = []

    async def write(name: str) -> None:
        made.append(name)

    with writes_held():
        writes.start(write("held"))
        await asyncio.sleep(0)  # a task would have run by now
        assert (made, writes.pending, counted.queued) == ([], 0, 1)
    assert writes.pending == 1
    await writes.drain()

    assert made == ["held"]
    assert (counted.queued, counted.done) == (1, 1)


async def test_a_write_started_after_the_hold_ended_starts_at_once() -> None:
    """A task the held block started may outlive it: its writes are not left waiting."""
    writes = BackgroundWrites()
    made: list[str] = []
    release = asyncio.Event()

    async def write() -> None:
        made.append("late")

    async def outliving() -> None:
        await release.wait()
        writes.start(write())

    with writes_held():
        task = asyncio.create_task(outliving())
    release.set()
    await task
    assert writes.pending == 1
    await writes.drain()

    assert made == ["late"]


async def test_held_writes_start_even_when_the_block_fails() -> None:
    writes = BackgroundWrites()
    made: list[str] = []

    async def write() -> None:
        made.append("written")

    def fail_holding() -> None:
        with writes_held():
            writes.start(write())
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        fail_holding()
    await writes.drain()

    assert made == ["written"]


async def test_settle_makes_the_held_and_the_running_writes_before_it_returns() -> None:
    """What a delete waits for: neither this request's held writes nor an earlier
    request's running ones can land after it."""
    writes = BackgroundWrites()
    made: list[str] = []
    earlier_may_finish = asyncio.Event()

    async def earlier() -> None:
        await earlier_may_finish.wait()
        made.append("earlier")

    async def write(name: str) -> None:
        made.append(name)

    writes.start(earlier())
    with writes_held():
        writes.start(write("this request's"))
        settled = asyncio.create_task(writes.settle())
        await asyncio.sleep(0)
        assert not settled.done()  # the earlier write is still under way
        earlier_may_finish.set()
        await settled
        assert sorted(made) == ["earlier", "this request's"]
        writes.start(write("after the delete"))  # held again, as any write of the request
        await asyncio.sleep(0)
        assert "after the delete" not in made
    await writes.drain()
    assert made[-1] == "after the delete"
