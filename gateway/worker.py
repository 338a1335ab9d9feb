"""The worker: the loops that must run once per deployment, never once per web process.

`coop-gateway worker` opens the same things as the web process (`gateway.bootstrap`)
and runs the background jobs until it is told to stop (SIGTERM or SIGINT):

- the CIS change-feed refresher, while the shared cache is on and
  `cis_change_poll_s` > 0: it drops from the cache what the CIS reports as changed.
  Several web processes share what it drops only through Redis; the in-process cache
  is shared only where the worker runs in the same process (the demo).

A job that ends on its own (a bug: each is meant to run until cancelled) stops the
worker with an error, so that a supervisor restarts it instead of it idling silently.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from gateway.bootstrap import Gateway, open_gateway
from gateway.core.backends import Adapters
from gateway.core.cache.port import Cache
from gateway.core.cache.refresher import CisChangeRefresher
from gateway.core.metrics import GatewayMetrics
from gateway.settings import GatewaySettings

logger = logging.getLogger("gateway.worker")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    run: Callable[[], Coroutine[Any, Any, None]]  # runs until cancelled


class JobEnded(RuntimeError):
    """A background job returned or failed, though it should run until stopped."""


def background_jobs(gateway: Gateway) -> list[Job]:
    """The jobs this deployment's settings ask for."""
    settings = gateway.settings
    jobs: list[Job] = []
    if gateway.cache is not None and settings.cis_change_poll_s > 0:
        refresher = CisChangeRefresher(
            gateway.adapters.cis,
            gateway.cache,
            interval_s=settings.cis_change_poll_s,
            stats=gateway.metrics,
        )
        jobs.append(Job("cis-change-refresher", refresher.run))
    return jobs


async def run_jobs(jobs: list[Job], *, stop: asyncio.Event) -> None:
    """Run every job until `stop` is set; then cancel them and wait for them to end."""
    tasks = {asyncio.create_task(job.run(), name=job.name): job for job in jobs}
    stopping = asyncio.create_task(stop.wait(), name="worker-stop")
    logger.info("worker running: %s", ", ".join(job.name for job in jobs) or "no jobs")
    try:
        done, _ = await asyncio.wait({stopping, *tasks}, return_when=asyncio.FIRST_COMPLETED)
        for task, job in tasks.items():
            if task in done:
                error = None if task.cancelled() else task.exception()
                raise JobEnded(f"the {job.name} job ended: {error!r}") from error
    finally:
        everything: list[asyncio.Task[Any]] = [stopping, *tasks]
        for running in everything:
            running.cancel()
        # What a failed job raised is reported by JobEnded above, not again here.
        await asyncio.gather(*everything, return_exceptions=True)


async def run_worker(
    settings: GatewaySettings,
    *,
    stop: asyncio.Event,
    adapters: Adapters | None = None,
    cache: Cache | None = None,
) -> None:
    """Open the gateway's parts from `settings` and run the jobs until `stop` is set."""
    metrics = GatewayMetrics(multiprocess_dir=settings.prometheus_multiproc_dir)
    async with open_gateway(settings, metrics=metrics, adapters=adapters, cache=cache) as gateway:
        await run_jobs(background_jobs(gateway), stop=stop)


def run_worker_from_environment() -> int:
    """For `coop-gateway worker`: the settings come from COOP_* variables."""
    settings = GatewaySettings()  # type: ignore[call-arg]  # jwt_secret: from env
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_worker(settings, stop=stop)

    asyncio.run(main())
    return 0
