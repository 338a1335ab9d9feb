"""The `Cache` contract, run against the in-process cache and a real Redis server."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from gateway.core.cache.cached import LoadMissing, load_through_cache
from gateway.core.cache.keys import CacheKind, cache_kind
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.port import Cache
from gateway.core.cache.redis import RedisCache
from gateway.core.cache.single_flight import SingleFlight
from tests.gateway.core.cache.doubles import FakeClock

SHORT_TTL_S = 0.05


@dataclass
class Subject:
    cache: Cache
    let_expire: Callable[[float], Awaitable[None]]  # wait until entries of this TTL expire


@pytest.fixture(params=["memory", "redis"])
async def subject(request: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    if request.param == "memory":
        clock = FakeClock()

        async def advance(ttl_s: float) -> None:
            clock.advance(ttl_s)

        memory = MemoryCache(clock=clock)
        yield Subject(memory, advance)
        await memory.aclose()
        return
    url: str = request.getfixturevalue("clean_redis")

    async def wait(ttl_s: float) -> None:
        await asyncio.sleep(ttl_s * 3)  # Redis keeps its own clock

    redis = RedisCache.from_url(url, socket_timeout_s=2.0)  # ample: no timeouts wanted here
    yield Subject(redis, wait)
    await redis.aclose()


async def test_get_many_answers_in_key_order_with_none_for_misses(subject: Subject) -> None:
    cache = subject.cache
    await cache.set_many({"k:a": b"A", "k:c": b"C"}, ttl_s=60)
    assert await cache.get_many(["k:c", "k:b", "k:a", "k:c"]) == [b"C", None, b"A", b"C"]
    assert await cache.get_many([]) == []


async def test_values_are_bytes_kept_exactly(subject: Subject) -> None:
    value = bytes(range(256)) + b"\r\n\x00"
    await subject.cache.set_many({"k:bin": value, "k:empty": b""}, ttl_s=60)
    assert await subject.cache.get_many(["k:bin", "k:empty"]) == [value, b""]


async def test_set_many_replaces_values(subject: Subject) -> None:
    await subject.cache.set_many({"k:a": b"old"}, ttl_s=60)
    await subject.cache.set_many({"k:a": b"new"}, ttl_s=60)
    assert await subject.cache.get_many(["k:a"]) == [b"new"]


async def test_entries_expire_after_their_ttl(subject: Subject) -> None:
    cache = subject.cache
    await cache.set_many({"k:brief": b"1"}, ttl_s=SHORT_TTL_S)
    await cache.set_many({"k:lasting": b"2"}, ttl_s=60)
    await subject.let_expire(SHORT_TTL_S)
    assert await cache.get_many(["k:brief", "k:lasting"]) == [None, b"2"]


async def test_rewriting_an_entry_renews_its_ttl(subject: Subject) -> None:
    cache = subject.cache
    await cache.set_many({"k:a": b"1"}, ttl_s=SHORT_TTL_S)
    await cache.set_many({"k:a": b"2"}, ttl_s=60)
    await subject.let_expire(SHORT_TTL_S)
    assert await cache.get_many(["k:a"]) == [b"2"]


async def test_delete_many_forgets_only_those_keys(subject: Subject) -> None:
    cache = subject.cache
    await cache.set_many({"k:a": b"A", "k:b": b"B", "k:c": b"C"}, ttl_s=60)
    await cache.delete_many(["k:a", "k:c", "k:never-set"])
    await cache.delete_many([])
    assert await cache.get_many(["k:a", "k:b", "k:c"]) == [None, b"B", None]


@pytest.mark.parametrize("ttl_s", [0, -1.0, float("nan")])
async def test_a_ttl_that_is_not_positive_is_refused(subject: Subject, ttl_s: float) -> None:
    with pytest.raises(ValueError):
        await subject.cache.set_many({"k:a": b"A"}, ttl_s=ttl_s)
    assert await subject.cache.get_many(["k:a"]) == [None]


async def test_ping_answers(subject: Subject) -> None:
    await subject.cache.ping()


@dataclasses.dataclass(frozen=True)
class Reading:
    meter_no: str


async def test_entries_of_another_shape_version_are_not_read(subject: Subject) -> None:
    reading_v2 = dataclasses.make_dataclass(
        "Reading", [("meter_no", str), ("kwh", float)], frozen=True
    )
    old_kind = cache_kind("reading", Reading)
    new_kind: CacheKind[Any] = cache_kind("reading", reading_v2)
    loaded: list[Sequence[str]] = []

    async def load_old(keys: Sequence[str]) -> list[Reading | Exception]:
        loaded.append(keys)
        return [Reading(key) for key in keys]

    async def load_new(keys: Sequence[str]) -> list[object | Exception]:
        loaded.append(keys)
        return [reading_v2(key, 1.5) for key in keys]

    flights = SingleFlight()

    async def read(kind: CacheKind[Any], load: LoadMissing[str, Any]) -> list[Any]:
        return await load_through_cache(
            subject.cache,
            kind=kind,
            keys=["M1"],
            key_to_str=str,
            load_missing=load,
            ttl_s=60.0,
            flights=flights,
        )

    old = await read(old_kind, load_old)
    new = await read(new_kind, load_new)
    again = await read(old_kind, load_old)
    assert old == again == [Reading("M1")]
    assert new == [reading_v2("M1", 1.5)]
    assert loaded == [["M1"], ["M1"]]  # the new shape loaded once; the old one stayed cached
    assert old_kind.key("M1") != new_kind.key("M1")
