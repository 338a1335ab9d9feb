"""Redis down or slow: the charge is taken in this process, at once, and never fails."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import redis

from gateway.core.rate_limit.fallback import FallbackBuckets
from gateway.core.rate_limit.memory_bucket import MemoryBuckets
from gateway.core.rate_limit.port import Claim, Rate, Verdict
from gateway.core.rate_limit.redis_bucket import RedisBuckets
from gateway.core.redis_breaker import TIMEOUTS_TO_OPEN, RedisBreaker
from gateway.core.redis_connection import open_redis
from tests.fixtures.redis import RedisServer
from tests.gateway.core.cache.doubles import FakeClock

T0 = 1_764_000_000.0
RATE = Rate(capacity=10, refill_per_s=1.0)
LOGGER = "gateway.core.rate_limit.fallback"


class HungStore:
    """Shared buckets that never answer, counting the calls made to them."""

    def __init__(self) -> None:
        self.calls = 0

    async def take(self, claims: Sequence[Claim], cost: int, *, now: float) -> Verdict:
        self.calls += 1
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        pass


def fallback_over(shared: HungStore | RedisBuckets, clock: FakeClock) -> FallbackBuckets:
    return FallbackBuckets(
        shared,
        local=MemoryBuckets(),
        breaker=RedisBreaker(timeout_s=0.05, retry_interval_s=5.0, clock=clock),
        name="Redis at test",
    )


async def test_a_hung_store_costs_a_few_timeouts_then_none_until_the_probe() -> None:
    clock, store = FakeClock(), HungStore()
    buckets = fallback_over(store, clock)
    started = time.perf_counter()
    first = await buckets.take([Claim("k", RATE)], 4, now=T0)
    assert first.allowed
    assert time.perf_counter() - started >= 0.05
    for _ in range(TIMEOUTS_TO_OPEN - 1):
        assert (await buckets.take([Claim("other", RATE)], 1, now=T0)).allowed
    assert store.calls == TIMEOUTS_TO_OPEN
    verdicts = [await buckets.take([Claim("k", RATE)], 4, now=T0) for _ in range(3)]
    assert store.calls == TIMEOUTS_TO_OPEN  # the breaker is open: this process's buckets
    # ... which keep counting: 10 tokens, 4 taken by the first charge.
    assert [v.allowed for v in verdicts] == [True, False, False]
    clock.advance(5.0)
    await buckets.take([Claim("k", RATE)], 1, now=T0)
    assert store.calls == TIMEOUTS_TO_OPEN + 1  # one probe


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path) as server:
        yield server


def held_in_redis(url: str, key: str) -> bool:
    client = redis.Redis.from_url(url)
    try:
        return bool(client.exists(key))
    finally:
        client.close()


async def test_with_redis_stopped_charges_are_taken_here_and_redis_is_used_again_later(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    buckets = fallback_over(RedisBuckets(open_redis(own_redis.url, socket_timeout_s=2.0)), clock)
    try:
        assert (await buckets.take([Claim("rate:a", RATE)], 1, now=T0)).allowed
        assert held_in_redis(own_redis.url, "rate:a")

        own_redis.stop()
        with caplog.at_level(logging.INFO, logger=LOGGER):
            during = [
                (await buckets.take([Claim("rate:b", RATE)], 3, now=T0)).allowed for _ in range(4)
            ]
            assert during == [True, True, True, False]  # limited here, never failed

            own_redis.start()  # same port, empty
            clock.advance(5.0)
            assert (await buckets.take([Claim("rate:c", RATE)], 1, now=T0)).allowed
        assert held_in_redis(own_redis.url, "rate:c")
        messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
        assert len(messages) == 2, messages  # one line when it went, one when it came back
        assert "unavailable" in messages[0]
        assert "answers again" in messages[1]
    finally:
        await buckets.aclose()
