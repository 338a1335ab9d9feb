"""Token buckets in this process: for a gateway without Redis, and while Redis is down.

Bounded: the least recently used buckets are forgotten past `max_buckets`. The one
forgotten first is the one idle the longest, most likely full already (see
`port.Rate.seconds_to_fill`); one that was not gets a full bucket back early, which only
errs on the side of letting a request through.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from gateway.core.rate_limit.port import ALLOWED, Claim, Verdict, refill

# About 100 bytes each: ten megabytes at most, far more clients than one process serves.
DEFAULT_MAX_BUCKETS: Final = 100_000


@dataclass(slots=True)
class _Level:
    tokens: float
    at: float


class MemoryBuckets:
    def __init__(self, *, max_buckets: int = DEFAULT_MAX_BUCKETS) -> None:
        if max_buckets < 1:
            raise ValueError(f"max_buckets must be at least 1, got {max_buckets!r}")
        self._max_buckets = max_buckets
        self._levels: OrderedDict[str, _Level] = OrderedDict()

    def __len__(self) -> int:
        """How many buckets are held (the rest are full)."""
        return len(self._levels)

    async def take(self, claims: Sequence[Claim], cost: int, *, now: float) -> Verdict:
        return self.take_now(claims, cost, now=now)

    def take_now(self, claims: Sequence[Claim], cost: int, *, now: float) -> Verdict:
        """`take` without awaiting: nothing here waits, so no other take interleaves."""
        levels: list[tuple[Claim, float, float]] = []  # claim, tokens now, its time
        verdict = ALLOWED
        for claim in claims:
            held = self._levels.get(claim.key)
            if held is None:
                tokens, at = float(claim.rate.capacity), now
            else:
                tokens, at = refill(held.tokens, since=held.at, now=now, rate=claim.rate), held.at
            levels.append((claim, tokens, max(at, now)))
            need = claim.rate.charge_for(cost)
            if tokens < need:
                wait = (need - tokens) / claim.rate.refill_per_s
                if wait > verdict.retry_after_s:
                    verdict = Verdict(allowed=False, retry_after_s=wait, refused_by=claim.key)
        if not verdict.allowed:
            return verdict
        for claim, tokens, at in levels:
            self._levels[claim.key] = _Level(tokens - claim.rate.charge_for(cost), at)
            self._levels.move_to_end(claim.key)
        while len(self._levels) > self._max_buckets:
            self._levels.popitem(last=False)
        return ALLOWED

    async def aclose(self) -> None:
        self._levels.clear()
