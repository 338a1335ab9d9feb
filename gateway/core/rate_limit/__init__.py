"""Per-client fairness: token buckets per login and per client address, charged each
request's cost (`limiter`), kept in Redis (`redis_bucket`) or in this process
(`memory_bucket`), the latter standing in while Redis is down (`fallback`)."""

from gateway.core.rate_limit.factory import create_rate_limiter
from gateway.core.rate_limit.limiter import BucketKind, RateLimiter, RateLimits, Refusal
from gateway.core.rate_limit.port import Rate

__all__ = ["BucketKind", "Rate", "RateLimiter", "RateLimits", "Refusal", "create_rate_limiter"]
