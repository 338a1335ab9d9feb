"""The buckets in a real Redis: one atomic step per charge, and nothing left behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio
import redis.asyncio

from gateway.core.rate_limit.port import Claim, Rate
from gateway.core.rate_limit.redis_bucket import RedisBuckets
from gateway.core.redis_connection import open_redis

T0 = 1_764_000_000.0


@pytest_asyncio.fixture
async def admin(clean_redis: str) -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(clean_redis)
    yield client
    await client.aclose()


def buckets_at(url: str) -> RedisBuckets:
    return RedisBuckets(open_redis(url, socket_timeout_s=2.0))


async def test_many_concurrent_takes_from_several_processes_never_overspend(
    clean_redis: str, admin: redis.asyncio.Redis
) -> None:
    # Four clients (as four gateway processes), 100 charges each, all at once.
    rate = Rate(capacity=50, refill_per_s=0.001)
    processes = [buckets_at(clean_redis) for _ in range(4)]
    try:
        verdicts = await asyncio.gather(
            *(
                buckets.take(
                    [Claim("rate:shared", rate), Claim(f"rate:own:{n % 4}", rate)], 1, now=T0
                )
                for n, buckets in enumerate(processes * 100)
            )
        )
    finally:
        for buckets in processes:
            await buckets.aclose()
    assert sum(verdict.allowed for verdict in verdicts) == 50
    assert float(await admin.hget("rate:shared", "tokens")) == 0.0  # type: ignore[arg-type]
    # Each own bucket was charged for exactly the requests that got through.
    own = [float(await admin.hget(f"rate:own:{n}", "tokens")) for n in range(4)]  # type: ignore[arg-type]
    assert sum(50 - tokens for tokens in own) == 50


async def test_a_bucket_expires_when_it_would_be_full_again(
    clean_redis: str, admin: redis.asyncio.Redis
) -> None:
    buckets = buckets_at(clean_redis)
    try:
        assert (await buckets.take([Claim("rate:ttl", Rate(1000, 10.0))], 30, now=T0)).allowed
        ttl_ms = await admin.pttl("rate:ttl")
        assert 2_900 <= ttl_ms <= 3_000  # 30 tokens at 10 a second
        assert (await buckets.take([Claim("rate:quick", Rate(10, 100.0))], 10, now=T0)).allowed
        await asyncio.sleep(0.3)  # full again after 0.1 s
        assert not await admin.exists("rate:quick")
    finally:
        await buckets.aclose()


async def test_a_refusal_writes_nothing(clean_redis: str, admin: redis.asyncio.Redis) -> None:
    buckets = buckets_at(clean_redis)
    try:
        assert (await buckets.take([Claim("rate:never", Rate(10, 1.0))], 5, now=T0)).allowed
        assert not (await buckets.take([Claim("rate:never", Rate(10, 1.0))], 6, now=T0)).allowed
        assert await admin.hgetall("rate:never") == {b"tokens": b"5", b"at": b"1764000000"}
    finally:
        await buckets.aclose()
