"""Redis as the cache: batched round trips, and requests unharmed when Redis is not."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import pytest
import redis.asyncio

from adapters.cis.port import Customer
from gateway.core.cache import kinds
from gateway.core.cache.cached import load_through_cache
from gateway.core.cache.keys import key_parts
from gateway.core.cache.port import CacheUnavailable
from gateway.core.cache.redis import MAX_PENDING_DELETES, RedisCache
from gateway.core.cache.single_flight import SingleFlight
from gateway.core.redis_breaker import TIMEOUTS_TO_OPEN
from tests.fixtures.redis import RedisServer
from tests.gateway.core.cache import examples
from tests.gateway.core.cache.doubles import FakeClock

LOGGER = "gateway.core.cache.redis"
RETRY_INTERVAL_S = 5.0
# Ample where Redis should answer (a loaded machine must not fail the test), short where
# a test makes Redis miss it on purpose.
AMPLE_TIMEOUT_S = 2.0
SHORT_TIMEOUT_S = 0.1


class Backend:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    async def load(self, ids: Sequence[str]) -> list[Customer | Exception]:
        self.asked.append(list(ids))
        return [examples.CUSTOMER for _ in ids]


async def read(
    cache: RedisCache, backend: Backend, ids: Sequence[str]
) -> list[Customer | Exception]:
    return await load_through_cache(
        cache,
        kind=kinds.CUSTOMER,
        keys=ids,
        key_to_str=key_parts,
        load_missing=backend.load,
        ttl_s=60.0,
        flights=SingleFlight(),
    )


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == LOGGER and record.levelno == logging.WARNING
    ]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, which it may stop, restart or pause."""
    with RedisServer(tmp_path) as server:
        yield server


async def open_cache(
    url: str, clock: FakeClock, *, timeout_s: float = AMPLE_TIMEOUT_S
) -> RedisCache:
    return RedisCache.from_url(
        url, socket_timeout_s=timeout_s, retry_interval_s=RETRY_INTERVAL_S, clock=clock
    )


@pytest.fixture
async def admin(own_server: RedisServer) -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(own_server.url)
    yield client
    await client.aclose()


async def test_a_batch_is_one_mget_and_its_misses_one_pipeline(clean_redis: str) -> None:
    admin = redis.asyncio.Redis.from_url(clean_redis)
    cache = RedisCache.from_url(clean_redis, socket_timeout_s=AMPLE_TIMEOUT_S)
    backend = Backend()
    try:
        await admin.config_resetstat()
        await read(cache, backend, ["C1", "C2", "C3"])
        await read(cache, backend, ["C1", "C2", "C3", "C4"])
        stats = await admin.info("commandstats")
    finally:
        await cache.aclose()
        await admin.aclose()
    assert stats["cmdstat_mget"]["calls"] == 2
    assert stats["cmdstat_set"]["calls"] == 4
    assert backend.asked == [["C1", "C2", "C3"], ["C4"]]


async def test_requests_survive_redis_going_down_and_use_it_again_when_it_is_back(
    own_server: RedisServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    cache = await open_cache(own_server.url, clock)
    backend = Backend()
    try:
        await read(cache, backend, ["C1"])
        assert await read(cache, backend, ["C1"]) == [examples.CUSTOMER]
        assert backend.asked == [["C1"]]  # served from Redis the second time

        own_server.stop()
        for _ in range(3):
            assert await read(cache, backend, ["C1"]) == [examples.CUSTOMER]
        clock.advance(RETRY_INTERVAL_S)  # a probe, which fails: the same outage
        assert await read(cache, backend, ["C1"]) == [examples.CUSTOMER]
        assert len(backend.asked) == 5
        assert not cache.is_available
        assert len(warnings_logged(caplog)) == 1

        own_server.start()  # same port, empty
        clock.advance(RETRY_INTERVAL_S)
        assert await read(cache, backend, ["C1"]) == [examples.CUSTOMER]
        assert cache.is_available
        assert len(backend.asked) == 6  # the probe missed and stored the value again
        assert await read(cache, backend, ["C1"]) == [examples.CUSTOMER]
        assert len(backend.asked) == 6  # and Redis serves it again
    finally:
        await cache.aclose()
    assert len(warnings_logged(caplog)) == 1
    assert any("answers again" in record.getMessage() for record in caplog.records)


async def test_an_unreachable_redis_is_all_miss_and_drops_writes(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    cache = await open_cache(f"redis://127.0.0.1:{closed_port()}/0", clock)
    try:
        assert await cache.get_many(["a", "b"]) == [None, None]
        await cache.set_many({"a": b"1"}, ttl_s=60)
        await cache.delete_many(["a"])
        with pytest.raises(CacheUnavailable):
            await cache.ping()
    finally:
        await cache.aclose()
    assert len(warnings_logged(caplog)) == 1


async def test_a_redis_that_does_not_answer_in_time_is_treated_as_down(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # Accepts connections (the kernel completes them) and never answers a command.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        cache = await open_cache(f"redis://127.0.0.1:{port}/0", clock, timeout_s=SHORT_TIMEOUT_S)
        backend = Backend()
        try:
            for _ in range(TIMEOUTS_TO_OPEN):
                assert await read(cache, backend, ["C1", "C2"]) == [examples.CUSTOMER] * 2
            assert not cache.is_available  # timeouts in a row: an outage
            assert await read(cache, backend, ["C1"]) == [examples.CUSTOMER]
        finally:
            await cache.aclose()
    assert backend.asked == [["C1", "C2"]] * TIMEOUTS_TO_OPEN + [["C1"]]
    assert len(warnings_logged(caplog)) == 1
    assert "Timeout" in warnings_logged(caplog)[0]


async def test_a_delete_that_failed_is_made_as_soon_as_redis_answers_again(
    own_server: RedisServer,
    admin: redis.asyncio.Redis,
    clock: FakeClock,
) -> None:
    key = kinds.BALANCE.key("A1")
    # Short enough to keep the test quick, long enough for the calls that must succeed.
    cache = await open_cache(own_server.url, clock, timeout_s=0.5)
    try:
        await cache.set_many({key: b"stale balance"}, ttl_s=60)
        # Redis stops taking writes for a while but keeps its data, as in a network split.
        await admin.client_pause(10_000, all=False)
        try:
            await cache.delete_many([key])
            assert await cache.get_many([key]) == [None]  # nothing stale while it is out
        finally:
            await admin.client_unpause()
        assert await admin.get(key) == b"stale balance"  # the delete never happened

        clock.advance(RETRY_INTERVAL_S)  # past the retry interval, had the breaker opened
        assert await cache.get_many([key]) == [None]
        assert await admin.get(key) is None
    finally:
        await cache.aclose()


async def test_the_redis_password_never_reaches_logs_or_errors(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    password, wrong = "s3cret-Redis-pw", "wr0ng-Redis-pw"
    with RedisServer(tmp_path, password=password) as server:
        good = await open_cache(server.url, clock)
        bad = await open_cache(server.url.replace(password, wrong), clock)
        try:
            await good.set_many({"k": b"v"}, ttl_s=60)
            assert await good.get_many(["k"]) == [b"v"]
            assert await bad.get_many(["k"]) == [None]
            with pytest.raises(CacheUnavailable) as raised:
                await bad.ping()
        finally:
            await good.aclose()
            await bad.aclose()
    logged = warnings_logged(caplog)
    assert len(logged) == 1
    assert f"127.0.0.1:{server.port}/0" in logged[0]
    for text in (*logged, str(raised.value), repr(raised.value)):
        assert password not in text
        assert wrong not in text
    assert raised.value.__cause__ is None


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_invalidations_kept_for_later_are_bounded(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    cache = await open_cache(f"redis://127.0.0.1:{closed_port()}/0", clock)
    try:
        await cache.delete_many([f"k:{n}" for n in range(MAX_PENDING_DELETES + 1)])
        await cache.delete_many(["k:more"])
    finally:
        await cache.aclose()
    logged = warnings_logged(caplog)
    assert len(logged) == 2  # the outage, and once that some entries may stay stale
    assert "Too many cache invalidations" in logged[1]


async def test_a_timeout_caused_by_a_busy_event_loop_does_not_open_the_breaker(
    own_server: RedisServer, admin: redis.asyncio.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    timeout_s = 0.05
    cache = RedisCache.from_url(
        own_server.url, socket_timeout_s=timeout_s, retry_interval_s=RETRY_INTERVAL_S
    )
    try:
        await cache.set_many({"k": b"v"}, ttl_s=60)  # connected, and the value stored
        await admin.client_pause(100)  # Redis answers the MGET a little later...
        reading = asyncio.create_task(cache.get_many(["k"]))
        await asyncio.sleep(timeout_s / 2)  # ... once it is sent
        # ... while this process's loop is busy with something else, as in a storm: the
        # answer waits in the socket while the timeouts come due.
        time.sleep(6 * timeout_s)  # noqa: ASYNC251
        assert await reading == [None]  # timed out: a miss this time...
        # ... and not an outage: the next read goes to Redis again.
        assert cache.is_available
        assert await cache.get_many(["k"]) == [b"v"]
    finally:
        await cache.aclose()
    assert warnings_logged(caplog) == []
