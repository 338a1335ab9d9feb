"""The refresher against real Redis and the CIS stand-in, which is changed in its own
MultiSpeak (ModifyCBDataForCustomer), behind the gateway's back."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import pytest_asyncio

from adapters.cis.port import CisFault
from adapters.cis.soap import CB_SERVER_WSDL, SoapCis
from adapters.multispeak import MultiSpeakClient, call, load_wsdl_client
from gateway.core.cache import kinds
from gateway.core.cache.feed_cursor import StoredCursor
from gateway.core.cache.redis import RedisCache
from gateway.core.cache.refresher import CisChangeRefresher
from gateway.core.loaders import LoaderOptions, customer_loader
from simulators.cis.app import SERVICE_PATH, create_cis_app
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import CisScenario, cis_endpoint_for, load_cis_database
from tests.gateway.core.store.databases import migrated_store

POLL_S = 30.0  # never waited for: the tests poll themselves
REDIS_TIMEOUT_S = 2.0


@pytest_asyncio.fixture
async def redis_cache(clean_redis: str) -> AsyncIterator[RedisCache]:
    cache = RedisCache.from_url(clean_redis, socket_timeout_s=REDIS_TIMEOUT_S)
    yield cache
    await cache.aclose()


@asynccontextmanager
async def operator_of(
    url: str, credentials: MultiSpeakCredentials
) -> AsyncIterator[MultiSpeakClient]:
    """A MultiSpeak client of the CIS's own (a CSR's desktop), not the gateway's."""
    client = load_wsdl_client(CB_SERVER_WSDL, cis_endpoint_for(url, credentials))
    try:
        yield client
    finally:
        await client.aclose()


async def change_email(operator: MultiSpeakClient, customer_id: str, email: str) -> None:
    change = {
        "objectID": customer_id,
        "contactInfo": {"eMailList": {"eMailAddress": [{"eMail": email}]}},
    }
    result = await call(
        operator,
        "ModifyCBDataForCustomer",
        {"customerData": {"customer": [change]}},
        unavailable=CisFault,
        fault=CisFault,
    )
    assert not (result or {}).get("errorObject")


async def email_read_through(cis: SoapCis, cache: RedisCache, customer_id: str) -> str | None:
    """The customer's email as a new request reads it: from the cache when it is there."""
    customer = await customer_loader(cis, LoaderOptions(cache=cache)).load(customer_id)
    return customer.email


async def test_a_customer_changed_behind_the_gateways_back_is_read_fresh_after_a_poll(
    fresh_cis_url: str,
    cis_credentials: MultiSpeakCredentials,
    cis_scenario: CisScenario,
    redis_cache: RedisCache,
) -> None:
    demo = cis_scenario.demo.customer_id
    cis = await SoapCis.create(endpoint=cis_endpoint_for(fresh_cis_url, cis_credentials))
    refresher = CisChangeRefresher(cis, redis_cache, interval_s=POLL_S)
    try:
        await refresher.poll_once()
        before = await email_read_through(cis, redis_cache, demo)
        async with operator_of(fresh_cis_url, cis_credentials) as operator:
            await change_email(operator, demo, "changed-at-the-counter@example.org")

        stale = await email_read_through(cis, redis_cache, demo)
        outcome = await refresher.poll_once()
        fresh = await email_read_through(cis, redis_cache, demo)
    finally:
        await cis.aclose()

    assert stale == before != "changed-at-the-counter@example.org"
    assert outcome.ok
    assert outcome.dropped == 2  # the customer, and its service locations by customer
    assert fresh == "changed-at-the-counter@example.org"
    assert await redis_cache.get_many([kinds.CUSTOMER.key(demo)]) != [None]  # cached again


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_a_cis_that_goes_down_costs_polls_not_changes(
    world: World,
    cis_credentials: MultiSpeakCredentials,
    cis_scenario: CisScenario,
    redis_cache: RedisCache,
    tmp_path: Path,
) -> None:
    database_url = await load_cis_database(world, tmp_path / "cis.db")
    port = free_port()
    url = f"http://127.0.0.1:{port}{SERVICE_PATH}"
    demo = cis_scenario.demo.customer_id
    cis = await SoapCis.create(endpoint=cis_endpoint_for(url, cis_credentials, timeout_s=2.0))
    refresher = CisChangeRefresher(cis, redis_cache, interval_s=POLL_S)
    try:
        app = create_cis_app(database_url=database_url, credentials=cis_credentials)
        async with serve_asgi(app, port=port):
            await refresher.poll_once()
            await email_read_through(cis, redis_cache, demo)
            async with operator_of(url, cis_credentials) as operator:
                await change_email(operator, demo, "while-you-were-out@example.org")

        down = await refresher.poll_once()  # the CIS is gone; the change waits
        cached_while_down = await redis_cache.get_many([kinds.CUSTOMER.key(demo)])

        again = create_cis_app(database_url=database_url, credentials=cis_credentials)
        async with serve_asgi(again, port=port):
            back = await refresher.poll_once()
            fresh = await email_read_through(cis, redis_cache, demo)
    finally:
        await cis.aclose()

    assert down.ok is False
    assert cached_while_down != [None]
    assert back.ok
    assert back.dropped == 2
    assert fresh == "while-you-were-out@example.org"


async def test_a_restarted_refresher_reads_on_from_its_stored_cursor(
    fresh_cis_url: str,
    cis_credentials: MultiSpeakCredentials,
    cis_scenario: CisScenario,
    redis_cache: RedisCache,
    request: pytest.FixtureRequest,
) -> None:
    # A new process used to follow the feed from "now": a change made while no worker
    # ran (or a write whose process was killed before it dropped its cache entries)
    # stayed cached for the TTL.
    store = await migrated_store("sqlite", request)
    demo = cis_scenario.demo.customer_id
    cis = await SoapCis.create(endpoint=cis_endpoint_for(fresh_cis_url, cis_credentials))
    try:
        before_crash = CisChangeRefresher(
            cis, redis_cache, interval_s=POLL_S, cursors=StoredCursor(store)
        )
        await before_crash.poll_once()
        await email_read_through(cis, redis_cache, demo)
        async with operator_of(fresh_cis_url, cis_credentials) as operator:
            await change_email(operator, demo, "changed-while-down@example.org")
        stale = await email_read_through(cis, redis_cache, demo)

        restarted = CisChangeRefresher(
            cis, redis_cache, interval_s=POLL_S, cursors=StoredCursor(store)
        )
        outcome = await restarted.poll_once()
        fresh = await email_read_through(cis, redis_cache, demo)
        cursor = await StoredCursor(store).load()
    finally:
        await cis.aclose()
        await store.aclose()

    assert stale != "changed-while-down@example.org"
    assert outcome.ok
    assert outcome.dropped == 2
    assert fresh == "changed-while-down@example.org"
    assert cursor == restarted.cursor is not None
