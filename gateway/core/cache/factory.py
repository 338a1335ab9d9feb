"""Pick the cache for the settings: Redis when a URL is set, in-process otherwise."""

from __future__ import annotations

from gateway.core.cache.memory import DEFAULT_MAX_BYTES, MemoryCache
from gateway.core.cache.port import Cache
from gateway.core.cache.redis import DEFAULT_SOCKET_TIMEOUT_S, RedisCache


def create_cache(
    redis_url: str | None,
    *,
    memory_max_bytes: int = DEFAULT_MAX_BYTES,
    redis_timeout_s: float = DEFAULT_SOCKET_TIMEOUT_S,
) -> Cache:
    """A cache that has not connected yet (Redis connects on first use; no I/O here)."""
    if redis_url:
        return RedisCache.from_url(redis_url, socket_timeout_s=redis_timeout_s)
    return MemoryCache(max_bytes=memory_max_bytes)
