"""The hostile-client sections of a run: the attacks replayed, and the frozen CIS.

Each starts a gateway of its own under the configuration given (as deployed: `serve`
and its `worker`, the request limits at their defaults), against the stand-ins and
Redis the run shares.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Final

from bench.attacks import Attack
from bench.bystander import Bystander
from bench.client import GatewayClient
from bench.configs import GatewayConfig
from bench.cpu import cpu_seconds
from bench.data import Users
from bench.freeze import FreezePlan, figures, run_freeze
from bench.hostile import DEADLINE_SLACK_S
from bench.machine import load_average
from bench.processes import ChildProcess
from bench.replay import Attacker, ReplayPlan, replay
from bench.results import AttackRun, FreezeResult
from bench.rss import worker_pids
from bench.stack import flush_redis, running_gateway
from gateway.settings import GatewaySettings

# Loopback has all of 127.0.0.0/8: each client gets an address of its own, so that a
# limit per client address treats them as the two clients they are.
ATTACKER_ADDRESS: Final = "127.0.0.2"
BYSTANDER_ADDRESS: Final = "127.0.0.3"
# The attacks meet the gateway as deployed, its per-client rate limit on (the throughput
# configurations switch it off). The freeze keeps it off: its ten loops share one login,
# which the limit would turn away, and it measures the backend deadlines, not the limit.
RATE_LIMITED: Final = {"COOP_RATE_LIMIT_ENABLED": "true"}


@dataclass(frozen=True, slots=True)
class Gateways:
    """How to start a gateway for a section."""

    work_dir: Path
    settings: dict[str, str]
    redis_url: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def attack_section(
    attacks: Sequence[Attack],
    *,
    config: GatewayConfig,
    gateways: Gateways,
    users: Users,
    plan: ReplayPlan,
    command: str,
    say: Callable[[str], None],
) -> AttackRun:
    date, load_before = _now(), load_average()
    with ExitStack() as stack:
        gateway = stack.enter_context(
            running_gateway(
                config,
                work_dir=gateways.work_dir,
                settings=gateways.settings,
                redis_url=gateways.redis_url,
                overrides=RATE_LIMITED,
            )
        )
        attacker_token = _login(gateway.url, users.member_email, users.member_password)
        bystander_token = _login(gateway.url, users.other_member_email, users.other_member_password)
        server_pid = gateway.process.pid
        attacker = Attacker(
            gateway.url,
            attacker_token,
            local_address=ATTACKER_ADDRESS,
            cpu_s=lambda: cpu_seconds(worker_pids(server_pid)),
        )
        stack.callback(attacker.close)
        bystander = Bystander(
            f"{gateway.url}/graphql",
            bystander_token,
            interval_s=plan.bystander_interval_s,
            local_address=BYSTANDER_ADDRESS,
        )
        say(f"[{config.name}] replaying {len(attacks)} attacks beside another member")
        replayed = replay(attacks, attacker=attacker, bystander=bystander, plan=plan, say=say)
    return AttackRun(
        date=date,
        command=command,
        config=config.title,
        attacker=f"{users.member_email} from {ATTACKER_ADDRESS}",
        bystander=f"{users.other_member_email} from {BYSTANDER_ADDRESS}",
        bystander_interval_ms=plan.bystander_interval_s * 1000,
        load_average_start=load_before,
        load_average_end=load_average(),
        baseline=replayed.baseline,
        attacks=replayed.attacks,
        min_sends=plan.min_sends,
        min_window_s=plan.min_window_s,
        max_sends=plan.max_sends,
        attack_interval_ms=plan.attack_interval_s * 1000,
    )


def freeze_section(
    dashboard: bytes,
    *,
    config: GatewayConfig,
    gateways: Gateways,
    users: Users,
    cis: ChildProcess,
    plan: FreezePlan,
    command: str,
    say: Callable[[str], None],
) -> FreezeResult:
    date, load_before = _now(), load_average()
    defaults = GatewaySettings.model_fields
    deadline_s: float = defaults["request_deadline_s"].default
    with running_gateway(
        config,
        work_dir=gateways.work_dir,
        settings=gateways.settings,
        redis_url=gateways.redis_url,
    ) as gateway:
        token = _login(gateway.url, users.member_email, users.member_password)
        say(
            f"[{config.name}] {plan.clients} dashboards in a loop; the CIS stopped for"
            f" {plan.freeze_s:g} s"
        )
        records, timeline = asyncio.run(
            run_freeze(
                graphql_url=f"{gateway.url}/graphql",
                body=dashboard,
                token=token,
                plan=plan,
                empty_cache=partial(flush_redis, gateways.redis_url),
                freeze=cis.pause,
                thaw=cis.resume,
            )
        )
    found = figures(records, timeline, deadline_s=deadline_s + DEADLINE_SLACK_S)
    return FreezeResult(
        date=date,
        command=command,
        config=config.title,
        clients=plan.clients,
        freeze_s=plan.freeze_s,
        cis_timeout_s=defaults["cis_timeout_s"].default,
        request_deadline_s=deadline_s,
        cache=(
            "emptied (Redis FLUSHDB) as the CIS stopped; each process's near cache"
            " (COOP_CACHE_NEAR_TTL_S) expires on its own"
        ),
        load_average_start=load_before,
        load_average_end=load_average(),
        before=found.before,
        during=found.during,
        after=found.after,
        complete=found.complete,
        partial=found.partial,
        failed=found.failed,
        error_codes=found.error_codes,
        statuses=found.statuses,
        over_deadline=found.over_deadline,
        recovery_s=found.recovery_s,
    )


def _login(url: str, email: str, password: str) -> str:
    client = GatewayClient(url)
    try:
        return client.login(email, password)
    finally:
        client.close()
