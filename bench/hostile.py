"""Issue 10's goals for hostile clients and a hung backend, checked against a run.

An attack meets its goal when the gateway spent at most `ATTACK_SERVER_MS` on a send
of it (refused, or bounded, early): by its endpoint's own timing and by its processes'
CPU time per send (which includes the HTTP server reading the body), both means over
the sends of the same attack; and every send was answered. The other client's p99 must
stay under
`BYSTANDER_P99_MS` while it was sent. A 429 (a rate limit) is a refusal like any other.
The frozen CIS meets its goal when every dashboard in flight during the freeze was
answered, with data, within the request deadline.
"""

from __future__ import annotations

from typing import Final

from bench.results import AttackResult, FreezeResult

ATTACK_SERVER_MS: Final = 100.0
BYSTANDER_P99_MS: Final = 50.0
# The deadline bounds the wait for backends; answering after it takes a little more.
DEADLINE_SLACK_S: Final = 0.5


def attack_time_ms(attack: AttackResult) -> float:
    """The gateway's time for one send: the larger of its endpoint's time and its CPU
    time; the attacker's longest wait when the gateway measured neither."""
    measured = [m for m in (attack.server_mean_ms, attack.gateway_cpu_ms) if m is not None]
    return max(measured) if measured else attack.wall_ms.max_ms


def attack_bounded(attack: AttackResult) -> bool:
    answered = all(status != "0" for status in attack.statuses)
    return answered and attack_time_ms(attack) <= ATTACK_SERVER_MS


def bystander_unharmed(attack: AttackResult) -> bool | None:
    if attack.bystander is None:
        return None
    return attack.bystander.p99_ms < BYSTANDER_P99_MS and attack.bystander_failures == 0


def freeze_within_deadline(freeze: FreezeResult) -> bool | None:
    if freeze.during is None:
        return None
    slowest_s = freeze.during.max_ms / 1000
    return freeze.failed == 0 and slowest_s <= freeze.request_deadline_s + DEADLINE_SLACK_S
