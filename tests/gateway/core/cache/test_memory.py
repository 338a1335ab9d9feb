"""What only the in-process cache does: bound its memory, least recently used out first."""

from __future__ import annotations

import pytest

from gateway.core.cache.memory import MemoryCache
from tests.gateway.core.cache.doubles import FakeClock

# Each entry below is a 1-character key plus a 9-byte value: 10 bytes.
VALUE = b"123456789"


async def test_the_least_recently_used_entry_goes_first_when_full() -> None:
    cache = MemoryCache(max_bytes=30)
    await cache.set_many({"a": VALUE, "b": VALUE, "c": VALUE}, ttl_s=60)
    await cache.get_many(["a"])  # "b" is now the least recently used
    await cache.set_many({"d": VALUE}, ttl_s=60)
    assert await cache.get_many(["a", "b", "c", "d"]) == [VALUE, None, VALUE, VALUE]
    assert cache.size_bytes == 30


async def test_a_value_larger_than_the_whole_cache_is_not_kept() -> None:
    cache = MemoryCache(max_bytes=30)
    await cache.set_many({"a": VALUE}, ttl_s=60)
    await cache.set_many({"huge": VALUE * 4}, ttl_s=60)
    assert await cache.get_many(["a", "huge"]) == [VALUE, None]


async def test_size_follows_replacements_deletions_and_expiry() -> None:
    clock = FakeClock()
    cache = MemoryCache(max_bytes=1000, clock=clock)
    await cache.set_many({"a": VALUE, "b": VALUE}, ttl_s=10)
    await cache.set_many({"a": b"x"}, ttl_s=60)
    assert cache.size_bytes == 2 + 10
    await cache.delete_many(["a"])
    assert cache.size_bytes == 10
    clock.advance(10)
    assert await cache.get_many(["b"]) == [None]
    assert cache.size_bytes == 0


async def test_an_entry_is_gone_exactly_when_its_ttl_is_over() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock=clock)
    await cache.set_many({"a": VALUE}, ttl_s=30)
    clock.advance(29.999)
    assert await cache.get_many(["a"]) == [VALUE]
    clock.advance(0.001)
    assert await cache.get_many(["a"]) == [None]


async def test_closing_empties_it() -> None:
    cache = MemoryCache()
    await cache.set_many({"a": VALUE}, ttl_s=60)
    await cache.aclose()
    assert await cache.get_many(["a"]) == [None]
    assert cache.size_bytes == 0


def test_a_bound_that_holds_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        MemoryCache(max_bytes=0)
