"""The shared cache as the app wires it, against a real Redis and the recording fakes."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import redis

from adapters.oms.fake import FakeOms
from adapters.oms.port import LocationOutageStatus
from gateway.core.backends import Adapters
from gateway.core.cache import kinds
from gateway.core.cache.port import Cache
from gateway.core.cache.redis import RedisCache
from simulators.oms.fake_from_world import oms_data_from_world
from simulators.world import World
from tests.fixtures.redis import RedisServer
from tests.gateway.conftest import Members
from tests.gateway.core.cache.doubles import FakeClock, RecordingCache
from tests.gateway.served import REDIS_TIMEOUT_S, served, served_settings

DASHBOARD = """query Dashboard {
  viewer { email accounts { number
    balance { amountDue dueDate isPastDue }
    bills(first: 3) { edges { node { billDate amount kwh dueDate } } }
    usageComparison { current { billDate kwh cost averageTemperatureF }
      compareTo { billDate kwh cost } change { kwh kwhPercent cost } }
    usage(from: "2025-11-01", to: "2025-11-30", interval: DAY) {
      startsAt kwh temperatureF estimated }
    hourly: usage(from: "2026-11-10", to: "2026-11-10", interval: HOUR) { kwh }
    outageStatus { serviceLocationId isOut event { phase cause estimatedRestoration } }
    customer { lastName }
  } }
}"""

STATUS = """query ($n: String!) { account(number: $n) { ... on Account {
  outageStatus { serviceLocationId isOut } } } }"""

REPORT = """mutation ($i: ReportOutageInput!) { reportOutage(input: $i) {
  __typename ... on ReportOutageSuccess { status { isOut } } } }"""


def backend_calls(adapters: Adapters) -> list[tuple[str, tuple[object, ...]]]:
    fakes: tuple[Any, ...] = (adapters.cis, adapters.oms, adapters.meters)
    return [call for fake in fakes for call in fake.calls]


def forget_calls(adapters: Adapters) -> None:
    fakes: tuple[Any, ...] = (adapters.cis, adapters.oms, adapters.meters)
    for fake in fakes:
        fake.calls.clear()


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def command_calls(url: str, command: str) -> int:
    client = redis_client(url)
    try:
        stats: dict[str, dict[str, int]] = client.info("commandstats")
    finally:
        client.close()
    return stats.get(f"cmdstat_{command}", {}).get("calls", 0)


def cached_keys(url: str) -> list[bytes]:
    client = redis_client(url)
    try:
        return list(client.scan_iter("coop:*"))
    finally:
        client.close()


async def test_the_second_dashboard_asks_no_backend_anything(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    settings = served_settings(gateway_database_path, redis_url=clean_redis)
    async with served(settings, adapters) as gateway:
        token = await gateway.sign_in(members.demo)
        first = await gateway.graphql(DASHBOARD, token)
        assert "errors" not in first, first
        assert {name for name, _ in backend_calls(adapters)} >= {
            "get_balance",
            "get_bill",
            "get_outage_status",
            "daily_reads_many",
            "hourly_reads_many",
            "daily_weather",
        }
        forget_calls(adapters)

        second = await gateway.graphql(DASHBOARD, token)

    assert second == first
    assert backend_calls(adapters) == []
    assert cached_keys(clean_redis)  # in Redis, not in this process


class WritesHeldBack(RecordingCache):
    """Writes to Redis wait until the test lets them through."""

    def __init__(self, inner: Cache) -> None:
        super().__init__(inner)
        self.let_through = asyncio.Event()

    async def set_many(self, items: Mapping[str, bytes], *, ttl_s: float) -> None:
        await self.let_through.wait()
        await super().set_many(items, ttl_s=ttl_s)


async def test_answers_do_not_wait_for_their_cache_writes_which_finish_before_shutdown(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    redis_cache = RedisCache.from_url(clean_redis, socket_timeout_s=REDIS_TIMEOUT_S)
    cache = WritesHeldBack(redis_cache)
    settings = served_settings(gateway_database_path, redis_url=clean_redis)
    try:
        async with served(settings, adapters, cache) as gateway:
            token = await gateway.sign_in(members.demo)
            async with asyncio.timeout(30):  # a regression must fail, not hang the run
                answer = await gateway.graphql(DASHBOARD, token)
            assert "errors" not in answer, answer
            assert cache.sets == []
            assert cached_keys(clean_redis) == []
            cache.let_through.set()
    finally:
        await redis_cache.aclose()

    assert cache.sets
    assert cached_keys(clean_redis)


async def test_every_account_at_once_asks_each_backend_once_per_distinct_key(
    world: World,
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    clean_redis: str,
) -> None:
    numbers = [account.account_number for account in world.accounts]
    fields = """... on Account { number customer { lastName } balance { amountDue }
      bills(first: 2) { edges { cursor } } outageStatus { isOut }
      serviceLocations { id meters { meterNo } outageStatus { isOut } } }"""
    aliases = "\n".join(
        f'a{n}: account(number: "{number}") {{ {fields} }}' for n, number in enumerate(numbers)
    )
    query = f"query Everyone {{\n{aliases}\n}}"
    settings = served_settings(gateway_database_path, redis_url=clean_redis)
    async with served(settings, adapters) as gateway:
        token = await gateway.sign_in(members.staff)
        lookups_before = command_calls(clean_redis, "mget")
        body = await gateway.graphql(query, token)
        lookups = command_calls(clean_redis, "mget") - lookups_before

    assert "errors" not in body, body["errors"][:3]
    assert [body["data"][f"a{n}"]["number"] for n in range(len(numbers))] == numbers
    calls = backend_calls(adapters)
    repeated = {call: n for call, n in Counter(calls).items() if n > 1}
    assert repeated == {}
    asked = Counter(name for name, _ in calls)
    assert asked["get_balance"] == asked["get_service_locations_by_account"] == len(numbers)
    # One lookup per loader batch: far fewer than one per account.
    assert 0 < lookups < len(numbers)


class StatusBehindAGate(FakeOms):
    """An OMS whose status answers wait until the test lets them through."""

    gate: asyncio.Event

    async def get_outage_status(self, location_id: str) -> LocationOutageStatus:
        await self.gate.wait()
        return await super().get_outage_status(location_id)


class OpenTheGateOnSecondLookup(RecordingCache):
    """Opens the gate once two requests have both looked for outage statuses and missed."""

    def __init__(self, inner: Cache, gate: asyncio.Event) -> None:
        super().__init__(inner)
        self.gate = gate
        self.status_lookups = 0

    async def get_many(self, keys: Any) -> list[bytes | None]:
        found = await super().get_many(keys)
        prefix = kinds.OUTAGE_STATUS.key("")
        if any(key.startswith(prefix) for key in keys):
            self.status_lookups += 1
            if self.status_lookups == 2:
                self.gate.set()
        return found


async def test_two_requests_missing_the_same_key_at_once_share_one_backend_call(
    world: World,
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    clean_redis: str,
) -> None:
    gate = asyncio.Event()
    oms = StatusBehindAGate.from_data(oms_data_from_world(world))
    assert isinstance(oms, StatusBehindAGate)
    oms.gate = gate
    gated = Adapters(cis=adapters.cis, oms=oms, meters=adapters.meters)
    redis_cache = RedisCache.from_url(clean_redis, socket_timeout_s=REDIS_TIMEOUT_S)
    cache = OpenTheGateOnSecondLookup(redis_cache, gate)
    # Whole answers off: with them, the second request would wait for the first's answer
    # (tests/gateway/test_app_answers.py) and never reach the entity cache.
    settings = served_settings(
        gateway_database_path, redis_url=clean_redis, response_cache_enabled=False
    )
    number = members.demo.account_numbers[0]
    try:
        async with served(settings, gated, cache) as gateway:
            token = await gateway.sign_in(members.demo)
            async with asyncio.timeout(30):  # a regression must fail, not hang the run
                one, two = await asyncio.gather(
                    gateway.graphql(STATUS, token, n=number),
                    gateway.graphql(STATUS, token, n=number),
                )
    finally:
        await redis_cache.aclose()

    assert one == two
    statuses = one["data"]["account"]["outageStatus"]
    assert statuses
    asked = Counter(args for name, args in oms.calls if name == "get_outage_status")
    assert asked == {(status["serviceLocationId"],): 1 for status in statuses}
    assert cache.status_lookups == 2


async def test_a_reported_outage_is_read_fresh_and_not_from_the_cache(
    world: World,
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    clean_redis: str,
) -> None:
    out = {loc for e in world.outage_events if e.restored_at is None for loc in e.location_ids}
    lit = next(loc for loc in world.locations if loc.location_id not in out)
    number, location = lit.account_number, lit.location_id
    settings = served_settings(gateway_database_path, redis_url=clean_redis)

    def status_of(body: Any) -> bool:
        statuses = body["data"]["account"]["outageStatus"]
        [found] = [s["isOut"] for s in statuses if s["serviceLocationId"] == location]
        return bool(found)

    async with served(settings, adapters) as gateway:
        token = await gateway.sign_in(members.staff)
        assert status_of(await gateway.graphql(STATUS, token, n=number)) is False  # now cached
        reported = await gateway.graphql(
            REPORT, token, i={"accountNumber": number, "serviceLocationId": location}
        )
        afterwards = await gateway.graphql(STATUS, token, n=number)

    assert reported["data"]["reportOutage"] == {
        "__typename": "ReportOutageSuccess",
        "status": {"isOut": True},
    }
    assert status_of(afterwards) is True
    asked = [args for name, args in adapters.oms.calls if name == "get_outage_status"]  # type: ignore[attr-defined]
    # Before, and right after the report; the last read found the fresh answer cached.
    assert asked.count((location,)) == 2


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, which it may stop and start again."""
    with RedisServer(tmp_path) as server:
        yield server


async def test_requests_succeed_without_redis_and_use_it_again_once_it_is_back(
    adapters: Adapters, gateway_database_path: Path, members: Members, own_redis: RedisServer
) -> None:
    clock = FakeClock()
    cache = RedisCache.from_url(
        own_redis.url, socket_timeout_s=REDIS_TIMEOUT_S, retry_interval_s=5.0, clock=clock
    )
    settings = served_settings(gateway_database_path, redis_url=own_redis.url)
    try:
        async with served(settings, adapters, cache) as gateway:
            token = await gateway.sign_in(members.demo)

            async def dashboard() -> int:
                """How many backend calls a dashboard took; it must succeed regardless."""
                forget_calls(adapters)
                body = await gateway.graphql(DASHBOARD, token)
                assert "errors" not in body, body
                return len(backend_calls(adapters))

            cold = await dashboard()
            assert cold > 0
            assert await dashboard() == 0

            own_redis.stop()
            # The app learns that its subscription ended a few turns of its event loop
            # later; until then it may still answer from what Redis last announced.
            async with asyncio.timeout(5):
                while await dashboard() != cold:  # noqa: ASYNC110 - nothing to wait on
                    await asyncio.sleep(0.01)
            assert await dashboard() == cold  # the breaker skips Redis: no waiting either
            ready = await gateway.client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["cache"] == "down"

            own_redis.start()  # same port, empty
            assert await dashboard() == cold  # not probed again yet
            clock.advance(5.0)
            # One lookup probes Redis and finds it; the calls that raced the probe were
            # skipped, so the next request fills in what they did not store. The writes
            # the request before put off until after its answer may land once Redis is
            # found again, sparing this one a few calls.
            assert 0 < await dashboard() <= cold
            await dashboard()
            assert await dashboard() == 0
            assert (await gateway.client.get("/readyz")).json()["cache"] == "up"
    finally:
        await cache.aclose()


async def test_with_the_cache_switched_off_every_request_asks_the_backends(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    settings = served_settings(gateway_database_path, redis_url=clean_redis, cache_enabled=False)
    async with served(settings, adapters) as gateway:
        token = await gateway.sign_in(members.demo)
        first = await gateway.graphql(DASHBOARD, token)
        cold = sorted(backend_calls(adapters))
        forget_calls(adapters)
        second = await gateway.graphql(DASHBOARD, token)
        warm = sorted(backend_calls(adapters))
        ready = await gateway.client.get("/readyz")

    assert second == first
    assert cold
    assert warm == cold
    assert cached_keys(clean_redis) == []
    assert ready.json()["cache"] == "off"


async def test_with_batching_switched_off_every_field_asks_its_backend(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    query = """query ($n: String!) {
      one: account(number: $n) { ... on Account { balance { amountDue } } }
      two: account(number: $n) { ... on Account { balance { amountDue } } }
    }"""
    settings = served_settings(gateway_database_path, cache_enabled=False, batching_enabled=False)
    async with served(settings, adapters) as gateway:
        token = await gateway.sign_in(members.demo)
        body = await gateway.graphql(query, token, n=number)

    assert body["data"]["one"] == body["data"]["two"]
    assert Counter(backend_calls(adapters))[("get_balance", (number,))] == 2
