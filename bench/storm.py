"""The outage storm: thousands of members polling their dashboards through an outage.

The storm has a co-op of its own, an account per member (seeded once into
`<data dir>/storm-<members>`, reused while current), and stand-ins of its own on it: the
OMS answering in `plan.oms_latency_ms` over a copy of its database, in which an outage
covering `plan.outage_share` of the service locations is started before the storm. The
gateway runs as the other sections run it (two web processes and a worker, the run's
Redis emptied first), with the portal's manifest of documents.

Then every member visits the portal on the plan's schedule (`storm_plan`), and the
stand-in counts every OMS call the gateway makes while they do.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import httpx

from bench.configs import GatewayConfig
from bench.cpu import cpu_seconds
from bench.data import BenchData, copy_with_own
from bench.logs import log_digest
from bench.machine import load_average
from bench.portal_documents import MANIFEST, portal_document
from bench.results import StormRun
from bench.rss import worker_pids
from bench.stack import (
    flush_redis,
    gateway_settings,
    running_gateway,
    running_stand_ins,
)
from bench.storm_load import drive, figures
from bench.storm_members import signed_in_members
from bench.storm_outage import locations_of, start_outage
from bench.storm_plan import StormPlan, oms_call_bound, visits
from gateway.core.cache.policy import OUTAGE_TTL_S
from simulators.soap import CALLS_PATH

VIEWER: Final = "PortalViewer"
DASHBOARD: Final = "PortalDashboard"
# What a dashboard's outage status costs the OMS: where the location stands, and the
# event it is in (`adapters.oms.soap.get_outage_status`).
STATUS_OPERATIONS: Final = ("GetOutageEventStatusByOutageLocation", "GetOutageEvent")


def storm_section(
    *,
    config: GatewayConfig,
    work_dir: Path,
    data_dir: Path,
    redis_url: str,
    cis_latency_ms: float,
    plan: StormPlan,
    command: str,
    say: Callable[[str], None],
) -> StormRun:
    date, load_before = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), load_average()
    viewer, dashboard = portal_document(VIEWER), portal_document(DASHBOARD)
    coop = BenchData(data_dir / f"storm-{plan.members}", accounts=max(plan.members, 3))
    say(f"[storm] preparing a co-op of {coop.accounts} accounts in {coop.directory}")
    asyncio.run(coop.ensure_seeded())
    accounts = coop.account_numbers()[: plan.members]
    storm_dir = work_dir / "storm"
    storm_dir.mkdir()
    own_data = copy_with_own(coop.directory, storm_dir / "data", "oms.db")
    with ExitStack() as stack:
        say(f"[storm] starting the CIS and OMS stand-ins (OMS at {plan.oms_latency_ms:g} ms)")
        stand_ins = stack.enter_context(
            running_stand_ins(
                work_dir=storm_dir,
                data_dir=own_data,
                accounts=coop.accounts,
                generator_seed=coop.generator_seed,
                password=secrets.token_urlsafe(24),
                cis_latency_ms=cis_latency_ms,
                oms_latency_ms=plan.oms_latency_ms,
            )
        )
        out_now = start_outage(own_data / "oms.db", share=plan.outage_share, seed=plan.seed)
        locations, locations_out = locations_of(own_data / "oms.db", accounts)
        say(f"[storm] an outage over {out_now} service locations; {plan.members} members sign in")
        database = storm_dir / "gateway.db"
        asyncio.run(coop.gateway_database(database))
        settings = {
            **gateway_settings(
                stand_ins, meters_database_url=coop.demo.databases.meters, database=database
            ),
            "COOP_TRUSTED_DOCUMENTS_PATH": str(MANIFEST.resolve()),
        }
        members = asyncio.run(
            signed_in_members(
                settings["COOP_DATABASE_URL"],
                accounts,
                jwt_secret=settings["COOP_JWT_SECRET"],
                access_token_ttl=timedelta(seconds=int(settings["COOP_ACCESS_TOKEN_TTL"])),
            )
        )
        flush_redis(redis_url)
        gateway = stack.enter_context(
            running_gateway(config, work_dir=storm_dir, settings=settings, redis_url=redis_url)
        )
        say(
            f"[storm] {plan.members} members arriving over {plan.arrival_s:g} s, each polling"
            f" {plan.polls} times every {plan.poll_interval_s:g} s"
        )
        oms_before, cis_before = _calls(stand_ins.oms_url), _calls(stand_ins.cis_url)
        processes = {
            "gateway web processes": lambda: cpu_seconds(worker_pids(gateway.process.pid)),
            "CIS stand-in": lambda: cpu_seconds([stand_ins.cis_process.pid]),
            "OMS stand-in": lambda: cpu_seconds([stand_ins.oms_process.pid]),
            "load generator": time.process_time,
        }
        cpu_before = {name: used() for name, used in processes.items()}
        answers, duration_s = asyncio.run(
            drive(
                visits(plan),
                members,
                graphql_url=f"{gateway.url}/graphql",
                viewer=viewer,
                dashboard=dashboard,
            )
        )
        cpu_s = {name: used() - cpu_before[name] for name, used in processes.items()}
        oms_calls = _calls(stand_ins.oms_url) - oms_before
        cis_calls = _calls(stand_ins.cis_url) - cis_before
        gateway_log = log_digest(gateway.process.log.read_text(errors="replace"))
    found = figures(answers, duration_s)
    bound = oms_call_bound(
        locations=locations,
        out=locations_out,
        duration_s=duration_s,
        ttl_s=OUTAGE_TTL_S,
        processes=config.workers,
    )
    status_calls = sum(oms_calls[name] for name in STATUS_OPERATIONS)
    say(
        f"[storm]   {found.requests_per_s:.0f} req/s, p50 {found.latency.p50_ms:.0f} ms,"
        f" p99 {found.latency.p99_ms:.0f} ms, {found.errors} errors;"
        f" {status_calls} OMS status calls (bound {bound.per_gateway})"
    )
    return StormRun(
        date=date,
        command=command,
        config=config.title,
        members=plan.members,
        arrival_s=plan.arrival_s,
        polls=plan.polls,
        poll_interval_s=plan.poll_interval_s,
        documents=[VIEWER, DASHBOARD],
        oms_latency_ms=plan.oms_latency_ms,
        cis_latency_ms=cis_latency_ms,
        locations=locations,
        locations_out=locations_out,
        outage_ttl_s=OUTAGE_TTL_S,
        processes=config.workers,
        load_average_start=load_before,
        load_average_end=load_average(),
        duration_s=duration_s,
        requests=found.requests,
        errors=found.errors,
        error_kinds=found.error_kinds,
        requests_per_s=found.requests_per_s,
        latency=found.latency,
        by_document=found.by_document,
        dashboards_told_out=found.dashboards_told_out,
        oms_calls=dict(sorted(oms_calls.items())),
        cis_calls=dict(sorted(cis_calls.items())),
        cpu_s=cpu_s,
        status_calls=status_calls,
        bound_windows=bound.windows,
        bound_per_gateway=bound.per_gateway,
        bound_per_process=bound.per_process,
        gateway_log=gateway_log,
    )


def _calls(service_url: str) -> Counter[str]:
    """The calls the stand-in has counted so far, per operation."""
    answer = httpx.get(service_url + CALLS_PATH, timeout=30.0)
    answer.raise_for_status()
    return Counter({str(name): int(n) for name, n in answer.json().items()})
