"""The worker runs the background jobs, once per deployment; the web app runs none.

Over the fakes for how jobs are chosen and stopped, and as a real `coop-gateway worker`
process against the CIS stand-in and Redis for what the change-feed job does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.bootstrap import open_gateway
from gateway.core.backends import Adapters
from gateway.core.cache import kinds
from gateway.core.cache.redis import RedisCache
from gateway.core.metrics import GatewayMetrics
from gateway.core.outbox import AnotherWorkerRunning, OutboxMessage
from gateway.core.outbox.table import OutboxState
from gateway.core.store.migrate import migrate
from gateway.core.store.unit_of_work import unit_of_work
from gateway.payments.pay_bill import PROCESS_PAYMENT_KIND
from gateway.worker import (
    WORKER_REFUSED,
    Job,
    JobEnded,
    PaymentsNotSetUp,
    background_jobs,
    outbox_handlers,
    outbox_runner,
    run_jobs,
    run_worker,
)
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import CisScenario
from tests.gateway.core.cache.feed_doubles import FlakyCis
from tests.gateway.core.cache.test_refresher_live import change_email, operator_of
from tests.gateway.core.outbox.support import read_rows
from tests.gateway.served import SECRET, served, served_settings

# A hang guard: a process that starts and is refused takes seconds on a loaded machine.
WORKER_STOPS_WITHIN_S = 30.0


@pytest.fixture
def cis(world: World) -> FlakyCis:
    return FlakyCis.of_world(world)


@pytest.fixture
def with_cis(adapters: Adapters, cis: FlakyCis) -> Adapters:
    return dataclasses.replace(adapters, cis=cis)


async def test_the_worker_follows_the_change_feed_from_startup_and_is_counted(
    with_cis: Adapters, cis: FlakyCis, gateway_database_path: Path
) -> None:
    settings = served_settings(gateway_database_path)
    metrics = GatewayMetrics()
    stop = asyncio.Event()
    async with open_gateway(settings, metrics=metrics, adapters=with_cis) as gateway:
        jobs = background_jobs(gateway)
        running = asyncio.create_task(run_jobs(jobs, stop=stop))
        await cis.wait_for_feed_calls(1)
        # The poll stores its cursor after the feed call: let it finish before stopping.
        polled = 'gateway_change_feed_polls_total{outcome="ok",system="cis"} 1.0'
        for _ in range(200):
            if polled in metrics.render().decode():
                break
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(running, WORKER_STOPS_WITHIN_S)

    assert [job.name for job in jobs] == [
        "outbox",
        "outbox-wakeup",
        "cis-change-refresher",
        "autopay-drafting",
        "payment-notices",
        "account-notices",
        "outage-notices",
        "similar-homes",
    ]
    text = metrics.render().decode()
    assert polled in text
    assert 'gateway_backend_calls_total{operation="changes_since",system="cis"} 1.0' in text
    await asyncio.sleep(0.02)
    assert cis.feed_calls == 1  # stopped; the next poll was 30 s away


async def test_no_autopay_drafting_runs_when_its_interval_is_0(
    with_cis: Adapters, gateway_database_path: Path
) -> None:
    settings = served_settings(gateway_database_path, autopay_draft_interval_s=0)
    async with open_gateway(settings, metrics=GatewayMetrics(), adapters=with_cis) as gateway:
        names = [job.name for job in background_jobs(gateway)]

    assert "autopay-drafting" not in names
    assert "outbox" in names


@pytest.mark.parametrize("switched_off", [{"cis_change_poll_s": 0}, {"cache_enabled": False}])
async def test_no_refresher_runs_when_polling_or_the_cache_is_off(
    with_cis: Adapters, cis: FlakyCis, gateway_database_path: Path, switched_off: dict[str, object]
) -> None:
    settings = served_settings(gateway_database_path, **switched_off)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop=stop, adapters=with_cis))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(worker, WORKER_STOPS_WITHIN_S)

    assert cis.feed_calls == 0


async def test_the_web_app_runs_no_background_job(
    with_cis: Adapters, cis: FlakyCis, gateway_database_path: Path
) -> None:
    settings = served_settings(gateway_database_path, cis_change_poll_s=0.01)
    async with served(settings, with_cis) as gateway:
        assert (await gateway.client.get("/healthz")).status_code == 200
        await asyncio.sleep(0.1)

    assert cis.feed_calls == 0


async def test_a_job_that_ends_stops_the_worker_with_an_error() -> None:
    async def gives_up(_: asyncio.Event) -> None:
        raise ConnectionError("lost the database")

    async def runs_until_stopped(stop: asyncio.Event) -> None:
        await stop.wait()

    jobs = [Job("steady", runs_until_stopped), Job("fragile", gives_up)]
    with pytest.raises(JobEnded, match="the fragile job ended: ConnectionError"):
        await asyncio.wait_for(run_jobs(jobs, stop=asyncio.Event()), WORKER_STOPS_WITHIN_S)


async def test_the_worker_carries_out_what_a_unit_of_work_wrote_to_the_outbox(
    adapters: Adapters, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await migrate(url)
    settings = served_settings(tmp_path / "gateway.db", cis_change_poll_s=0)
    done: list[OutboxMessage] = []
    stop = asyncio.Event()

    async def greet(message: OutboxMessage) -> None:
        done.append(message)
        stop.set()

    async with open_gateway(settings, metrics=GatewayMetrics(), adapters=adapters) as gateway:
        runner = outbox_runner(gateway, {"test.greet": greet})
        async with unit_of_work(gateway.store, on_outbox_committed=runner.wake) as uow:
            await uow.add_outbox(kind="test.greet", payload={"to": "member"}, idempotency_key="g-1")
        await asyncio.wait_for(
            run_jobs(background_jobs(gateway, outbox=runner), stop=stop), WORKER_STOPS_WITHIN_S
        )
        rows = await read_rows(gateway.store)

    assert [(m.kind, m.payload, m.idempotency_key, m.attempt) for m in done] == [
        ("test.greet", {"to": "member"}, "g-1", 1)
    ]
    assert [row.state for row in rows] == [OutboxState.DONE]


async def test_a_second_worker_on_the_same_sqlite_database_is_refused(
    adapters: Adapters, tmp_path: Path
) -> None:
    settings = served_settings(tmp_path / "gateway.db", cis_change_poll_s=0)
    await migrate(settings.database_url)
    stop = asyncio.Event()
    first = asyncio.create_task(run_worker(settings, stop=stop, adapters=adapters))
    await asyncio.sleep(0.2)
    try:
        with pytest.raises(AnotherWorkerRunning, match="another worker already runs"):
            await run_worker(settings, stop=asyncio.Event(), adapters=adapters)
        assert not first.done()
    finally:
        stop.set()
        await asyncio.wait_for(first, WORKER_STOPS_WITHIN_S)


def test_a_negative_polling_interval_is_refused(gateway_database_path: Path) -> None:
    with pytest.raises(ValidationError, match="cis_change_poll_s"):
        served_settings(gateway_database_path, cis_change_poll_s=-1)


async def test_a_worker_process_drops_what_the_cis_changed_from_redis_and_stops_on_sigterm(
    fresh_cis_url: str,
    cis_credentials: MultiSpeakCredentials,
    cis_scenario: CisScenario,
    oms_url: str,
    oms_credentials: MultiSpeakCredentials,
    meters_sqlite_url: str,
    clean_redis: str,
    tmp_path: Path,
) -> None:
    """The web side cached a customer; the CIS changed it at the counter; the worker
    process, following the feed, drops it from Redis, where every web process reads."""
    demo = cis_scenario.demo.customer_id
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await migrate(database_url)
    environment = {
        **os.environ,
        "COOP_JWT_SECRET": SECRET.get_secret_value(),
        "COOP_DATABASE_URL": database_url,
        "COOP_CIS_URL": fresh_cis_url,
        "COOP_CIS_USER": cis_credentials.user_id,
        "COOP_CIS_PASSWORD": cis_credentials.password,
        "COOP_OMS_URL": oms_url,
        "COOP_OMS_USER": oms_credentials.user_id,
        "COOP_OMS_PASSWORD": oms_credentials.password,
        "COOP_METERS_DATABASE_URL": meters_sqlite_url,
        "COOP_REDIS_URL": clean_redis,
        "COOP_CIS_CHANGE_POLL_S": "0.2",
    }
    worker = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("coop-gateway")),
        "worker",
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    cache = RedisCache.from_url(clean_redis, socket_timeout_s=2.0)
    key = kinds.CUSTOMER.key(demo)
    second: asyncio.subprocess.Process | None = None
    try:
        # The worker follows the feed from its first poll on ("now"), which comes once it
        # has started: until then a change is not its to see, so change again.
        dropped = False
        for attempt in range(30):
            await cache.set_many({key: b"cached by a web process"}, ttl_s=300)
            async with operator_of(fresh_cis_url, cis_credentials) as operator:
                await change_email(operator, demo, f"changed-{attempt}@example.org")
            if dropped := await eventually_missing(cache, key, within_s=1.0):
                break
        second = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("coop-gateway")),
            "worker",
            env=environment,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, refused = await asyncio.wait_for(second.communicate(), WORKER_STOPS_WITHIN_S)
        worker.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(worker.communicate(), WORKER_STOPS_WITHIN_S)
    finally:
        # Whatever failed, no worker outlives the test (a second one left running
        # becomes the database's worker once the first is gone).
        for started in (worker, second):
            if started is not None and started.returncode is None:
                started.kill()
                await started.wait()
        await cache.aclose()
    errors = stderr.decode()

    assert dropped, errors
    assert second is not None
    assert second.returncode == WORKER_REFUSED
    assert "another worker already runs against this SQLite database" in refused.decode()
    assert worker.returncode == 0, errors
    assert cis_credentials.password not in errors


async def eventually_missing(cache: RedisCache, key: str, *, within_s: float) -> bool:
    for _ in range(int(within_s / 0.1)):
        if await cache.get_many([key]) == [None]:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_payment_queued_where_payments_are_not_set_up_is_kept_for_retries(
    adapters: Adapters, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await migrate(url)
    settings = served_settings(tmp_path / "gateway.db", cis_change_poll_s=0)
    without_payments = dataclasses.replace(adapters, payments=None, cis_payments=None)
    message = OutboxMessage(
        id=1,
        kind=PROCESS_PAYMENT_KIND,
        payload={"payment_id": "pay_1"},
        idempotency_key="payment:pay_1",
        attempt=1,
    )

    async with open_gateway(
        settings, metrics=GatewayMetrics(), adapters=without_payments
    ) as gateway:
        handle = outbox_handlers(gateway)[PROCESS_PAYMENT_KIND]
        # Raised, so that the outbox retries it and in the end sets it aside: never dropped.
        with pytest.raises(PaymentsNotSetUp):
            await handle(message)
