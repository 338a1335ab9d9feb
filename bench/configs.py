"""The gateway configurations every workload runs against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# wrk drives the gateway from one address with one login, at hundreds of dashboards a
# second (over 100,000 cost units a second): the per-client rate limit, made to hold
# back exactly such a client, is off, so that the figures measure the gateway.
UNLIMITED: Final = {"COOP_RATE_LIMIT_ENABLED": "false"}
# The limiter's own cost: on, charging every request to Redis as deployed, with budgets
# no client here reaches, so that no request is refused and the figures show what the
# charge adds per request (compare with the same configuration unlimited).
UNREACHABLE_BUDGET: Final = "1000000000"
METERED: Final = {
    "COOP_RATE_LIMIT_ENABLED": "true",
    "COOP_RATE_LIMIT_LOGIN_CAPACITY": UNREACHABLE_BUDGET,
    "COOP_RATE_LIMIT_LOGIN_REFILL_PER_S": UNREACHABLE_BUDGET,
    "COOP_RATE_LIMIT_ADDRESS_CAPACITY": UNREACHABLE_BUDGET,
    "COOP_RATE_LIMIT_ADDRESS_REFILL_PER_S": UNREACHABLE_BUDGET,
}


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    name: str
    title: str
    workers: int
    cached: bool  # cache (in Redis) and per-request batching on; both off otherwise
    metered: bool = False  # the rate limiter charges every request (see METERED)
    # With the cache: whole answers kept per viewer (the response cache) too; off, every
    # request executes over the entity cache (for the ratio between the two).
    answers: bool = True

    def environment(self, redis_url: str, *, cold: bool = False) -> dict[str, str]:
        """The gateway's switches; `cold`: nothing may be remembered between requests."""
        if self.cached:
            switches = {
                "COOP_REDIS_URL": redis_url,
                "COOP_CACHE_ENABLED": "true",
                "COOP_BATCHING_ENABLED": "true",
                "COOP_RESPONSE_CACHE_ENABLED": "true" if self.answers else "false",
                **(METERED if self.metered else UNLIMITED),
            }
            # Emptying Redis does not reach the decoded answers each process keeps for a
            # few seconds in front of it: the cold gateway keeps none.
            return {**switches, "COOP_CACHE_NEAR_TTL_S": "0"} if cold else switches
        # The naive gateway: every field asks its backend, nothing is remembered.
        return {"COOP_CACHE_ENABLED": "false", "COOP_BATCHING_ENABLED": "false", **UNLIMITED}


CONFIGS: dict[str, GatewayConfig] = {
    config.name: config
    for config in (
        GatewayConfig("cached-1", "cached, 1 worker", workers=1, cached=True),
        GatewayConfig("naive-1", "naive, 1 worker", workers=1, cached=False),
        GatewayConfig("cached-2", "cached, 2 workers", workers=2, cached=True),
        GatewayConfig("naive-2", "naive, 2 workers", workers=2, cached=False),
        GatewayConfig(
            "entities-2",
            "cached without the response cache, 2 workers",
            workers=2,
            cached=True,
            answers=False,
        ),
        GatewayConfig(
            "metered-1",
            "cached, 1 worker, rate limiter charging every request",
            workers=1,
            cached=True,
            metered=True,
        ),
    )
}

# The naive gateway with one worker is left out by default to keep the run short.
DEFAULT_CONFIGS = ("cached-1", "cached-2", "entities-2", "naive-2")
