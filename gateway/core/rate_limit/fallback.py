"""Shared buckets that never fail a request: the in-process buckets stand in for them.

A charge the shared buckets (Redis) do not take within the breaker's `timeout_s`, or
fail to take, is taken by this process's own buckets instead, and opens a circuit
breaker (the cache's, `gateway.core.redis_breaker`; not for a timeout this process's
own overloaded loop caused), so the calls after it go straight to the
process's buckets rather than each waiting for a dead Redis; one call per retry interval
probes it. Meanwhile every process limits on its own: a client spread over N processes
gets up to N times its rate, for the length of the outage, and no request is refused
or failed because Redis is down. One warning when an outage starts, one line when it
ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from gateway.core.rate_limit.memory_bucket import MemoryBuckets
from gateway.core.rate_limit.port import Buckets, Claim, Verdict
from gateway.core.redis_breaker import RedisBreaker
from gateway.core.redis_connection import describe_error

logger = logging.getLogger(__name__)


class FallbackBuckets:
    def __init__(
        self,
        shared: Buckets,
        *,
        local: MemoryBuckets,
        breaker: RedisBreaker,
        name: str,
        secrets: tuple[str, ...] = (),
    ) -> None:
        """`name` says which shared store this is in log lines; `secrets` never appear."""
        self._shared = shared
        self._local = local
        self._breaker = breaker
        self._name = name
        self._secrets = secrets

    async def take(self, claims: Sequence[Claim], cost: int, *, now: float) -> Verdict:
        call = self._breaker.allow()
        if call is None:
            return self._local.take_now(claims, cost, now=now)
        try:
            async with asyncio.timeout(self._breaker.timeout_s):
                verdict = await self._shared.take(claims, cost, now=now)
        except Exception as error:
            if self._breaker.failed(call, error):
                cause = error.__cause__ or error
                logger.warning(
                    "rate limit: %s is unavailable (%s); each process limits on its own "
                    "and retries it every %gs",
                    self._name,
                    describe_error(cause, secrets=self._secrets),
                    self._breaker.retry_interval_s,
                )
            return self._local.take_now(claims, cost, now=now)
        except BaseException:
            self._breaker.abandon(call)
            raise
        if self._breaker.succeeded(call):
            logger.info("rate limit: %s answers again; using it", self._name)
        return verdict

    async def aclose(self) -> None:
        try:
            await self._shared.aclose()
        finally:
            await self._local.aclose()
