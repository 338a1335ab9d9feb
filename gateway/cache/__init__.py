"""The cache between the per-request loaders and the adapters (Redis or in-process)."""

from gateway.cache.cached import load_through_cache
from gateway.cache.factory import create_cache
from gateway.cache.keys import CacheKind, cache_kind, key_parts
from gateway.cache.memory import MemoryCache
from gateway.cache.port import Cache, CacheStats, CacheUnavailable
from gateway.cache.redis import RedisCache
from gateway.cache.single_flight import SingleFlight

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
