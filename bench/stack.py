"""The processes under test: Redis, the CIS and OMS stand-ins, and the gateway."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import redis

from bench.configs import GatewayConfig
from bench.data import sqlite_url
from bench.processes import ChildProcess, StartupError, free_port, start_child
from simulators.cis.app import SERVICE_PATH as CIS_SERVICE_PATH
from simulators.oms.app import SERVICE_PATH as OMS_SERVICE_PATH

STAND_IN_USER: Final = "gateway"
STAND_IN_START_TIMEOUT_S: Final = 120.0
GATEWAY_START_TIMEOUT_S: Final = 120.0
REDIS_START_TIMEOUT_S: Final = 10.0


@dataclass(frozen=True, slots=True)
class StandIns:
    cis_url: str
    oms_url: str
    password: str
    cis_process: ChildProcess  # stopped and continued to hang the CIS
    oms_process: ChildProcess


@dataclass(frozen=True, slots=True)
class RunningGateway:
    url: str
    process: ChildProcess
    environment: Mapping[str, str]  # what its processes were started with


def gateway_command(*arguments: str) -> list[str]:
    """`coop-gateway ...` from this virtual environment."""
    script = Path(sys.executable).with_name("coop-gateway")
    if script.exists():
        return [str(script), *arguments]
    return [sys.executable, "-m", "gateway.cli", *arguments]


def base_environment() -> dict[str, str]:
    """This process's environment without any gateway settings it may carry."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("COOP_") and name not in {"REDIS_URL", "PROMETHEUS_MULTIPROC_DIR"}
    }


@contextmanager
def running_redis(work_dir: Path) -> Iterator[str]:
    """A redis-server without persistence; yields its URL."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise StartupError("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    directory = work_dir / "redis"
    directory.mkdir()
    child = start_child(
        "redis",
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        env=base_environment(),
        log_dir=work_dir,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1.0)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        child.wait_until(answers, timeout_s=REDIS_START_TIMEOUT_S, what="answering PING")
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        child.stop()


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


@contextmanager
def running_stand_ins(
    *,
    work_dir: Path,
    data_dir: Path,
    accounts: int,
    generator_seed: int,
    password: str,
    cis_latency_ms: float,
    oms_latency_ms: float,
) -> Iterator[StandIns]:
    with ExitStack() as stack:
        environment = {**base_environment(), "COOP_SIMULATOR_PASSWORD": password}
        urls: dict[str, str] = {}
        children: dict[str, tuple[ChildProcess, str]] = {}
        for system, path, latency in (
            ("cis", CIS_SERVICE_PATH, cis_latency_ms),
            ("oms", OMS_SERVICE_PATH, oms_latency_ms),
        ):
            port = free_port()
            child = start_child(
                f"{system}-stand-in",
                gateway_command(
                    "simulate",
                    system,
                    "--port",
                    str(port),
                    "--latency-ms",
                    f"{latency:g}",
                    "--user",
                    STAND_IN_USER,
                    "--data-dir",
                    str(data_dir),
                    "--accounts",
                    str(accounts),
                    "--seed",
                    str(generator_seed),
                ),
                env=environment,
                log_dir=work_dir,
            )
            stack.callback(child.stop)
            urls[system] = f"http://127.0.0.1:{port}{path}"
            children[system] = (child, urls[system])
        for child, url in children.values():  # both start at once; wait for each
            child.wait_for_http(f"{url}?wsdl", timeout_s=STAND_IN_START_TIMEOUT_S)
        yield StandIns(
            cis_url=urls["cis"],
            oms_url=urls["oms"],
            password=password,
            cis_process=children["cis"][0],
            oms_process=children["oms"][0],
        )


def gateway_settings(
    stand_ins: StandIns, *, meters_database_url: str, database: Path
) -> dict[str, str]:
    """The gateway's COOP_* variables for these stand-ins and its own SQLite database."""
    return {
        "COOP_CIS_URL": stand_ins.cis_url,
        "COOP_CIS_USER": STAND_IN_USER,
        "COOP_CIS_PASSWORD": stand_ins.password,
        "COOP_OMS_URL": stand_ins.oms_url,
        "COOP_OMS_USER": STAND_IN_USER,
        "COOP_OMS_PASSWORD": stand_ins.password,
        "COOP_METERS_DATABASE_URL": meters_database_url,
        "COOP_DATABASE_URL": sqlite_url(database),
        "COOP_JWT_SECRET": secrets.token_urlsafe(48),
        # Tokens outlive the longest configuration's run.
        "COOP_ACCESS_TOKEN_TTL": "7200",
    }


@contextmanager
def running_gateway(
    config: GatewayConfig,
    *,
    work_dir: Path,
    settings: Mapping[str, str],
    redis_url: str,
    cold: bool = False,
    overrides: Mapping[str, str] | None = None,
) -> Iterator[RunningGateway]:
    """The gateway under `config` (and `overrides` of its settings), ready (every
    backend answers) when this yields."""
    name = f"gateway-{config.name}-{'cold' if cold else 'warm'}"
    port = free_port()
    metrics_dir = work_dir / f"metrics-{name}-{time.monotonic_ns()}"
    metrics_dir.mkdir()
    environment = {
        **base_environment(),
        # The worker's count of similar homes reads every account at its start: load
        # that no workload here asks for, and that would blur what they measure.
        "COOP_SIMILAR_HOMES_INTERVAL_S": "0",
        **settings,
        **config.environment(redis_url, cold=cold),
        **(overrides or {}),
        # Workers share their counters through this directory: /metrics sums them.
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    child = start_child(
        name,
        gateway_command(
            "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(config.workers)
        ),
        env=environment,
        log_dir=work_dir,
    )
    # As deployed: the background jobs (the CIS change feed) run in a worker of their own.
    worker = start_worker(f"{name}-worker", environment=environment, work_dir=work_dir)
    try:
        url = f"http://127.0.0.1:{port}"
        child.wait_for_http(f"{url}/readyz", timeout_s=GATEWAY_START_TIMEOUT_S)
        yield RunningGateway(url=url, process=child, environment=environment)
    finally:
        child.stop()
        worker.stop()


def start_worker(name: str, *, environment: Mapping[str, str], work_dir: Path) -> ChildProcess:
    """A `coop-gateway worker` process; the caller stops it."""
    return start_child(name, gateway_command("worker"), env=environment, log_dir=work_dir)
