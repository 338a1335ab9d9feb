"""The cache in Redis, shared by every gateway process.

Redis trouble never reaches a request: a failed or slow call (short socket timeouts)
answers all-miss for reads and drops writes, and opens a circuit breaker so that the
following calls skip Redis at once instead of each waiting for a timeout (a timeout
caused by this process's own overloaded event loop does not open it: `redis_breaker`). One warning
is logged when an outage starts and one line when Redis answers again; in between, one
call per retry interval probes it.

Deletes cannot be dropped like writes: an entry a write made stale would be served again
when Redis comes back (after a network split Redis still holds it). Keys whose delete
failed are remembered (up to a bound) and deleted before anything else once Redis answers.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Final, TypeVar

from redis.asyncio import Redis

from gateway.core.cache.port import CacheUnavailable, check_ttl
from gateway.core.redis_breaker import RedisBreaker, RedisCall
from gateway.core.redis_connection import describe_error, open_redis, redis_endpoint, redis_secrets
from gateway.core.resilience.breaker import BreakerState

DEFAULT_SOCKET_TIMEOUT_S: Final = 0.25
DEFAULT_RETRY_INTERVAL_S: Final = 5.0
MAX_PENDING_DELETES: Final = 10_000

logger = logging.getLogger(__name__)

T = TypeVar("T")


class _Skipped:
    """Marks a call that did not reach Redis (breaker open, or it failed)."""


_SKIPPED: Final = _Skipped()


class RedisCache:
    def __init__(
        self,
        client: Redis,
        *,
        endpoint: str,
        secrets: tuple[str, ...] = (),
        op_timeout_s: float = 2 * DEFAULT_SOCKET_TIMEOUT_S,
        retry_interval_s: float = DEFAULT_RETRY_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`endpoint` names Redis in log lines; `secrets` are scrubbed from them."""
        self._client = client
        self._endpoint = endpoint
        self._secrets = tuple(secret for secret in secrets if secret)
        self._op_timeout_s = op_timeout_s
        self._breaker = RedisBreaker(
            timeout_s=op_timeout_s, retry_interval_s=retry_interval_s, clock=clock
        )
        self._pending_deletes: set[str] = set()
        self._pending_overflowed = False

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        socket_timeout_s: float = DEFAULT_SOCKET_TIMEOUT_S,
        retry_interval_s: float = DEFAULT_RETRY_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> RedisCache:
        """A cache for `redis://[user:password@]host:port/db`; connects on first use."""
        return cls(
            open_redis(url, socket_timeout_s=socket_timeout_s),
            endpoint=redis_endpoint(url),
            secrets=redis_secrets(url),
            op_timeout_s=2 * socket_timeout_s,
            retry_interval_s=retry_interval_s,
            clock=clock,
        )

    @property
    def is_available(self) -> bool:
        """False while an outage is in progress (reads miss, writes are dropped)."""
        return self._breaker.state is BreakerState.CLOSED

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        values = await self._call(lambda: self._client.mget(list(keys)))
        if isinstance(values, _Skipped):
            return [None] * len(keys)
        return [value.encode() if isinstance(value, str) else value for value in values]

    async def set_many(self, items: Mapping[str, bytes], *, ttl_s: float) -> None:
        check_ttl(ttl_s)
        if not items:
            return
        ttl_ms = max(1, math.ceil(ttl_s * 1000))

        async def store() -> None:
            pipe = self._client.pipeline(transaction=False)
            for key, value in items.items():
                pipe.set(key, value, px=ttl_ms)
            await pipe.execute()

        await self._call(store)

    async def delete_many(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        outcome = await self._call(lambda: self._client.unlink(*keys))
        if isinstance(outcome, _Skipped):
            self._remember_deletes(keys)

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(self._op_timeout_s):
                await self._client.ping()
        except Exception as exc:
            raise CacheUnavailable(
                f"Redis cache at {self._endpoint} did not answer ({self._describe(exc)})"
            ) from None

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, operation: Callable[[], Awaitable[T]]) -> T | _Skipped:
        call = self._breaker.allow()
        if call is None:
            return _SKIPPED
        try:
            async with asyncio.timeout(self._op_timeout_s):
                await self._flush_pending_deletes()
                result = await operation()
        except Exception as exc:
            self._on_failure(call, exc)
            return _SKIPPED
        except BaseException:
            self._breaker.abandon(call)
            raise
        if self._breaker.succeeded(call):
            logger.info("Redis cache at %s answers again; using it", self._endpoint)
        return result

    async def _flush_pending_deletes(self) -> None:
        if not self._pending_deletes:
            return
        keys = list(self._pending_deletes)
        await self._client.unlink(*keys)
        self._pending_deletes.difference_update(keys)
        self._pending_overflowed = False

    def _remember_deletes(self, keys: Sequence[str]) -> None:
        room = MAX_PENDING_DELETES - len(self._pending_deletes)
        self._pending_deletes.update(keys[:room])
        if len(keys) > room and not self._pending_overflowed:
            self._pending_overflowed = True
            logger.warning(
                "Too many cache invalidations while Redis at %s is unavailable; "
                "some entries may be stale until their TTL ends",
                self._endpoint,
            )

    def _on_failure(self, call: RedisCall, exc: Exception) -> None:
        if self._breaker.failed(call, exc):
            logger.warning(
                "Redis cache at %s is unavailable (%s); reading from the backends "
                "and retrying every %gs",
                self._endpoint,
                self._describe(exc),
                self._breaker.retry_interval_s,
            )
        else:
            logger.debug("Redis cache at %s still unavailable", self._endpoint)

    def _describe(self, exc: Exception) -> str:
        return describe_error(exc, secrets=self._secrets)
