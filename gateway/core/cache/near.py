"""A few seconds of decoded answers kept in this process, in front of the shared cache.

A warm dashboard is answered from some forty cache entries. Reading them from Redis
costs a round trip per loader batch, and turning their bytes back into domain objects
costs more CPU than executing the GraphQL around them. The near cache keeps the decoded
objects this process read or loaded for a short time (`cache_near_ttl_s`, seconds), so a
burst of requests for the same member pays for that once.

Staleness is bounded: a write in this process drops its entries here as in the shared
cache (`WithNearCache.delete_many` does both), and another worker process sees the
write when its own near entry expires, at most `ttl_s` later. Memory is bounded by a
budget of objects: a value weighs one, plus its length when it has one (a year of
hourly reads, columns of 8,760 rows, weighs 8,761); the least recently used entries go
first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence, Sized
from dataclasses import dataclass
from typing import Any, Final

from gateway.core.cache.port import Cache

DEFAULT_MAX_WEIGHT: Final = 200_000


@dataclass(frozen=True, slots=True)
class _Kept:
    value: object
    expires_at: float
    weight: int


class NearCache:
    def __init__(
        self,
        *,
        ttl_s: float,
        max_weight: int = DEFAULT_MAX_WEIGHT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not ttl_s > 0:
            raise ValueError(f"ttl_s must be positive, got {ttl_s!r}")
        if max_weight <= 0:
            raise ValueError(f"max_weight must be positive, got {max_weight}")
        self._ttl_s = ttl_s
        self._max_weight = max_weight
        self._clock = clock
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._weight = 0

    @property
    def weight(self) -> int:
        return self._weight

    def lookup(self, names: Sequence[str]) -> dict[str, Any]:
        """The values still kept for these names (the others are simply absent)."""
        now = self._clock()
        found: dict[str, Any] = {}
        for name in names:
            kept = self._kept.get(name)
            if kept is None:
                continue
            if kept.expires_at <= now:
                self._drop(name)
                continue
            self._kept.move_to_end(name)
            found[name] = kept.value
        return found

    def keep(self, items: Mapping[str, object], *, ttl_s: float | None = None) -> None:
        """Keep the values for `ttl_s` (never longer than the near cache's own TTL)."""
        ttl = self._ttl_s if ttl_s is None else min(ttl_s, self._ttl_s)
        if ttl <= 0:
            return
        expires_at = self._clock() + ttl
        for name, value in items.items():
            self._drop(name)
            weight = 1 + _rows(value)
            if weight > self._max_weight:
                continue
            self._kept[name] = _Kept(value, expires_at, weight)
            self._weight += weight
        while self._weight > self._max_weight:
            _, evicted = self._kept.popitem(last=False)
            self._weight -= evicted.weight

    def forget(self, names: Sequence[str]) -> None:
        for name in names:
            self._drop(name)

    def clear(self) -> None:
        self._kept.clear()
        self._weight = 0

    def _drop(self, name: str) -> None:
        kept = self._kept.pop(name, None)
        if kept is not None:
            self._weight -= kept.weight


def _rows(value: object) -> int:
    """Sequences and columns of reads count their rows; text is one value, however long."""
    if isinstance(value, Sized) and not isinstance(value, str | bytes):
        return len(value)
    return 0


class WithNearCache:
    """The shared cache as this process sees it: reads go through `near` first (in
    `load_through_cache`), and deleting a key drops it from both, so every invalidation
    (write services, the change-feed refresher) also reaches the near cache."""

    def __init__(self, shared: Cache, near: NearCache) -> None:
        self.shared = shared
        self.near = near

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return await self.shared.get_many(keys)

    async def set_many(self, items: Mapping[str, bytes], *, ttl_s: float) -> None:
        await self.shared.set_many(items, ttl_s=ttl_s)

    async def delete_many(self, keys: Sequence[str]) -> None:
        self.near.forget(keys)
        await self.shared.delete_many(keys)

    async def ping(self) -> None:
        await self.shared.ping()

    async def aclose(self) -> None:
        self.near.clear()
        await self.shared.aclose()
