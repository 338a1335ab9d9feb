"""Per-client fairness: each request's cost charged to its login's and its address's bucket.

A signed-in request is charged to two buckets, its login's and its client address's;
an anonymous one to its address's only. Cost is the request's (`gateway.api.cost`), at
least 1, so that cheap requests count too. The login's bucket keeps one member (or one
stolen token) from taking more than a small share of the gateway from any number of
addresses; the address's bucket, larger, since a co-op office or a carrier's NAT puts
several members behind one address, bounds anonymous clients and a client with many
logins.

IPv6 clients are counted by /64 network: one subscriber is given a whole /64 and may
send from any address in it.

The limiter never fails a request: anything unexpected is logged and lets it through.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

from gateway.core.rate_limit.port import Buckets, Claim, Rate

logger = logging.getLogger(__name__)

KEY_PREFIX: Final = "coop-rate"
IPV6_CLIENT_PREFIX: Final = 64
# Addresses come from the ASGI server; anything longer is not one (kept out of keys).
MAX_ADDRESS_LENGTH: Final = 64


class BucketKind(StrEnum):
    LOGIN = "login"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class RateLimits:
    per_login: Rate
    per_address: Rate


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request refused: whose bucket refused it, and how long until it would not."""

    bucket: BucketKind
    retry_after_s: float

    @property
    def retry_after_whole_s(self) -> int:
        """For `Retry-After`: whole seconds, rounded up, at least one."""
        return max(1, math.ceil(self.retry_after_s))


class RefusalCounter(Protocol):
    def rate_limited(self, bucket: str) -> None: ...


class RateLimiter:
    def __init__(
        self,
        buckets: Buckets,
        *,
        limits: RateLimits,
        clock: Callable[[], float] = time.time,
        counter: RefusalCounter | None = None,
    ) -> None:
        """`clock`: wall-clock seconds, the same in every process sharing `buckets`."""
        self._buckets = buckets
        self._limits = limits
        self._clock = clock
        self._counter = counter

    async def charge(
        self, *, user_id: int | None, address: str | None, cost: int
    ) -> Refusal | None:
        """Charge a request of `cost`; None when it may go on, else why not."""
        claims: list[tuple[BucketKind, Claim]] = []
        if user_id is not None:
            claims.append((BucketKind.LOGIN, Claim(login_key(user_id), self._limits.per_login)))
        where = address_key(address)
        if where is not None:
            claims.append((BucketKind.ADDRESS, Claim(where, self._limits.per_address)))
        if not claims:
            return None  # nobody to charge (a direct call without an address)
        try:
            verdict = await self._buckets.take(
                [claim for _, claim in claims], max(1, cost), now=self._clock()
            )
        except Exception:
            logger.exception("rate limit: the charge failed; letting the request through")
            return None
        if verdict.allowed:
            return None
        kind = next(
            (kind for kind, claim in claims if claim.key == verdict.refused_by), claims[-1][0]
        )
        if self._counter is not None:
            self._counter.rate_limited(kind.value)
        return Refusal(bucket=kind, retry_after_s=verdict.retry_after_s)

    async def aclose(self) -> None:
        await self._buckets.aclose()


def login_key(user_id: int) -> str:
    return f"{KEY_PREFIX}:{BucketKind.LOGIN}:{user_id}"


def address_key(address: str | None) -> str | None:
    """The bucket of a client address: an IPv6 one's /64, an IPv4-mapped one's IPv4."""
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        # Not an IP address (a test client's name, a Unix socket's path): as it is.
        return f"{KEY_PREFIX}:{BucketKind.ADDRESS}:{address[:MAX_ADDRESS_LENGTH]}"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            parsed = parsed.ipv4_mapped
        else:
            network = ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False)
            return f"{KEY_PREFIX}:{BucketKind.ADDRESS}:{network}"
    return f"{KEY_PREFIX}:{BucketKind.ADDRESS}:{parsed}"
