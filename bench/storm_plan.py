"""The outage storm's shape: who polls when, and how many OMS calls it may cost.

Members arrive spread evenly at random over `arrival_s` (a seeded generator, so that two
runs send the same storm): each opens the portal (its viewer document, then its
dashboard) and polls the dashboard again every `poll_interval_s`, `polls` times in all,
as a portal left open during an outage does.

The gateway caches each location's outage status for `policy.OUTAGE_TTL_S` and loads a
missing one once per process at a time (`single_flight`): a location costs the OMS one
status read per TTL window per process that asks for it, however many members poll it.
`oms_call_bound` turns that into the number of calls a run may make.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StormPlan:
    members: int = 2000
    # Issue 13's "2,000 distinct members polling ... within a minute": each member's
    # first dashboard falls within the minute, and the later polls after it.
    arrival_s: float = 60.0
    polls: int = 3  # dashboards per member, the first one on arrival
    poll_interval_s: float = 15.0
    outage_share: float = 0.3  # of the service locations, put in an outage for the storm
    oms_latency_ms: float = 300.0
    seed: int = 13

    def __post_init__(self) -> None:
        if self.members < 1 or self.polls < 1:
            raise ValueError("a storm needs at least one member and one poll")
        if self.arrival_s < 0 or self.poll_interval_s <= 0:
            raise ValueError("arrivals need a window of 0 s or more, polls a positive interval")
        if not 0 < self.outage_share <= 1:
            raise ValueError("the outage covers a share in (0, 1] of the locations")

    @classmethod
    def quick(cls) -> StormPlan:
        return cls(members=200, arrival_s=10.0, polls=2, poll_interval_s=5.0)

    @property
    def last_send_s(self) -> float:
        """When the last dashboard is due, from the storm's start (if none is late)."""
        return self.arrival_s + (self.polls - 1) * self.poll_interval_s


@dataclass(frozen=True, slots=True)
class Visit:
    """One member's time in the portal: when each dashboard is due, from the start."""

    member: int  # index into the storm's members
    dashboards_at_s: tuple[float, ...]


def visits(plan: StormPlan) -> list[Visit]:
    """Every member's visit, in order of arrival."""
    rng = random.Random(plan.seed)
    arrivals = sorted((rng.uniform(0, plan.arrival_s), member) for member in range(plan.members))
    return [
        Visit(
            member=member,
            dashboards_at_s=tuple(at + n * plan.poll_interval_s for n in range(plan.polls)),
        )
        for at, member in arrivals
    ]


@dataclass(frozen=True, slots=True)
class CallBound:
    """How many OMS status calls a storm may cost, and why."""

    windows: int  # TTL windows a location can be loaded in over the storm
    per_gateway: int  # one load per location per window, across the gateway
    per_process: int  # one load per location per window in each web process

    def holds(self, calls: int, *, across_processes: bool) -> bool:
        return calls <= (self.per_gateway if across_processes else self.per_process)


def ttl_windows(duration_s: float, ttl_s: float) -> int:
    """Loads of one key in a row, each after the last one's entry expired, that fit in
    `duration_s`: the first, then one per full TTL."""
    if duration_s < 0 or ttl_s <= 0:
        raise ValueError("a duration of 0 s or more, and a positive TTL")
    return math.floor(duration_s / ttl_s) + 1


def oms_call_bound(
    *, locations: int, out: int, duration_s: float, ttl_s: float, processes: int
) -> CallBound:
    """The OMS calls the status reads of `locations` distinct locations may cost over
    `duration_s`.

    A status read is one call (GetOutageEventStatusByOutageLocation), and one more
    (GetOutageEvent) for each of the `out` locations in an outage.
    """
    if not 0 <= out <= locations or processes < 1:
        raise ValueError("out is at most the locations, and there is a process at least")
    windows = ttl_windows(duration_s, ttl_s)
    per_gateway = (locations + out) * windows
    return CallBound(windows=windows, per_gateway=per_gateway, per_process=per_gateway * processes)
