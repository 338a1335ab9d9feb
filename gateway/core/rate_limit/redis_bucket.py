"""Token buckets in Redis, shared by every gateway process.

One Lua script reads, refills, decides and charges every bucket of a request in a
single step, so concurrent requests (from any process) never spend the same tokens
twice, and a request is charged to all its buckets or to none. Each bucket is a hash
(`tokens`, `at`) that expires when it would be full again: an idle client costs Redis
nothing. Time comes from the caller (`now`, wall clock), the same for every process.

Failures are raised as `BucketsUnavailable`; what to do then (the in-process buckets,
a circuit breaker) is `gateway.core.rate_limit.fallback`'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from redis.asyncio import Redis

from gateway.core.rate_limit.port import ALLOWED, BucketsUnavailable, Claim, Verdict

# KEYS: the buckets. ARGV: now, cost, then capacity and refill per second of each.
# Numbers leave the script as strings: Redis would truncate a Lua number to an integer.
TAKE_SCRIPT: Final = """
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local levels = {}
local wait = 0
local refused_by = 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[1 + 2 * i])
  local rate = tonumber(ARGV[2 + 2 * i])
  local held = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local tokens = tonumber(held[1])
  local at = tonumber(held[2])
  if tokens == nil or at == nil then
    tokens = capacity
    at = now
  end
  tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
  local need = math.min(math.max(cost, 0), capacity)
  levels[i] = {tokens - need, math.max(at, now), capacity, rate}
  if tokens < need then
    local this_wait = (need - tokens) / rate
    if this_wait > wait then
      wait = this_wait
      refused_by = i
    end
  end
end
if refused_by > 0 then
  return {0, refused_by, string.format('%.17g', wait)}
end
for i = 1, #KEYS do
  local level = levels[i]
  redis.call('HSET', KEYS[i], 'tokens', string.format('%.17g', level[1]),
    'at', string.format('%.17g', level[2]))
  -- Gone when it would be full again, as if never used.
  local full_in_ms = math.ceil((level[3] - level[1]) / level[4] * 1000)
  redis.call('PEXPIRE', KEYS[i], math.max(1, full_in_ms))
end
return {1, 0, '0'}
"""


class RedisBuckets:
    def __init__(self, client: Redis) -> None:
        """`client` is this object's: `aclose` closes it."""
        self._client = client
        self._take = client.register_script(TAKE_SCRIPT)

    async def take(self, claims: Sequence[Claim], cost: int, *, now: float) -> Verdict:
        if not claims:
            return ALLOWED
        arguments: list[str | int | float] = [repr(float(now)), cost]
        for claim in claims:
            arguments += [claim.rate.capacity, repr(float(claim.rate.refill_per_s))]
        try:
            allowed, refused_index, wait = await self._take(
                keys=[claim.key for claim in claims], args=arguments
            )
        except Exception as error:
            raise BucketsUnavailable("Redis did not take the charge") from error
        if int(allowed):
            return ALLOWED
        return Verdict(
            allowed=False,
            retry_after_s=float(wait),
            refused_by=claims[int(refused_index) - 1].key,
        )

    async def aclose(self) -> None:
        await self._client.aclose()
