"""`python -m bench.year_profile`: a year of hourly usage, timed and profiled in one process.

The gateway runs in this process (its ASGI app, no sockets between client and app)
against the real parts `python -m bench` starts: Redis, the CIS and OMS stand-ins and
the bench co-op's meter store. Requests go one at a time, in one of three phases:

- `cold`: Redis emptied before each request (once the gateway's pending cache writes are
  done), nothing kept in the process, as the bench's cold phase;
- `warm-entities`: the response cache off, the entity cache filled: each request runs
  the query again over cached reads (what follows a write that drops the answer);
- `warm-answers`: the response cache on and filled (what the bench's warm phase sees).

It reports each request's wall time and the CPU time this process spent on it (the
gateway's, threads included, plus the in-process client's small share: the stand-ins
and Redis are other processes), and with `--profile` the functions that took it.
Figures from a loaded machine vary; compare runs made back to back.
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
import statistics
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import httpx
import orjson

from bench.client import LOGIN, Answer, graphql_headers
from bench.configs import CONFIGS
from bench.data import BenchData, evenly_spaced
from bench.metrics import parse_metrics, pending_cache_writes
from bench.stack import flush_redis, gateway_settings, running_redis, running_stand_ins
from bench.workloads import Workload, build_workloads
from gateway.app import create_app
from gateway.settings import GatewaySettings

PHASES: Final = ("cold", "warm-entities", "warm-answers")
WORKLOAD: Final = "hourly-year"
# Enough warm-up requests to fill the cache and settle the process's own memos.
WARM_UP: Final = 3
PROFILE_LINES: Final = 40
CACHE_WRITES_POLL_S: Final = 0.002


@dataclass(frozen=True, slots=True)
class Sample:
    wall_ms: float
    cpu_ms: float


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.year_profile", description=__doc__)
    parser.add_argument("--phase", choices=PHASES, default="cold")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench"))
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument(
        "--cis-latency-ms",
        type=float,
        default=0.0,
        help="the stand-ins' latency (default 0: only the gateway's own work is timed)",
    )
    parser.add_argument(
        "--profile",
        choices=("tottime", "cumulative"),
        default=None,
        help="profile the measured requests and list the top functions by this order",
    )
    parser.add_argument(
        "--profile-file", type=Path, default=None, help="also save the profile there (pstats)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    data = BenchData(args.data_dir, args.accounts)
    as_of = asyncio.run(data.ensure_seeded())
    with _stand_ins(args, data) as (settings, gateway_db):
        users = asyncio.run(data.gateway_database(gateway_db))
        zone = ZoneInfo(GatewaySettings.model_fields["time_zone"].default)
        workloads = build_workloads(
            as_of=as_of,
            zone=zone,
            member_accounts=users.member_accounts,
            listed_accounts=evenly_spaced(data.account_numbers(), 1),
        )
        workload = next(w for w in workloads if w.name == WORKLOAD)
        profiler = cProfile.Profile() if args.profile else None
        samples = asyncio.run(
            _measure(
                workload,
                settings=settings,
                phase=args.phase,
                requests=args.requests,
                email=users.member_email,
                password=users.member_password,
                profiler=profiler,
            )
        )
    _report(args.phase, samples)
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.profile).print_stats(PROFILE_LINES)
        sys.stdout.write(out.getvalue())
        if args.profile_file is not None:
            stats.dump_stats(args.profile_file)
    return 0


@contextmanager
def _stand_ins(args: argparse.Namespace, data: BenchData) -> Iterator[tuple[dict[str, str], Path]]:
    """Redis and the stand-ins running; the gateway's COOP_* variables for the phase,
    and where its own database goes."""
    with ExitStack() as stack:
        work_dir = args.data_dir / "year-profile"
        shutil.rmtree(work_dir, ignore_errors=True)
        work_dir.mkdir(parents=True)
        redis_url = stack.enter_context(running_redis(work_dir))
        stand_ins = stack.enter_context(
            running_stand_ins(
                work_dir=work_dir,
                data_dir=args.data_dir,
                accounts=args.accounts,
                generator_seed=data.generator_seed,
                password=secrets.token_urlsafe(24),
                cis_latency_ms=args.cis_latency_ms,
                oms_latency_ms=args.cis_latency_ms,
            )
        )
        gateway_db = work_dir / "gateway.db"
        settings = gateway_settings(
            stand_ins, meters_database_url=data.demo.databases.meters, database=gateway_db
        )
        # The worker count is the server's business; in process only the switches count.
        config = CONFIGS["entities-2" if args.phase == "warm-entities" else "cached-1"]
        switches = config.environment(redis_url, cold=args.phase == "cold")
        yield {**settings, **switches}, gateway_db


async def _measure(
    workload: Workload,
    *,
    settings: dict[str, str],
    phase: str,
    requests: int,
    email: str,
    password: str,
    profiler: cProfile.Profile | None,
) -> list[Sample]:
    os.environ.update(settings)
    gateway_settings_ = GatewaySettings()  # type: ignore[call-arg]  # read from the environment
    async with _client(gateway_settings_) as client:
        token = await _login(client, email, password)
        redis_url = settings["COOP_REDIS_URL"]
        for _ in range(WARM_UP):
            await _before(client, phase, redis_url)
            _check(await _post(client, workload.body, token))
        samples = []
        for _ in range(requests):
            await _before(client, phase, redis_url)
            cpu_started, wall_started = time.process_time(), time.perf_counter()
            if profiler is not None:
                profiler.enable()
            answer = await _post(client, workload.body, token)
            if profiler is not None:
                profiler.disable()
            cpu_ms = (time.process_time() - cpu_started) * 1000
            samples.append(Sample((time.perf_counter() - wall_started) * 1000, cpu_ms))
            _check(answer)
        return samples


@asynccontextmanager
async def _client(settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


async def _login(client: httpx.AsyncClient, email: str, password: str) -> str:
    body = orjson.dumps({"query": LOGIN, "variables": {"email": email, "password": password}})
    answer = await _post(client, body, None)
    token: str = answer.data()["login"]["accessToken"]
    return token


async def _post(client: httpx.AsyncClient, body: bytes, token: str | None) -> Answer:
    started = time.perf_counter()
    response = await client.post("/graphql", content=body, headers=graphql_headers(token))
    elapsed_ms = (time.perf_counter() - started) * 1000
    return Answer(status=response.status_code, body=response.content, elapsed_ms=elapsed_ms)


async def _before(client: httpx.AsyncClient, phase: str, redis_url: str) -> None:
    """Cold: once the writes put off until after the last answer are made, empty Redis."""
    if phase != "cold":
        return
    while True:
        response = await client.get("/metrics")
        if pending_cache_writes(parse_metrics(response.text)) <= 0:
            break
        await asyncio.sleep(CACHE_WRITES_POLL_S)
    flush_redis(redis_url)


def _check(answer: Answer) -> None:
    usage = answer.data()["account"]["usage"]
    if len(usage["startsAt"]) < 8000:
        raise SystemExit(f"expected a year of hours, got {len(usage['startsAt'])} points")


def _report(phase: str, samples: Sequence[Sample]) -> None:
    wall = [sample.wall_ms for sample in samples]
    cpu = [sample.cpu_ms for sample in samples]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    sys.stdout.write(
        f"{WORKLOAD}, {phase}, {len(samples)} requests one at a time (load average {load}):\n"
        f"  wall p50 {statistics.median(wall):.1f} ms, min {min(wall):.1f} ms\n"
        f"  CPU  p50 {statistics.median(cpu):.1f} ms, min {min(cpu):.1f} ms\n"
    )


if __name__ == "__main__":
    raise SystemExit(main())
