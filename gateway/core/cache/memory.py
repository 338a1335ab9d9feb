"""An in-process cache: what the gateway uses when no Redis is configured.

Bounded by the bytes it holds (values differ a lot in size: a customer is a few hundred
bytes, a year of hourly reads a few hundred kilobytes), evicting the least recently
used entries first. Entries expire after their TTL like Redis keys do.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from gateway.core.cache.port import check_ttl

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Entry:
    value: bytes
    expires_at: float
    size: int


class MemoryCache:
    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        self._max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._size = 0

    @property
    def size_bytes(self) -> int:
        """Bytes held by live and not yet collected expired entries (keys included)."""
        return self._size

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        now = self._clock()
        return [self._get(key, now) for key in keys]

    async def set_many(self, items: Mapping[str, bytes], *, ttl_s: float) -> None:
        check_ttl(ttl_s)
        expires_at = self._clock() + ttl_s
        for key, value in items.items():
            self._set(key, value, expires_at)

    async def delete_many(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._remove(key)

    async def ping(self) -> None:
        return None

    async def aclose(self) -> None:
        self._entries.clear()
        self._size = 0

    def _get(self, key: str, now: float) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires_at <= now:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return entry.value

    def _set(self, key: str, value: bytes, expires_at: float) -> None:
        self._remove(key)
        size = len(key) + len(value)
        if size > self._max_bytes:
            return  # would evict everything else and still not fit
        self._entries[key] = _Entry(value, expires_at, size)
        self._size += size
        while self._size > self._max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._size -= evicted.size

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._size -= entry.size
