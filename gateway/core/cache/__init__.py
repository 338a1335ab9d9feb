"""The cache between the per-request loaders and the adapters (Redis or in-process)."""

from gateway.core.cache.cached import load_through_cache
from gateway.core.cache.factory import create_cache
from gateway.core.cache.keys import CacheKind, cache_kind, key_parts
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.port import Cache, CacheStats, CacheUnavailable
from gateway.core.cache.redis import RedisCache
from gateway.core.cache.single_flight import SingleFlight

__all__ = [
    "Cache",
    "CacheKind",
    "CacheStats",
    "CacheUnavailable",
    "MemoryCache",
    "RedisCache",
    "SingleFlight",
    "cache_kind",
    "create_cache",
    "key_parts",
    "load_through_cache",
]
