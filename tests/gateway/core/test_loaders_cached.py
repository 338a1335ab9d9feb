"""The loaders read through the shared cache: one lookup per batch, misses loaded together."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.cis.fake import FakeCis
from adapters.cis.port import CisNotFound
from adapters.meters.fake import FakeMeterData
from gateway.core import loaders
from gateway.core.cache import kinds, policy
from gateway.core.cache.keys import key_parts
from gateway.core.cache.memory import MemoryCache
from gateway.core.loaders import BillKey, DailyReadRange, HourlyReadRange, LoaderOptions
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.world import World
from tests.gateway.core.cache.doubles import RecordingCache

DENVER = ZoneInfo("America/Denver")
# 20:00 on 20 November in Denver, already the 21st in UTC: "today" is the local date.
EVENING = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def options(cache: RecordingCache | None, *, batching: bool = True) -> LoaderOptions:
    return LoaderOptions(cache=cache, batching=batching, zone=DENVER, clock=lambda: EVENING)


def asked(fake: FakeCis | FakeMeterData, method: str) -> list[tuple[object, ...]]:
    return [args for name, args in fake.calls if name == method]


@pytest.fixture
def cache() -> RecordingCache:
    return RecordingCache(MemoryCache())


@pytest.fixture
def cis(world: World) -> FakeCis:
    return fake_cis_from_world(world)


@pytest.fixture
def meters(world: World) -> FakeMeterData:
    return fake_meters_from_world(world)


async def test_a_batch_reads_the_cache_once_and_asks_the_backend_for_the_misses_only(
    world: World, cis: FakeCis, cache: RecordingCache
) -> None:
    first, second, third = (c.customer_id for c in world.customers[:3])
    earlier = await loaders.customer_loader(cis, options(cache)).load(first)
    cis.calls.clear()
    cache.gets.clear()
    cache.sets.clear()

    loader = loaders.customer_loader(cis, options(cache))  # the next request
    found = await loader.load_many([first, second, third, second])

    assert found[0] == earlier
    assert [c.customer_id for c in found] == [first, second, third, second]
    assert cache.gets == [[kinds.CUSTOMER.key(key_parts(i)) for i in (first, second, third)]]
    assert sorted(asked(cis, "get_customer")) == sorted([(second,), (third,)])
    [(written, ttl)] = cache.sets
    assert set(written) == {kinds.CUSTOMER.key(second), kinds.CUSTOMER.key(third)}
    assert ttl == policy.REFERENCE_TTL_S


async def test_the_cached_answer_is_the_backends_answer(
    world: World, cis: FakeCis, cache: RecordingCache
) -> None:
    account = world.accounts[0].account_number
    bill_date = max(b.bill_date for b in world.bills if b.account_number == account)
    key = BillKey(account, bill_date)
    fresh = loaders.bill_loader(cis, options(cache))
    locations = loaders.service_locations_loader(cis, options(cache))
    loaded = await asyncio.gather(fresh.load(key), locations.load(account))

    again = await asyncio.gather(
        loaders.bill_loader(cis, options(cache)).load(key),
        loaders.service_locations_loader(cis, options(cache)).load(account),
    )

    assert again == loaded
    assert len(cis.calls) == 2
    # Keys as gateway/core/cache/kinds.py documents them (what the invalidation helpers rely on).
    looked_up = {key for keys in cache.gets for key in keys}
    assert kinds.BILL.key(f"{account}:{bill_date.isoformat()}") in looked_up
    assert kinds.SERVICE_LOCATIONS_BY_ACCOUNT.key(account) in looked_up


async def test_not_found_is_remembered_briefly(cis: FakeCis, cache: RecordingCache) -> None:
    for _ in range(2):
        with pytest.raises(CisNotFound):
            await loaders.customer_loader(cis, options(cache)).load("NO-SUCH-CUSTOMER")
    assert asked(cis, "get_customer") == [("NO-SUCH-CUSTOMER",)]
    [(_, ttl)] = cache.sets
    assert ttl == policy.NOT_FOUND_TTL_S


async def test_the_meter_store_gets_one_query_per_range_for_all_the_misses(
    world: World, meters: FakeMeterData, cache: RecordingCache
) -> None:
    a, b, c = (m.meter_no for m in world.meters[:3])
    start = datetime(2026, 10, 1, 6, tzinfo=UTC)
    end = start + timedelta(days=2)
    await loaders.hourly_reads_loader(meters, options(cache)).load(HourlyReadRange(a, start, end))
    meters.calls.clear()

    loader = loaders.hourly_reads_loader(meters, options(cache))
    # The same instants written in the co-op's offset are the same question.
    local = HourlyReadRange(b, start.astimezone(DENVER), end.astimezone(DENVER))
    reads = await loader.load_many(
        [
            HourlyReadRange(a, start, end),
            local,
            HourlyReadRange(b, start, end),
            HourlyReadRange(c, start, end),
        ]
    )

    assert [len(r) for r in reads] == [48, 48, 48, 48]
    assert reads[1] == reads[2]
    assert asked(meters, "hourly_reads_many") == [((b, c), start, end)]


async def test_daily_usage_of_days_that_are_over_is_kept_long_and_today_briefly(
    world: World, meters: FakeMeterData, cache: RecordingCache
) -> None:
    meter = world.meters[0].meter_no
    past = DailyReadRange(meter, date(2026, 10, 1), date(2026, 10, 8))
    # Ends on the 21st: in UTC that would be over, but in Denver it is still the 20th.
    through_today = DailyReadRange(meter, date(2026, 11, 14), date(2026, 11, 21))
    loader = loaders.daily_reads_loader(meters, options(cache))
    past_reads, _ = await loader.load_many([past, through_today])

    ttls = {next(iter(items)): ttl for items, ttl in cache.sets}
    estimated = any(past_reads.estimated)
    assert ttls[kinds.DAILY_READS.key(key_parts(meter, past.start, past.end))] == (
        policy.ESTIMATED_USAGE_TTL_S if estimated else policy.FINISHED_USAGE_TTL_S
    )
    today_key = kinds.DAILY_READS.key(key_parts(meter, through_today.start, through_today.end))
    assert ttls[today_key] == policy.TODAY_USAGE_TTL_S


async def test_hourly_usage_ending_after_local_midnight_is_kept_briefly(
    world: World, meters: FakeMeterData, cache: RecordingCache
) -> None:
    meter = world.meters[0].meter_no
    # Local midnight of the 20th in Denver is 07:00 UTC.
    before = HourlyReadRange(
        meter, datetime(2026, 11, 19, 6, tzinfo=UTC), datetime(2026, 11, 20, 6, tzinfo=UTC)
    )
    after = HourlyReadRange(
        meter, datetime(2026, 11, 19, 12, tzinfo=UTC), datetime(2026, 11, 20, 12, tzinfo=UTC)
    )
    await loaders.hourly_reads_loader(meters, options(cache)).load_many([before, after])

    ttls = sorted(ttl for _, ttl in cache.sets)
    assert ttls == [policy.TODAY_USAGE_TTL_S, policy.FINISHED_USAGE_TTL_S]


async def test_without_batching_every_load_reaches_the_backend(world: World, cis: FakeCis) -> None:
    account = world.accounts[0].account_number
    batched = loaders.balance_loader(cis, options(None))
    await asyncio.gather(batched.load(account), batched.load(account))
    assert asked(cis, "get_balance") == [(account,)]

    cis.calls.clear()
    naive = loaders.balance_loader(cis, options(None, batching=False))
    await asyncio.gather(naive.load(account), naive.load(account))
    await naive.load(account)
    assert Counter(asked(cis, "get_balance")) == {(account,): 3}
