"""Answers in Redis, shared by every gateway process, with drops announced by pub/sub.

Keys (beside the entity cache's `coop:*`): `coop-answer:{key}` holds an entry;
`coop-answer-tag:{tag}` the set of entry keys carrying the tag; `coop-answer-dropped:{tag}`
the sequence number of the tag's last drop; `coop-answer-seq` the counter those numbers
come from. `keep` and `drop` are Lua scripts,
so each runs atomically, which is what the sequence rule in `port` relies on: a keep
either runs before a drop (and the drop finds its key in the tag's set) or after it (and
sees the drop's number, later than its `since`, and stores nothing). Versioned tags
alone (an entry valid while its tags' versions are unchanged) would be as sound but cost
a second read per hit; tag sets cost a little more per write, and writes are rare.

Every drop is published on `coop-answer-drops` with its number, its tags and the entity
cache keys deleted with it; each process's near layers hear it (`near`). The scripts
name keys they were not given in KEYS: fine on one Redis (or a primary with replicas),
not on Redis Cluster.

Failures cost the cache, never the request: a call that fails or times out answers
"miss" and keeps nothing, and a breaker skips Redis for a while. A drop that fails is
remembered (up to a bound) and sent before anything else; until it is, lookups miss,
since the answers it names may be stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any, Final, TypeVar

import orjson
from redis.asyncio import Redis

from gateway.core.redis_breaker import RedisBreaker
from gateway.core.redis_connection import describe_error, open_redis, redis_endpoint, redis_secrets
from gateway.core.response_cache.entry import StoredAnswer, UnreadableAnswer, decode_answer
from gateway.core.response_cache.port import UNKNOWN, Dropped, Lookup

logger = logging.getLogger(__name__)

T = TypeVar("T")

PREFIX: Final = "coop-answer"
SEQUENCE_KEY: Final = f"{PREFIX}-seq"
CHANNEL: Final = f"{PREFIX}-drops"
# How long a drop's number is kept: longer than any request runs from lookup to keep.
DROP_MARK_TTL_MS: Final = 3_600_000
MAX_PENDING_DROPS: Final = 10_000
RESUBSCRIBE_AFTER_S: Final = 1.0

# ARGV: prefix, entry, ttl ms, since, tags...
_KEEP: Final = """
local prefix, entry, ttl, since = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 5, #ARGV do
  local dropped = redis.call('GET', prefix .. '-dropped:' .. ARGV[i])
  if dropped and tonumber(dropped) > since then return 0 end
end
redis.call('SET', KEYS[1], entry, 'PX', ttl)
for i = 5, #ARGV do
  local set = prefix .. '-tag:' .. ARGV[i]
  redis.call('SADD', set, KEYS[1])
  if redis.call('PTTL', set) < ttl then redis.call('PEXPIRE', set, ttl) end
end
return 1
"""

# ARGV: prefix, mark ttl ms, channel, number of tags, tags..., entity keys...
_DROP = """
local prefix, mark_ttl, channel, count = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local sequence = redis.call('INCR', prefix .. '-seq')
local tags, keys = {}, {}
for i = 5, 4 + count do
  local tag = ARGV[i]
  tags[#tags + 1] = tag
  redis.call('SET', prefix .. '-dropped:' .. tag, sequence, 'PX', mark_ttl)
  local set = prefix .. '-tag:' .. tag
  local members = redis.call('SMEMBERS', set)
  for first = 1, #members, 500 do
    redis.call('UNLINK', unpack(members, first, math.min(first + 499, #members)))
  end
  redis.call('UNLINK', set)
end
for i = 5 + count, #ARGV do keys[#keys + 1] = ARGV[i] end
redis.call('PUBLISH', channel, cjson.encode({s = sequence, t = tags, k = keys}))
return sequence
"""


class _Skipped:
    """Marks a call that did not reach Redis."""


_SKIPPED: Final = _Skipped()


class RedisAnswers:
    def __init__(
        self,
        client: Redis,
        *,
        subscriber: Redis | None = None,
        endpoint: str,
        secrets: tuple[str, ...] = (),
        op_timeout_s: float,
        retry_interval_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`subscriber`: a client without a read timeout, for `listen` (its socket idles)."""
        self._client = client
        self._subscriber = subscriber
        self._endpoint = endpoint
        self._secrets = secrets
        self._op_timeout_s = op_timeout_s
        self._breaker = RedisBreaker(
            timeout_s=op_timeout_s, retry_interval_s=retry_interval_s, clock=clock
        )
        self._keep = client.register_script(_KEEP)
        self._drop = client.register_script(_DROP)
        self._pending: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        self._listener: asyncio.Task[None] | None = None

    @classmethod
    def from_url(cls, url: str, *, socket_timeout_s: float) -> RedisAnswers:
        return cls(
            open_redis(url, socket_timeout_s=socket_timeout_s),
            subscriber=Redis.from_url(url, socket_connect_timeout=socket_timeout_s),
            endpoint=redis_endpoint(url),
            secrets=redis_secrets(url),
            op_timeout_s=2 * socket_timeout_s,
        )

    async def lookup(self, key: str) -> Lookup:
        found = await self._call(lambda: self._client.mget([_entry_key(key), SEQUENCE_KEY]))
        if isinstance(found, _Skipped):
            return Lookup(None, UNKNOWN)
        data, sequence = found
        since = int(sequence) if sequence is not None else 0
        if data is None:
            return Lookup(None, since)
        try:
            return Lookup(decode_answer(data.encode() if isinstance(data, str) else data), since)
        except UnreadableAnswer:
            logger.warning("an unreadable stored answer was ignored")
            return Lookup(None, since)

    async def keep(
        self, key: str, answer: StoredAnswer, *, tags: Collection[str], ttl_s: float, since: int
    ) -> bool:
        if since == UNKNOWN or ttl_s <= 0:
            return False
        ttl_ms = max(1, math.ceil(ttl_s * 1000))
        arguments: list[bytes | str | int] = [PREFIX, answer.encode(), ttl_ms, since, *sorted(tags)]
        kept = await self._call(lambda: self._keep(keys=[_entry_key(key)], args=arguments))
        return kept == 1

    async def drop(self, tags: Collection[str], *, entity_keys: Sequence[str] = ()) -> None:
        if not tags:
            return
        dropped = (tuple(tags), tuple(entity_keys))
        outcome = await self._call(lambda: self._send_drop(*dropped))
        if isinstance(outcome, _Skipped):
            if len(self._pending) < MAX_PENDING_DROPS:
                self._pending.append(dropped)
            else:
                logger.warning("too many answer invalidations wait for Redis; some are lost")

    def listen(self, heard: Callable[[Dropped], None], reset: Callable[[int], None]) -> None:
        """Call `heard` for every drop any process makes, from now until `aclose`.

        `reset(sequence)` is called whenever the subscription (re)starts: drops before
        `sequence` may have been missed, so whatever they could have named is forgotten.
        """
        if self._subscriber is None:
            raise RuntimeError("this store was made without a subscriber connection")
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(
                self._listen(self._subscriber, heard, reset), name="answer-drops"
            )

    async def aclose(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        if self._subscriber is not None:
            await self._subscriber.aclose()
        await self._client.aclose()

    async def _send_drop(self, tags: tuple[str, ...], entity_keys: tuple[str, ...]) -> None:
        arguments: list[str | int] = [
            PREFIX,
            DROP_MARK_TTL_MS,
            CHANNEL,
            len(tags),
            *tags,
            *entity_keys,
        ]
        await self._drop(keys=[], args=arguments)

    async def _call(self, operation: Callable[[], Awaitable[T]]) -> T | _Skipped:
        call = self._breaker.allow()
        if call is None:
            return _SKIPPED
        try:
            async with asyncio.timeout(self._op_timeout_s):
                while self._pending:
                    await self._send_drop(*self._pending[0])
                    self._pending.pop(0)
                result = await operation()
        except Exception as exc:
            if self._breaker.failed(call, exc):
                logger.warning(
                    "Redis at %s is unavailable for stored answers (%s)",
                    self._endpoint,
                    describe_error(exc, secrets=self._secrets),
                )
            return _SKIPPED
        except BaseException:
            self._breaker.abandon(call)
            raise
        if self._breaker.succeeded(call):
            logger.info("Redis at %s answers again; storing answers", self._endpoint)
        return result

    async def _listen(
        self, client: Redis, heard: Callable[[Dropped], None], reset: Callable[[int], None]
    ) -> None:
        while True:
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    sequence = await client.get(SEQUENCE_KEY)
                    reset(int(sequence) if sequence is not None else 0)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            heard(_dropped(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning(
                    "not hearing answer invalidations from Redis at %s (%s); retrying",
                    self._endpoint,
                    describe_error(exc, secrets=self._secrets),
                )
                reset(UNKNOWN)
                await asyncio.sleep(RESUBSCRIBE_AFTER_S)


def _entry_key(key: str) -> str:
    return f"{PREFIX}:{key}"


def _dropped(data: Any) -> Dropped:
    message = orjson.loads(data)
    # cjson writes an empty list as an empty object.
    tags = message.get("t") or []
    keys = message.get("k") or []
    return Dropped(int(message["s"]), tuple(map(str, tags)), tuple(map(str, keys)))
