"""Whose buckets a request is charged to, how much, and what a refusal says."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from gateway.core.rate_limit import BucketKind, Rate, RateLimiter, RateLimits, Refusal
from gateway.core.rate_limit.limiter import address_key, login_key
from gateway.core.rate_limit.memory_bucket import MemoryBuckets
from gateway.core.rate_limit.port import Claim, Verdict
from tests.gateway.core.cache.doubles import FakeClock

LIMITS = RateLimits(
    per_login=Rate(capacity=100, refill_per_s=10.0),
    per_address=Rate(capacity=300, refill_per_s=30.0),
)


class Refusals:
    def __init__(self) -> None:
        self.buckets: list[str] = []

    def rate_limited(self, bucket: str) -> None:
        self.buckets.append(bucket)


def limiter(clock: FakeClock, refusals: Refusals | None = None) -> RateLimiter:
    return RateLimiter(MemoryBuckets(), limits=LIMITS, clock=clock, counter=refusals)


async def test_a_login_is_held_to_its_bucket_from_any_address() -> None:
    clock, refusals = FakeClock(), Refusals()
    limit = limiter(clock, refusals)
    assert await limit.charge(user_id=7, address="203.0.113.1", cost=60) is None
    refusal = await limit.charge(user_id=7, address="198.51.100.9", cost=60)
    assert refusal is not None
    assert refusal.bucket is BucketKind.LOGIN
    assert refusal.retry_after_s == pytest.approx(2.0)  # 20 short at 10 a second
    assert refusals.buckets == ["login"]
    # Another member at the first address is not held back by member 7.
    assert await limit.charge(user_id=8, address="203.0.113.1", cost=60) is None


async def test_an_address_holds_back_every_login_and_anonymous_request_behind_it() -> None:
    clock, refusals = FakeClock(), Refusals()
    limit = limiter(clock, refusals)
    for user_id in (1, 2, 3):
        assert await limit.charge(user_id=user_id, address="192.0.2.4", cost=100) is None
    refusal = await limit.charge(user_id=4, address="192.0.2.4", cost=30)
    assert refusal is not None
    assert refusal.bucket is BucketKind.ADDRESS
    anonymous = await limit.charge(user_id=None, address="192.0.2.4", cost=1)
    assert anonymous is not None
    assert anonymous.bucket is BucketKind.ADDRESS
    assert await limit.charge(user_id=None, address="192.0.2.5", cost=300) is None
    assert refusals.buckets == ["address", "address"]
    clock.advance(1.0)
    assert await limit.charge(user_id=4, address="192.0.2.4", cost=30) is None


async def test_every_request_costs_at_least_one() -> None:
    clock = FakeClock()
    limit = RateLimiter(
        MemoryBuckets(),
        limits=RateLimits(per_login=Rate(3, 0.001), per_address=Rate(3, 0.001)),
        clock=clock,
    )
    answers = [await limit.charge(user_id=None, address="192.0.2.1", cost=0) for _ in range(4)]
    assert [answer is None for answer in answers] == [True, True, True, False]


def test_retry_after_is_whole_seconds_rounded_up_and_at_least_one() -> None:
    assert Refusal(BucketKind.LOGIN, 0.01).retry_after_whole_s == 1
    assert Refusal(BucketKind.LOGIN, 1.0).retry_after_whole_s == 1
    assert Refusal(BucketKind.LOGIN, 3.2).retry_after_whole_s == 4


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "coop-rate:address:203.0.113.7"),
        ("::ffff:203.0.113.7", "coop-rate:address:203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "coop-rate:address:2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "coop-rate:address:2001:db8:1:2::/64"),
        ("testclient", "coop-rate:address:testclient"),
        (None, None),
        ("", None),
    ],
)
def test_addresses_are_counted_by_client_and_ipv6_by_its_64(
    address: str | None, key: str | None
) -> None:
    assert address_key(address) == key
    assert login_key(42) == "coop-rate:login:42"


async def test_a_request_with_neither_login_nor_address_is_not_charged() -> None:
    limit = limiter(FakeClock())
    assert await limit.charge(user_id=None, address=None, cost=10_000) is None


class Broken:
    async def take(self, claims: Sequence[Claim], cost: int, *, now: float) -> Verdict:
        raise RuntimeError("a bug in the buckets")

    async def aclose(self) -> None:
        pass


async def test_a_failing_limiter_lets_the_request_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limit = RateLimiter(Broken(), limits=LIMITS)
    assert await limit.charge(user_id=1, address="192.0.2.1", cost=5) is None
    assert "letting the request through" in caplog.text
