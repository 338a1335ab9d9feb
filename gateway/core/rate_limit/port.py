"""Token buckets: the port the rate limit takes its decisions from.

A bucket holds up to `capacity` tokens and gains `refill_per_s` of them each second. A
request costs some tokens; it is let through when every bucket it is charged to holds
that many, and then all of them pay. When any of them does not, none pays (a refused
request did no work), and the answer says how long until all of them would hold enough.

A cost over a bucket's capacity is charged as the capacity (a full bucket), so that a
request is never refused for ever. A bucket nobody used for `seconds_to_fill` is full,
as one that never existed: implementations may forget it then, which bounds them.

Time is given by the caller (seconds, wall clock): buckets shared by several processes
must all count on the same clock, and a test steps it by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Rate:
    """The shape of a bucket: its largest burst and its sustained rate, in cost units."""

    capacity: int
    refill_per_s: float

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {self.capacity!r}")
        if not self.refill_per_s > 0:
            raise ValueError(f"refill_per_s must be positive, got {self.refill_per_s!r}")

    @property
    def seconds_to_fill(self) -> float:
        """From empty to full: an idle bucket older than this is full."""
        return self.capacity / self.refill_per_s

    def charge_for(self, cost: int) -> int:
        """What a request of `cost` takes from this bucket."""
        return min(max(cost, 0), self.capacity)


@dataclass(frozen=True, slots=True)
class Claim:
    """One bucket a request is charged to: its key and its shape."""

    key: str
    rate: Rate


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    # When refused: seconds until every bucket holds enough, and the bucket that needs
    # the longest of them (a key of the claims).
    retry_after_s: float = 0.0
    refused_by: str | None = None


ALLOWED = Verdict(allowed=True)


class BucketsUnavailable(Exception):
    """The buckets could not be read or written (a shared store that is down)."""


class Buckets(Protocol):
    async def take(self, claims: Sequence[Claim], cost: int, *, now: float) -> Verdict:
        """Charge `cost` to every claimed bucket, or to none of them, at time `now`."""
        ...

    async def aclose(self) -> None: ...


def refill(tokens: float, *, since: float, now: float, rate: Rate) -> float:
    """The tokens of a bucket that held `tokens` at `since`, at `now` (never more than
    its capacity; a clock that stepped back adds nothing)."""
    return min(float(rate.capacity), tokens + max(0.0, now - since) * rate.refill_per_s)
