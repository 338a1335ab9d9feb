"""The cache follows the settings: Redis when a URL is given, in-process otherwise."""

from __future__ import annotations

import pytest

from gateway.core.cache.factory import create_cache
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.redis import RedisCache


@pytest.mark.parametrize("url", [None, ""])
async def test_without_a_redis_url_the_cache_is_in_process(url: str | None) -> None:
    cache = create_cache(url)
    assert isinstance(cache, MemoryCache)
    await cache.aclose()


async def test_with_a_redis_url_the_cache_is_redis(clean_redis: str) -> None:
    cache = create_cache(clean_redis)
    try:
        assert isinstance(cache, RedisCache)
        await cache.set_many({"k": b"v"}, ttl_s=60)
        assert await cache.get_many(["k"]) == [b"v"]
    finally:
        await cache.aclose()
