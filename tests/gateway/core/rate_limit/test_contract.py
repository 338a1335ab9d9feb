"""What any token buckets must do, run against the in-process ones and real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from gateway.core.rate_limit.memory_bucket import MemoryBuckets
from gateway.core.rate_limit.port import Buckets, Claim, Rate
from gateway.core.rate_limit.redis_bucket import RedisBuckets
from gateway.core.redis_connection import open_redis

T0 = 1_764_000_000.0  # a wall-clock instant, as the limiter passes
TEN_A_SECOND = Rate(capacity=100, refill_per_s=10.0)
SMALL = Rate(capacity=20, refill_per_s=1.0)


@pytest_asyncio.fixture(params=["memory", "redis"])
async def buckets(request: pytest.FixtureRequest) -> AsyncIterator[Buckets]:
    subject: Buckets
    if request.param == "memory":
        subject = MemoryBuckets()
    else:
        url: str = request.getfixturevalue("clean_redis")
        subject = RedisBuckets(open_redis(url, socket_timeout_s=2.0))
    yield subject
    await subject.aclose()


def claim(key: str, rate: Rate = TEN_A_SECOND) -> Claim:
    return Claim(f"test:{key}", rate)


async def test_a_full_bucket_lets_a_burst_of_its_capacity_through_then_refuses(
    buckets: Buckets,
) -> None:
    allowed = [(await buckets.take([claim("burst")], 10, now=T0)).allowed for _ in range(11)]
    assert allowed == [True] * 10 + [False]


async def test_a_refusal_says_how_long_until_the_charge_fits_and_then_it_does(
    buckets: Buckets,
) -> None:
    assert (await buckets.take([claim("wait")], 95, now=T0)).allowed
    refused = await buckets.take([claim("wait")], 30, now=T0 + 1.0)  # 5 + 10 held
    assert not refused.allowed
    assert refused.retry_after_s == pytest.approx(1.5)  # 15 short at 10 a second
    assert refused.refused_by == "test:wait"
    early = await buckets.take([claim("wait")], 30, now=T0 + 2.4)
    assert not early.allowed
    assert early.retry_after_s == pytest.approx(0.1)
    assert (await buckets.take([claim("wait")], 30, now=T0 + 2.5)).allowed


async def test_a_refused_request_spends_nothing(buckets: Buckets) -> None:
    assert (await buckets.take([claim("spent")], 60, now=T0)).allowed
    for _ in range(5):
        assert not (await buckets.take([claim("spent")], 50, now=T0)).allowed
    assert (await buckets.take([claim("spent")], 40, now=T0)).allowed


async def test_an_idle_bucket_refills_to_its_capacity_and_no_further(buckets: Buckets) -> None:
    assert (await buckets.take([claim("idle")], 100, now=T0)).allowed
    later = T0 + 3600.0
    assert (await buckets.take([claim("idle")], 100, now=later)).allowed
    refused = await buckets.take([claim("idle")], 1, now=later)
    assert not refused.allowed
    assert refused.retry_after_s == pytest.approx(0.1)


async def test_a_cost_over_the_capacity_is_charged_as_a_full_bucket(buckets: Buckets) -> None:
    assert (await buckets.take([claim("huge")], 10_000, now=T0)).allowed
    refused = await buckets.take([claim("huge")], 10_000, now=T0 + 1.0)
    assert not refused.allowed
    assert refused.retry_after_s == pytest.approx(9.0)  # to a full bucket, not to 10,000
    assert (await buckets.take([claim("huge")], 10_000, now=T0 + 10.0)).allowed


async def test_a_request_is_charged_to_all_its_buckets_or_to_none(buckets: Buckets) -> None:
    login, address = claim("login"), claim("address", SMALL)
    assert (await buckets.take([login, address], 15, now=T0)).allowed
    # The address holds 5: the login, which could pay, is not charged either.
    refused = await buckets.take([login, address], 15, now=T0)
    assert not refused.allowed
    assert refused.refused_by == address.key
    assert refused.retry_after_s == pytest.approx(10.0)
    allowed = [(await buckets.take([login], 5, now=T0)).allowed for _ in range(18)]
    assert allowed == [True] * 17 + [False]  # 85 left after the first charge of 15


async def test_the_bucket_that_needs_the_longest_wait_is_named(buckets: Buckets) -> None:
    fast, slow = claim("fast"), claim("slow", SMALL)
    assert (await buckets.take([fast, slow], 20, now=T0)).allowed
    assert (await buckets.take([fast], 80, now=T0)).allowed
    refused = await buckets.take([fast, slow], 10, now=T0)
    assert not refused.allowed
    assert refused.refused_by == slow.key  # 10 s at 1 a second, against 1 s for `fast`
    assert refused.retry_after_s == pytest.approx(10.0)


async def test_buckets_of_different_keys_are_independent(buckets: Buckets) -> None:
    assert (await buckets.take([claim("one")], 100, now=T0)).allowed
    assert not (await buckets.take([claim("one")], 1, now=T0)).allowed
    assert (await buckets.take([claim("two")], 100, now=T0)).allowed


async def test_a_clock_that_steps_back_adds_no_tokens(buckets: Buckets) -> None:
    assert (await buckets.take([claim("skew")], 100, now=T0)).allowed
    # Another process's clock, a little behind: nothing refilled, nothing lost.
    refused = await buckets.take([claim("skew")], 10, now=T0 - 5.0)
    assert not refused.allowed
    assert refused.retry_after_s == pytest.approx(1.0)
    assert (await buckets.take([claim("skew")], 10, now=T0 + 1.0)).allowed


async def test_no_buckets_means_nothing_to_refuse(buckets: Buckets) -> None:
    assert (await buckets.take([], 1_000_000, now=T0)).allowed
