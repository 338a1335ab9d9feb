"""`python -m bench.cold_profile`: what a storm member costs the gateway, in one process.

The gateway app runs in this process, driven through its ASGI interface as uvicorn
would (no client library, no sockets in front of it), against the real parts the storm
uses: Redis, and the CIS and OMS stand-ins over HTTP on the storm's co-op (an account
per member, an outage started in the OMS's own copy of its database), answering with
the storm's latencies. Members are signed in as the storm signs them in (no argon2),
each new to the gateway, and each makes the storm's first visit (the portal's
`PortalViewer`, then `PortalDashboard` by documentId, cold) and, once the writes the
gateway put off until after the answers are made, one later poll of the dashboard
(read from Redis: the process keeps nothing in front of it, as after a poll interval).

Members go `--concurrency` at a time. It reports the CPU time this process spent per
member (the gateway's, its threads included, plus the small share of the ASGI calls;
the stand-ins and Redis are other processes) for the visit and for the poll, the SOAP
calls each made, and then, over members not measured before, the functions a profiled
run spent it in (the event loop's thread: the database's threads are left out of
the list, not of the figures). Figures from a loaded machine vary: compare runs made back to back.

    .venv/bin/python -m bench.cold_profile [--members 300] [--concurrency 16] [--top 40]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import secrets
import shutil
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Final

import httpx
from starlette.applications import Starlette

from bench.configs import CONFIGS
from bench.data import BenchData, copy_with_own
from bench.hit_profile import call
from bench.metrics import MetricsDelta, SampleKey, parse_metrics, pending_cache_writes
from bench.portal_documents import MANIFEST, PortalDocument, portal_document
from bench.stack import flush_redis, gateway_settings, running_redis, running_stand_ins
from bench.storm import DASHBOARD, VIEWER
from bench.storm_load import judge
from bench.storm_members import Member, signed_in_members
from bench.storm_outage import start_outage
from bench.storm_plan import StormPlan
from gateway.app import create_app
from gateway.settings import GatewaySettings

# The first members settle the process (documents parsed, connections opened, the
# WSDLs' first use) and are left out of every figure.
WARM_UP_MEMBERS: Final = 10
CACHE_WRITES_POLL_S: Final = 0.005
# What is measured is CPU, not latency: a loop slowed by the profiler (or by a busy
# machine) must not turn calls into timeouts, open breakers and answer with errors.
GENEROUS_TIMEOUTS: Final = {
    "COOP_CIS_TIMEOUT_S": "30",
    "COOP_OMS_TIMEOUT_S": "30",
    "COOP_METERS_TIMEOUT_S": "30",
    "COOP_REDIS_TIMEOUT_S": "10",
    "COOP_REQUEST_DEADLINE_S": "60",
}


@dataclass(frozen=True, slots=True)
class Cost:
    """What a phase cost this process, per member."""

    cpu_ms: float
    wall_s: float
    soap_calls: float


def parser() -> argparse.ArgumentParser:
    plan = StormPlan()
    parser = argparse.ArgumentParser(prog="python -m bench.cold_profile", description=__doc__)
    parser.add_argument(
        "--members",
        type=int,
        default=300,
        help="members (and accounts in the co-op): a few to warm up, half the rest"
        " measured, the other half profiled",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="members at a time")
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench"))
    parser.add_argument("--cis-latency-ms", type=float, default=40.0)
    parser.add_argument("--oms-latency-ms", type=float, default=plan.oms_latency_ms)
    parser.add_argument("--top", type=int, default=40, help="functions listed")
    parser.add_argument(
        "--sort", choices=("tottime", "cumulative"), default="tottime", help="the list's order"
    )
    parser.add_argument("--save", type=Path, default=None, help="also save the profile (pstats)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.members < WARM_UP_MEMBERS + 2:
        raise SystemExit(f"--members: at least {WARM_UP_MEMBERS + 2}")
    coop = BenchData(args.data_dir / f"storm-{args.members}", accounts=args.members)
    asyncio.run(coop.ensure_seeded())
    with _stack(args, coop) as settings:
        members = asyncio.run(
            signed_in_members(
                settings["COOP_DATABASE_URL"],
                coop.account_numbers()[: args.members],
                jwt_secret=settings["COOP_JWT_SECRET"],
                access_token_ttl=timedelta(seconds=int(settings["COOP_ACCESS_TOKEN_TTL"])),
            )
        )
        flush_redis(settings["COOP_REDIS_URL"])
        os.environ.update(settings)
        # The event loop's own CPU time: a wall clock would charge the loop for what the
        # database threads and the rest of the machine did meanwhile.
        profiler = cProfile.Profile(time.thread_time)
        asyncio.run(_run(members, concurrency=args.concurrency, profiler=profiler))
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(args.sort).print_stats(args.top)
    sys.stdout.write(out.getvalue())
    if args.save is not None:
        stats.dump_stats(args.save)
    return 0


@contextmanager
def _stack(args: argparse.Namespace, coop: BenchData) -> Iterator[dict[str, str]]:
    """Redis and the stand-ins running over the storm's co-op, an outage started; the
    gateway's COOP_* variables."""
    plan = StormPlan()
    with ExitStack() as stack:
        work_dir = args.data_dir / "cold-profile"
        shutil.rmtree(work_dir, ignore_errors=True)
        work_dir.mkdir(parents=True)
        own_data = copy_with_own(coop.directory, work_dir / "data", "oms.db")
        redis_url = stack.enter_context(running_redis(work_dir))
        stand_ins = stack.enter_context(
            running_stand_ins(
                work_dir=work_dir,
                data_dir=own_data,
                accounts=coop.accounts,
                generator_seed=coop.generator_seed,
                password=secrets.token_urlsafe(24),
                cis_latency_ms=args.cis_latency_ms,
                oms_latency_ms=args.oms_latency_ms,
            )
        )
        start_outage(own_data / "oms.db", share=plan.outage_share, seed=plan.seed)
        database = work_dir / "gateway.db"
        asyncio.run(coop.gateway_database(database))
        settings = gateway_settings(
            stand_ins, meters_database_url=coop.demo.databases.meters, database=database
        )
        # Near layer off: a poll comes after the few seconds a process keeps an answer.
        switches = CONFIGS["cached-1"].environment(redis_url, cold=True)
        yield {
            **settings,
            **switches,
            **GENEROUS_TIMEOUTS,
            "COOP_TRUSTED_DOCUMENTS_PATH": str(MANIFEST.resolve()),
        }


async def _run(members: Sequence[Member], *, concurrency: int, profiler: cProfile.Profile) -> None:
    viewer, dashboard = portal_document(VIEWER), portal_document(DASHBOARD)
    app = create_app(GatewaySettings(), server_process=True)  # type: ignore[call-arg]  # env
    async with app.router.lifespan_context(app):
        warm_up, rest = members[:WARM_UP_MEMBERS], members[WARM_UP_MEMBERS:]
        measured, profiled = rest[: len(rest) // 2], rest[len(rest) // 2 :]
        await _phase(app, warm_up, concurrency, lambda m: _first_visit(app, m, viewer, dashboard))
        await _phase(app, warm_up, concurrency, lambda m: _poll(app, m, dashboard))

        visit = await _phase(
            app, measured, concurrency, lambda m: _first_visit(app, m, viewer, dashboard)
        )
        poll = await _phase(app, measured, concurrency, lambda m: _poll(app, m, dashboard))
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        sys.stdout.write(
            f"{len(measured)} members, {concurrency} at a time (load average {load}):\n"
            f"  first visit (viewer + cold dashboard): {visit.cpu_ms:.1f} ms CPU per member,"
            f" {visit.soap_calls:.1f} SOAP calls, {visit.wall_s:.1f} s in all\n"
            f"  later poll (dashboard from Redis):    {poll.cpu_ms:.1f} ms CPU per member,"
            f" {poll.soap_calls:.1f} SOAP calls, {poll.wall_s:.1f} s in all\n"
            f"  visit + 2 polls: {visit.cpu_ms + 2 * poll.cpu_ms:.1f} ms CPU per member\n\n"
            f"Profile of {len(profiled)} more members (visit and poll):\n"
        )
        profiler.enable()
        await _phase(app, profiled, concurrency, lambda m: _first_visit(app, m, viewer, dashboard))
        await _phase(app, profiled, concurrency, lambda m: _poll(app, m, dashboard))
        profiler.disable()


async def _phase(
    app: Starlette,
    members: Sequence[Member],
    concurrency: int,
    step: Callable[[Member], Awaitable[None]],
) -> Cost:
    """`step` for every member, `concurrency` at a time, until the gateway's put-off
    cache writes are made too; its cost per member."""
    before = await _metrics(app)
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    queue = list(reversed(members))

    async def lane() -> None:
        while queue:
            await step(queue.pop())

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    while True:  # the writes are made by tasks of the gateway's own
        if pending_cache_writes(await _metrics(app)) <= 0:
            break
        await asyncio.sleep(CACHE_WRITES_POLL_S)
    cpu_s, wall_s = time.process_time() - cpu_started, time.perf_counter() - wall_started
    calls = MetricsDelta.between(before, await _metrics(app)).backend_calls()
    soap = sum(n for backend, n in calls.items() if backend.startswith(("cis", "oms")))
    return Cost(cpu_ms=cpu_s * 1000 / len(members), wall_s=wall_s, soap_calls=soap / len(members))


async def _first_visit(
    app: Starlette, member: Member, viewer: PortalDocument, dashboard: PortalDocument
) -> None:
    await _ask(app, viewer.body({}), member)
    await _poll(app, member, dashboard)


async def _poll(app: Starlette, member: Member, dashboard: PortalDocument) -> None:
    await _ask(app, dashboard.body({"number": member.account_number}), member)


async def _ask(app: Starlette, body: bytes, member: Member) -> None:
    status, answer = await call(app, body, member.token)
    error, _ = judge(status, answer)
    if error is not None:
        raise SystemExit(f"{member.email} was answered with {error}: {answer[:300]!r}")


async def _metrics(app: Starlette) -> dict[SampleKey, float]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        response = await client.get("/metrics")
        response.raise_for_status()
        return parse_metrics(response.text)


if __name__ == "__main__":
    raise SystemExit(main())
