"""One benchmark run: data, stand-ins, floors, then every configuration and workload."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from bench.attacks import build_attacks
from bench.client import GatewayClient
from bench.configs import CONFIGS, GatewayConfig
from bench.data import BenchData, Users, evenly_spaced
from bench.documents import DocumentsPlan, documents_section
from bench.fanout import FanoutPlan, fanout_section
from bench.floor import BackendAccess, FloorProbe
from bench.freeze import FreezePlan
from bench.logs import log_digest
from bench.machine import describe_machine, load_average
from bench.payments import PaymentsPlan, payments_section
from bench.phases import Target, WarmLoad, cold_phase, warm_phase, warm_serial_phase
from bench.portal_timing import PortalPlan, portal_section
from bench.replay import ReplayPlan
from bench.results import (
    AttackRun,
    BenchResults,
    ConfigInfo,
    DocumentsRun,
    FanoutRun,
    FreezeResult,
    PaymentsRun,
    PhaseResult,
    PortalRun,
    RunSettings,
    StormRun,
    WorkloadInfo,
)
from bench.sections import Gateways, attack_section, freeze_section
from bench.stack import (
    flush_redis,
    gateway_settings,
    running_gateway,
    running_redis,
    running_stand_ins,
)
from bench.storm import storm_section
from bench.storm_plan import StormPlan
from bench.workloads import Workload, build_workloads
from gateway.settings import GatewaySettings

WRK_TIMEOUT_S: Final = 60.0
# Warm requests one at a time stop after this long (the naive gateway takes seconds each).
SERIAL_BUDGET_S: Final = 5.0
# The account list takes seconds without the cache: fewer cold samples keep the run short.
SLOW_WORKLOADS: Final = frozenset({"staff-list"})
# Payments run against two web processes, as the duplicate storm spreads over both.
PAYMENTS_CONFIG: Final = "cached-2"
# The parts of a run: the workloads in every configuration, the attacks replayed beside
# another client, dashboards while the CIS is frozen, payments through the worker,
# billing day's notices, members polling through an outage, the member portal in a
# browser, and Green Button downloads and bill PDFs.
SECTIONS: Final = (
    "workloads",
    "attacks",
    "freeze",
    "payments",
    "fanout",
    "outage-storm",
    "portal",
    "documents",
)
# The storm meets the gateway as the payments do: two web processes, each its own single
# flight, so that what one process does not know of the other shows.
STORM_CONFIG: Final = "cached-2"
# Documents are fetched from one web process, whose memory and CPU are then all theirs.
DOCUMENTS_CONFIG: Final = "cached-1"


@dataclass(frozen=True, slots=True)
class RunOptions:
    data_dir: Path
    accounts: int
    generator_seed: int
    workloads: Sequence[str]
    configs: Sequence[str]
    cold_requests: int
    warm_duration_s: float
    warmup_s: float
    connections: int
    threads: int
    floor_repetitions: int
    listed_accounts: int
    cis_latency_ms: float
    oms_latency_ms: float
    quick: bool
    command: str
    sections: Sequence[str] = SECTIONS
    replay: ReplayPlan = field(default_factory=ReplayPlan)
    freeze: FreezePlan = field(default_factory=FreezePlan)
    payments: PaymentsPlan = field(default_factory=PaymentsPlan)
    fanout: FanoutPlan = field(default_factory=FanoutPlan)
    storm: StormPlan = field(default_factory=StormPlan)
    portal: PortalPlan = field(default_factory=PortalPlan)
    documents: DocumentsPlan = field(default_factory=DocumentsPlan)

    @property
    def hostile_config(self) -> GatewayConfig:
        """The attacks and the freeze run against the first cached configuration chosen."""
        cached = [
            CONFIGS[name] for name in self.configs if CONFIGS[name].cached and CONFIGS[name].answers
        ]
        return cached[0] if cached else CONFIGS["cached-1"]

    def cold_requests_for(self, workload: str) -> int:
        if workload in SLOW_WORKLOADS:
            return max(3, self.cold_requests // 4)
        return self.cold_requests

    @property
    def warm_load(self) -> WarmLoad:
        return WarmLoad(
            duration_s=self.warm_duration_s,
            max_duration_s=self.warm_duration_s * 2,
            warmup_s=self.warmup_s,
            connections=self.connections,
            threads=self.threads,
            timeout_s=WRK_TIMEOUT_S,
        )


@dataclass(frozen=True, slots=True)
class _Bench:
    """What every configuration's run shares."""

    options: RunOptions
    workloads: Sequence[Workload]
    users: Users
    settings: dict[str, str]  # the gateway's COOP_* variables
    redis_url: str
    work_dir: Path
    floor: FloorProbe


def say(line: str) -> None:
    sys.stderr.write(f"bench: {line}\n")
    sys.stderr.flush()


def run_benchmarks(options: RunOptions) -> BenchResults:
    started = datetime.now(UTC)
    machine = describe_machine()  # before the run loads it
    data = BenchData(options.data_dir, options.accounts, options.generator_seed)
    say(f"preparing the bench co-op in {options.data_dir} ({options.accounts} accounts)")
    as_of = asyncio.run(data.ensure_seeded())
    zone = ZoneInfo(GatewaySettings.model_fields["time_zone"].default)
    with ExitStack() as stack:
        work_dir = _fresh_directory(options.data_dir / "run")
        say(f"logs of this run: {work_dir}")
        gateway_db = work_dir / "gateway.db"
        users = asyncio.run(data.gateway_database(gateway_db))
        every_workload = build_workloads(
            as_of=as_of,
            zone=zone,
            member_accounts=users.member_accounts,
            listed_accounts=evenly_spaced(data.account_numbers(), options.listed_accounts),
        )
        measured = "workloads" in options.sections
        workloads = [w for w in every_workload if measured and w.name in options.workloads]
        say("starting Redis and the CIS and OMS stand-ins")
        redis_url = stack.enter_context(running_redis(work_dir))
        stand_ins = stack.enter_context(
            running_stand_ins(
                work_dir=work_dir,
                data_dir=options.data_dir,
                accounts=options.accounts,
                generator_seed=options.generator_seed,
                password=secrets.token_urlsafe(24),
                cis_latency_ms=options.cis_latency_ms,
                oms_latency_ms=options.oms_latency_ms,
            )
        )
        access = BackendAccess(
            cis_url=stand_ins.cis_url,
            oms_url=stand_ins.oms_url,
            user="gateway",
            password=stand_ins.password,
            meters_database_url=data.demo.databases.meters,
        )
        probe = stack.enter_context(FloorProbe(access))
        if workloads:
            say("measuring the floors")
        floors = {}
        for workload in workloads:
            floors[workload.name] = probe.measure(
                workload.floor, repetitions=options.floor_repetitions
            )
            say(f"  {workload.name}: floor p50 {floors[workload.name].latency.p50_ms:.1f} ms")
        bench = _Bench(
            options=options,
            workloads=workloads,
            users=users,
            settings=gateway_settings(
                stand_ins, meters_database_url=access.meters_database_url, database=gateway_db
            ),
            redis_url=redis_url,
            work_dir=work_dir,
            floor=probe,
        )
        phases: list[PhaseResult] = []
        gateway_logs: dict[str, list[str]] = {}
        for name in options.configs if measured else ():
            config_phases, log = _run_config(CONFIGS[name], bench)
            phases += config_phases
            if log:
                gateway_logs[name] = log
        gateways = Gateways(work_dir=work_dir, settings=bench.settings, redis_url=redis_url)
        attacks: AttackRun | None = None
        if "attacks" in options.sections:
            attacks = attack_section(
                build_attacks(as_of=as_of, member_accounts=users.member_accounts),
                config=options.hostile_config,
                gateways=gateways,
                users=users,
                plan=options.replay,
                command=options.command,
                say=say,
            )
        freeze: FreezeResult | None = None
        if "freeze" in options.sections:
            dashboard = next(w for w in every_workload if w.name == "dashboard")
            freeze = freeze_section(
                dashboard.body,
                config=options.hostile_config,
                gateways=gateways,
                users=users,
                cis=stand_ins.cis_process,
                plan=options.freeze,
                command=options.command,
                say=say,
            )
        payments: PaymentsRun | None = None
        if "payments" in options.sections:
            payments = payments_section(
                config=CONFIGS[PAYMENTS_CONFIG],
                work_dir=work_dir,
                data_dir=options.data_dir,
                settings=bench.settings,
                redis_url=redis_url,
                users=users,
                cis_password=stand_ins.password,
                cis_latency_ms=options.cis_latency_ms,
                plan=options.payments,
                command=options.command,
                say=say,
            )
        fanout: FanoutRun | None = None
        if "fanout" in options.sections:
            fanout = fanout_section(
                work_dir=work_dir,
                settings=bench.settings,
                plan=options.fanout,
                command=options.command,
                say=say,
            )
        storm: StormRun | None = None
        if "outage-storm" in options.sections:
            storm = storm_section(
                config=CONFIGS[STORM_CONFIG],
                work_dir=work_dir,
                data_dir=options.data_dir,
                redis_url=redis_url,
                cis_latency_ms=options.cis_latency_ms,
                plan=options.storm,
                command=options.command,
                say=say,
            )
        portal: PortalRun | None = None
        if "portal" in options.sections:
            portal = portal_section(
                work_dir=work_dir, plan=options.portal, command=options.command, say=say
            )
        documents: DocumentsRun | None = None
        if "documents" in options.sections:
            documents = documents_section(
                config=CONFIGS[DOCUMENTS_CONFIG],
                work_dir=work_dir,
                data_dir=options.data_dir,
                settings=bench.settings,
                redis_url=redis_url,
                as_of=as_of,
                cis_latency_ms=options.cis_latency_ms,
                plan=options.documents,
                command=options.command,
                say=say,
            )
        # Other work on the machine shows here: the stand-ins are still up, but idle.
        machine["load average at the end"] = load_average()
        floor_retries = probe.retries
    metrics_seen = any(p.backend_calls is not None for p in phases)
    cache_switches = "cache_enabled" in GatewaySettings.model_fields
    return BenchResults(
        date=started.strftime("%Y-%m-%d %H:%M UTC"),
        command=options.command,
        machine=machine,
        settings=RunSettings(
            accounts=options.accounts,
            as_of=as_of.isoformat(),
            cis_latency_ms=options.cis_latency_ms,
            oms_latency_ms=options.oms_latency_ms,
            cold_requests={w.name: options.cold_requests_for(w.name) for w in workloads},
            warm_duration_s=options.warm_duration_s,
            warmup_s=options.warmup_s,
            connections=options.connections,
            threads=options.threads,
            floor_repetitions=options.floor_repetitions,
            quick=options.quick,
            cache_switches=cache_switches,
            metrics=metrics_seen,
        ),
        workloads=[
            WorkloadInfo(
                name=w.name,
                title=w.title,
                description=w.description,
                operation=w.operation,
                query=w.query,
                floor_note=w.floor_note,
            )
            for w in workloads
        ],
        configs=[
            ConfigInfo(
                name=c.name, title=c.title, workers=c.workers, cached=c.cached, answers=c.answers
            )
            for c in (CONFIGS[name] for name in options.configs)
        ],
        floors=floors,
        phases=phases,
        notes=_notes(
            cache_switches=cache_switches, metrics_seen=metrics_seen, floor_retries=floor_retries
        ),
        gateway_logs=gateway_logs,
        attacks=attacks,
        freeze=freeze,
        payments=payments,
        fanout=fanout,
        storm=storm,
        portal=portal,
        documents=documents,
    )


def _notes(*, cache_switches: bool, metrics_seen: bool, floor_retries: int) -> list[str]:
    notes = []
    if floor_retries:
        notes.append(
            f"{floor_retries} floor run(s) were made again after a stand-in closed a"
            " connection as it was reused."
        )
    if not cache_switches:
        notes.append(
            "This gateway has no cache or batching settings yet: the naive configurations"
            " ran the same code as the cached ones."
        )
    if not metrics_seen:
        notes.append(
            "This gateway serves no /metrics yet: backend calls, cache hit ratios and the"
            " targets that need them were not measured."
        )
    return notes


def _fresh_directory(path: Path) -> Path:
    """The previous run's logs and scratch files make way for this run's."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _run_config(config: GatewayConfig, bench: _Bench) -> tuple[list[PhaseResult], list[str]]:
    """The configuration's phases, and a digest of what its gateways logged.

    Cold and warm phases run against two gateways started alike, except that the cold
    one keeps nothing in its processes between requests (emptying Redis could not reach
    that).
    """
    say(f"[{config.name}] starting the gateway for the cold phases ({config.title})")
    with _started(config, bench, cold=True) as (target, tokens):
        colds = {}
        for workload in bench.workloads:
            colds[workload.name] = cold_phase(
                target,
                workload,
                tokens[workload.user],
                requests=bench.options.cold_requests_for(workload.name),
                floor_ms=partial(bench.floor.time_ms, workload.floor),
            )
            say(f"[{config.name}] {workload.name} cold: {_brief(colds[workload.name])}")
        log = target.log
    say(f"[{config.name}] starting the gateway for the warm phases")
    phases: list[PhaseResult] = []
    load = bench.options.warm_load
    with _started(config, bench, cold=False) as (target, tokens):
        for workload in bench.workloads:
            cold = colds[workload.name]
            serial = warm_serial_phase(
                target,
                workload,
                tokens[workload.user],
                most=bench.options.cold_requests,
                budget_s=SERIAL_BUDGET_S,
                floor_p50_ms=cold.floor_p50_ms,
            )
            say(f"[{config.name}] {workload.name} warm, one at a time: {_brief(serial)}")
            warm = warm_phase(
                target,
                workload,
                tokens[workload.user],
                load=load,
                duration_s=load.duration_after(cold),
                scratch=bench.work_dir,
                floor_p50_ms=cold.floor_p50_ms,
            )
            say(f"[{config.name}] {workload.name} warm: {_brief(warm)}")
            phases += [cold, serial, warm]
        logs = [log, target.log]
    return phases, log_digest("\n".join(path.read_text(errors="replace") for path in logs))


@contextmanager
def _started(
    config: GatewayConfig, bench: _Bench, *, cold: bool
) -> Iterator[tuple[Target, dict[str, str]]]:
    """A running gateway as the phases see it, and a token for each kind of user."""
    with ExitStack() as stack:
        gateway = stack.enter_context(
            running_gateway(
                config,
                work_dir=bench.work_dir,
                settings=bench.settings,
                redis_url=bench.redis_url,
                cold=cold,
            )
        )
        client = GatewayClient(gateway.url)
        stack.callback(client.close)
        tokens = {
            "member": client.login(bench.users.member_email, bench.users.member_password),
            "staff": client.login(bench.users.staff_email, bench.users.staff_password),
        }
        yield (
            Target(
                client=client,
                graphql_url=f"{gateway.url}/graphql",
                server_pid=gateway.process.pid,
                config=config.name,
                flush_cache=partial(flush_redis, bench.redis_url),
                log=gateway.process.log,
            ),
            tokens,
        )


def _brief(result: PhaseResult) -> str:
    rate = f", {result.requests_per_s:.0f} req/s" if result.requests_per_s is not None else ""
    calls = result.backend_calls_total
    backend = f", {calls:.1f} backend calls/request" if calls is not None else ""
    floor = f", floor {result.floor_p50_ms:.1f} ms" if result.floor_p50_ms is not None else ""
    return (
        f"p50 {result.latency.p50_ms:.1f} ms, p99 {result.latency.p99_ms:.1f} ms"
        f"{rate}{backend}{floor}, {result.errors} errors"
    )
