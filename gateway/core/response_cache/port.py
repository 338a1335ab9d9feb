"""Where answers are kept: shared by every process (Redis) or in this one (demo, tests).

Race-free by sequence numbers. Every invalidation takes the next number of one counter
and notes it on each tag it drops. A request that misses notes the counter's value
(`Lookup.since`) before it reads anything; its answer is kept only if none of its tags
was dropped after that (`keep` checks and stores in one atomic step). So an answer
built from data a write changed while it ran is never stored, and one stored before the
write's invalidation is found by it and dropped. Tag sets (tag -> keys of the answers
that carry it) let an invalidation find them.

Like the entity cache, a store never fails a request: what it cannot reach answers
"miss" and keeps nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final, Protocol, runtime_checkable

from gateway.core.response_cache.entry import StoredAnswer

UNKNOWN: Final = -1  # `since` when the counter could not be read: such a miss keeps nothing


@dataclass(frozen=True, slots=True)
class Lookup:
    answer: StoredAnswer | None
    since: int  # the invalidation counter when looked up; pass it to `keep`


@dataclass(frozen=True, slots=True)
class Dropped:
    """One invalidation, as every process hears it."""

    sequence: int
    tags: tuple[str, ...]
    entity_keys: tuple[str, ...]  # the entity cache keys deleted with it (near caches)


class AnswerStore(Protocol):
    async def lookup(self, key: str) -> Lookup: ...

    async def keep(
        self, key: str, answer: StoredAnswer, *, tags: Collection[str], ttl_s: float, since: int
    ) -> bool:
        """Store unless a tag was dropped after `since`; whether it was stored."""
        ...

    async def drop(self, tags: Collection[str], *, entity_keys: Sequence[str] = ()) -> None:
        """Forget every answer carrying one of `tags`, in every process."""
        ...

    async def aclose(self) -> None: ...


class DropFollower(Protocol):
    """Something a process holds that a drop of its tags makes stale (a near layer, the
    held sign-in facts): told of every drop, and of whether drops are heard at all."""

    def forget(self, tags: Collection[str]) -> None:
        """This process drops `tags`: forget them now, before the drop goes out."""
        ...

    def hear(self, dropped: Dropped) -> None:
        """A drop by any process (this one's too), as the channel carries it."""
        ...

    def reset(self, sequence: int) -> None:
        """Drops are heard from `sequence` on; `UNKNOWN`: not heard (hold nothing)."""
        ...


@runtime_checkable
class HeardDrops(Protocol):
    """A store whose drops this process hears, and tells its followers of."""

    def follow(self, follower: DropFollower) -> None: ...
