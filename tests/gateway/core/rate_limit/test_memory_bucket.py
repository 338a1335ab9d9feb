"""The in-process buckets: bounded however many clients come and go."""

from __future__ import annotations

import pytest

from gateway.core.rate_limit.memory_bucket import MemoryBuckets
from gateway.core.rate_limit.port import Claim, Rate

T0 = 1_764_000_000.0
RATE = Rate(capacity=10, refill_per_s=1.0)


async def test_past_its_bound_it_forgets_the_least_recently_used_bucket() -> None:
    buckets = MemoryBuckets(max_buckets=3)
    for name in ("a", "b", "c"):
        assert (await buckets.take([Claim(name, RATE)], 10, now=T0)).allowed
    assert not (await buckets.take([Claim("a", RATE)], 1, now=T0 + 0.5)).allowed
    # A refusal reads "a" without storing it: "a" is still the least recently charged,
    # and a fourth client pushes it out.
    assert (await buckets.take([Claim("d", RATE)], 10, now=T0 + 1.0)).allowed
    assert len(buckets) == 3
    # Forgotten means full again: "a" gets a whole bucket back; "c", still held, not.
    assert (await buckets.take([Claim("a", RATE)], 10, now=T0 + 1.0)).allowed
    assert not (await buckets.take([Claim("c", RATE)], 10, now=T0 + 1.0)).allowed


async def test_a_million_one_off_clients_hold_no_more_than_the_bound() -> None:
    buckets = MemoryBuckets(max_buckets=1_000)
    for n in range(20_000):
        await buckets.take([Claim(f"address:{n}", RATE)], 1, now=T0 + n / 1000)
    assert len(buckets) == 1_000


async def test_the_recently_charged_bucket_survives_a_crowd_of_strangers() -> None:
    buckets = MemoryBuckets(max_buckets=100)
    attacker = Claim("attacker", RATE)
    refused = 0
    for n in range(1_000):
        if not (await buckets.take([attacker], 5, now=T0)).allowed:
            refused += 1
        await buckets.take([Claim(f"stranger:{n % 50}", RATE)], 1, now=T0)
    assert refused == 998  # two charges of 5 from a full bucket, then empty throughout


def test_a_bound_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_buckets"):
        MemoryBuckets(max_buckets=0)


def test_a_rate_must_hold_and_refill_something() -> None:
    with pytest.raises(ValueError, match="capacity"):
        Rate(capacity=0, refill_per_s=1.0)
    with pytest.raises(ValueError, match="refill_per_s"):
        Rate(capacity=1, refill_per_s=0.0)
