"""Pick the buckets for the settings: Redis (with this process's as a stand-in) when a
URL is set, this process's alone otherwise."""

from __future__ import annotations

from typing import Final

from gateway.core.rate_limit.fallback import FallbackBuckets
from gateway.core.rate_limit.limiter import RateLimiter, RateLimits, RefusalCounter
from gateway.core.rate_limit.memory_bucket import MemoryBuckets
from gateway.core.rate_limit.port import Buckets
from gateway.core.rate_limit.redis_bucket import RedisBuckets
from gateway.core.redis_breaker import RedisBreaker
from gateway.core.redis_connection import open_redis, redis_endpoint, redis_secrets

# As the cache: Redis is probed again this long after it failed.
RETRY_INTERVAL_S: Final = 5.0


def create_rate_limiter(
    redis_url: str | None,
    *,
    limits: RateLimits,
    redis_timeout_s: float,
    counter: RefusalCounter | None = None,
) -> RateLimiter:
    """A limiter that has not connected yet (Redis connects on first use; no I/O here)."""
    buckets: Buckets = MemoryBuckets()
    if redis_url:
        buckets = FallbackBuckets(
            RedisBuckets(open_redis(redis_url, socket_timeout_s=redis_timeout_s)),
            local=MemoryBuckets(),
            breaker=RedisBreaker(
                # As the cache's calls: a socket timeout, and as long again for a busy loop.
                timeout_s=2 * redis_timeout_s,
                retry_interval_s=RETRY_INTERVAL_S,
            ),
            name=f"Redis at {redis_endpoint(redis_url)}",
            secrets=redis_secrets(redis_url),
        )
    return RateLimiter(buckets, limits=limits, counter=counter)
