"""What one request's answer was built from: the entities it read and how long they hold.

The loaders record every batch they answer (`saw`), hits and loads alike, so the tags
come from what execution actually read, not from a reading of the document. The TTL is
the shortest of the parts' (`gateway.core.cache.policy`, computed from each value as
the entity cache computes it); a part that failed makes the whole answer uncacheable
(it also shows as an error, which is never cached either). The staff audit leaves the
account reads it wrote here, so that a later hit on the answer writes them again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final, TypeVar

from adapters.errors import NotFound
from gateway.core.cache.policy import NOT_FOUND_TTL_S
from gateway.core.response_cache.tags import entity_tag

K = TypeVar("K")
V = TypeVar("V")

NOT_CACHED: Final = 0.0


class AnswerSources:
    def __init__(self) -> None:
        self.tags: set[str] = set()
        self.ttl_s = math.inf
        # Account number -> the Account fields a staff read noted (written on every hit).
        self.audited: Mapping[str, tuple[str, ...]] = {}

    @property
    def cacheable(self) -> bool:
        return self.ttl_s > 0

    def add(self, tags: Iterable[str], *, ttl_s: float) -> None:
        self.tags.update(tags)
        self.ttl_s = min(self.ttl_s, ttl_s)

    def saw(
        self,
        kind_name: str,
        *,
        keys: Sequence[K],
        key_to_str: Callable[[K], str],
        results: Sequence[V | Exception],
        ttl_s: float | Callable[[K, V], float],
    ) -> None:
        """One loader batch's keys and what they answered."""
        for key, result in zip(keys, results, strict=True):
            if isinstance(result, NotFound):
                ttl = NOT_FOUND_TTL_S
            elif isinstance(result, Exception):
                ttl = NOT_CACHED
            else:
                ttl = ttl_s(key, result) if callable(ttl_s) else ttl_s
            self.add([entity_tag(kind_name, key_to_str(key))], ttl_s=ttl)
