"""Answers kept in this process in front of the shared store, dropped as Redis announces.

A hit here costs a dictionary lookup: no Redis round trip. It stays correct because
every drop, by any process, is published (`redis`), and this layer forgets the tags it
hears at once; its own drops it forgets before it even sends them. While it is not
subscribed (at start, after Redis went away) it answers nothing and keeps nothing.

Three things are made sure of with the sequence numbers of `port`:
- an answer is not kept here if a drop of one of its tags was heard with a number after
  the answer's `since` (the drop overtook the answer on its way here);
- no answer is kept here past its own expiry (`StoredAnswer.expires_at`), however long
  the near layer's TTL;
- no answer is stored anywhere by a process that has not yet heard every drop up to its
  `since`: its near layers (the entity cache's, whose keys each drop also names) might
  still hold what that drop made stale, and the answer would be built from it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Final

from gateway.core.response_cache.entry import StoredAnswer
from gateway.core.response_cache.port import UNKNOWN, DropFollower, Dropped, Lookup
from gateway.core.response_cache.redis import RedisAnswers

DEFAULT_MAX_ANSWERS: Final = 5_000
MAX_HEARD_TAGS: Final = 50_000


@dataclass(frozen=True, slots=True)
class _Kept:
    answer: StoredAnswer
    since: int
    expires_at: float


class NearAnswers:
    """The in-process layer; `WithNearAnswers` puts it in front of a shared store."""

    def __init__(
        self,
        *,
        ttl_s: float,
        max_answers: int = DEFAULT_MAX_ANSWERS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`clock`: epoch seconds, the time `StoredAnswer.expires_at` is in."""
        self._ttl_s = ttl_s
        self._max_answers = max_answers
        self._clock = clock
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._heard_at: dict[str, int] = {}  # tag -> number of its last drop heard
        self.heard = UNKNOWN  # every drop up to this number has been heard

    @property
    def listening(self) -> bool:
        return self.heard != UNKNOWN

    def get(self, key: str) -> StoredAnswer | None:
        kept = self._kept.get(key)
        if kept is None:
            return None
        if kept.expires_at <= self._clock():
            del self._kept[key]
            return None
        return kept.answer

    def keep(self, key: str, answer: StoredAnswer, *, ttl_s: float, since: int) -> None:
        if not self.listening or since == UNKNOWN:
            return
        if any(self._heard_at.get(tag, UNKNOWN) > since for tag in answer.tags):
            return
        now = self._clock()
        expires_at = min(now + min(ttl_s, self._ttl_s), answer.expires_at)
        if expires_at <= now:
            return
        self._kept[key] = _Kept(answer, since, expires_at)
        self._kept.move_to_end(key)
        while len(self._kept) > self._max_answers:
            self._kept.popitem(last=False)

    def forget(self, tags: Collection[str]) -> None:
        if not tags:
            return
        wanted = set(tags)
        for key in [key for key, kept in self._kept.items() if kept.answer.tags & wanted]:
            del self._kept[key]

    def hear(self, dropped: Dropped) -> None:
        self.forget(dropped.tags)
        if len(self._heard_at) + len(dropped.tags) > MAX_HEARD_TAGS:
            # Forgetting what was heard would let an overtaken answer in: forget all.
            self._heard_at.clear()
            self._kept.clear()
        for tag in dropped.tags:
            self._heard_at[tag] = dropped.sequence
        if self.listening:
            self.heard = max(self.heard, dropped.sequence)

    def reset(self, sequence: int) -> None:
        """Subscribed anew from `sequence` (UNKNOWN: not subscribed): what came before
        may have been missed, so nothing kept so far is trusted."""
        self._kept.clear()
        self._heard_at.clear()
        self.heard = sequence


class WithNearAnswers:
    """The shared store as this process sees it (an `AnswerStore`)."""

    def __init__(
        self,
        shared: RedisAnswers,
        near: NearAnswers,
        *,
        entity_near_forget: Callable[[Sequence[str]], None] | None = None,
    ) -> None:
        """`entity_near_forget`: the entity cache's near layer, told each drop's keys."""
        self.shared = shared
        self.near = near
        self._entity_near_forget = entity_near_forget
        self._followers: list[DropFollower] = [near]

    def start(self) -> None:
        """Subscribe to the drops (needs the running event loop)."""
        self.shared.listen(self._hear, self._reset)

    def follow(self, follower: DropFollower) -> None:
        """Tell `follower` of every drop this process makes or hears, on this one
        subscription, and of whether it is subscribed."""
        self._followers.append(follower)
        follower.reset(self.near.heard)

    async def lookup(self, key: str) -> Lookup:
        answer = self.near.get(key)
        if answer is not None:
            return Lookup(answer, self.near.heard)
        found = await self.shared.lookup(key)
        if found.answer is not None:
            self.near.keep(key, found.answer, ttl_s=float("inf"), since=found.since)
        return found

    async def keep(
        self, key: str, answer: StoredAnswer, *, tags: Collection[str], ttl_s: float, since: int
    ) -> bool:
        if not self.near.listening or self.near.heard < since:
            return False
        kept = await self.shared.keep(key, answer, tags=tags, ttl_s=ttl_s, since=since)
        if kept:
            self.near.keep(key, answer, ttl_s=ttl_s, since=since)
        return kept

    async def drop(self, tags: Collection[str], *, entity_keys: Sequence[str] = ()) -> None:
        for follower in self._followers:
            follower.forget(tags)
        await self.shared.drop(tags, entity_keys=entity_keys)

    async def aclose(self) -> None:
        self._reset(UNKNOWN)
        await self.shared.aclose()

    def _hear(self, dropped: Dropped) -> None:
        for follower in self._followers:
            follower.hear(dropped)
        if self._entity_near_forget is not None and dropped.entity_keys:
            self._entity_near_forget(dropped.entity_keys)

    def _reset(self, sequence: int) -> None:
        for follower in self._followers:
            follower.reset(sequence)
