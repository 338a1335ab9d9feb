"""What the gateway asks of a cache: batched bytes in, batched bytes out.

A cache is an optimisation, never a source of truth: implementations answer a miss
(`None`) rather than raise when their store is unreachable, and drop writes they
cannot make, so a request never fails because of the cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol


class CacheUnavailable(Exception):
    """`ping` could not reach the cache's store (readiness checks only)."""


class Cache(Protocol):
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """The stored value of each key, in key order; `None` for a miss (one round trip)."""
        ...

    async def set_many(self, items: Mapping[str, bytes], *, ttl_s: float) -> None:
        """Store every item for `ttl_s` seconds (> 0) in one round trip."""
        ...

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Forget these keys; unknown keys are ignored."""
        ...

    async def ping(self) -> None:
        """Raise `CacheUnavailable` unless the store answers."""
        ...

    async def aclose(self) -> None: ...


class CacheStats(Protocol):
    """Where the read-through path reports each batch's lookup (metrics)."""

    def cache_read(self, kind: str, *, hits: int, misses: int) -> None: ...


def check_ttl(ttl_s: float) -> None:
    """Reject a TTL that would store nothing or store forever: both are caller bugs."""
    if not ttl_s > 0:
        raise ValueError(f"ttl_s must be positive, got {ttl_s!r}")
