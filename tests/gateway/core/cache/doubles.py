"""Test helpers: a clock the test moves, and a cache wrapper that counts round trips."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gateway.core.cache.port import Cache


@dataclass
class FakeClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class RecordingCache:
    """A real cache, with a record of every call the layer above made to it."""

    inner: Cache
    gets: list[list[str]] = field(default_factory=list)
    sets: list[tuple[dict[str, bytes], float]] = field(default_factory=list)
    deletes: list[list[str]] = field(default_factory=list)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        self.gets.append(list(keys))
        return await self.inner.get_many(keys)

    async def set_many(self, items: Mapping[str, bytes], *, ttl_s: float) -> None:
        self.sets.append((dict(items), ttl_s))
        await self.inner.set_many(items, ttl_s=ttl_s)

    async def delete_many(self, keys: Sequence[str]) -> None:
        self.deletes.append(list(keys))
        await self.inner.delete_many(keys)

    async def ping(self) -> None:
        await self.inner.ping()

    async def aclose(self) -> None:
        await self.inner.aclose()
