"""Answers kept in this process: the store of a gateway without Redis (demo, tests).

One process, one event loop: each method runs without awaiting, so it is atomic, and
the sequence rule of `port` holds as it does in Redis. Bounded by a number of answers,
the least recently used going first. Its followers (the held sign-in facts) are told of
each drop as it is made: in one process nothing else can make one.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Final

from gateway.core.response_cache.entry import StoredAnswer
from gateway.core.response_cache.port import DropFollower, Dropped, Lookup

DEFAULT_MAX_ANSWERS: Final = 10_000
# Tags remembered as dropped; past this, all are forgotten and every request that
# started before then stores nothing (as if all its tags had been dropped).
MAX_DROPPED_TAGS: Final = 100_000


@dataclass(frozen=True, slots=True)
class _Kept:
    answer: StoredAnswer
    expires_at: float
    tags: frozenset[str]


class MemoryAnswers:
    def __init__(
        self,
        *,
        max_answers: int = DEFAULT_MAX_ANSWERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_answers = max_answers
        self._clock = clock
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._keys_by_tag: dict[str, set[str]] = {}
        self._dropped_at: dict[str, int] = {}
        self._sequence = 0
        self._floor = 0  # requests that started before this keep nothing
        self._followers: list[DropFollower] = []

    def __len__(self) -> int:
        return len(self._kept)

    async def lookup(self, key: str) -> Lookup:
        kept = self._kept.get(key)
        if kept is not None and kept.expires_at <= self._clock():
            self._forget(key)
            kept = None
        if kept is not None:
            self._kept.move_to_end(key)
        return Lookup(kept.answer if kept else None, self._sequence)

    async def keep(
        self, key: str, answer: StoredAnswer, *, tags: Collection[str], ttl_s: float, since: int
    ) -> bool:
        if ttl_s <= 0 or since < self._floor:
            return False
        if any(self._dropped_at.get(tag, 0) > since for tag in tags):
            return False
        self._forget(key)
        self._kept[key] = _Kept(answer, self._clock() + ttl_s, frozenset(tags))
        for tag in tags:
            self._keys_by_tag.setdefault(tag, set()).add(key)
        while len(self._kept) > self._max_answers:
            self._forget(next(iter(self._kept)))
        return True

    def follow(self, follower: DropFollower) -> None:
        self._followers.append(follower)
        follower.reset(self._sequence)

    async def drop(self, tags: Collection[str], *, entity_keys: Sequence[str] = ()) -> None:
        self._sequence += 1
        dropped = Dropped(self._sequence, tuple(tags), tuple(entity_keys))
        for follower in self._followers:
            follower.hear(dropped)
        if len(self._dropped_at) + len(tags) > MAX_DROPPED_TAGS:
            self._dropped_at.clear()
            self._floor = self._sequence
        for tag in tags:
            self._dropped_at[tag] = self._sequence
            for key in self._keys_by_tag.pop(tag, set()):
                self._forget(key)

    async def aclose(self) -> None:
        self._kept.clear()
        self._keys_by_tag.clear()

    def _forget(self, key: str) -> None:
        kept = self._kept.pop(key, None)
        if kept is None:
            return
        for tag in kept.tags:
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]
