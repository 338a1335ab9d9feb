"""The CIS change-feed refresher against the fake CIS and the in-process cache."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.cis.port import ChangePage, CisFault, CisUnavailable, PostalAddress
from gateway.core.cache import kinds
from gateway.core.cache.keys import CacheKind
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.refresher import (
    MAX_BACKOFF_S,
    CisChangeRefresher,
    PollOutcome,
    stale_keys,
)
from gateway.core.metrics import GatewayMetrics
from simulators.world import World
from tests.gateway.core.cache.doubles import RecordingCache
from tests.gateway.core.cache.feed_doubles import FlakyCis

INTERVAL_S = 30.0


@pytest.fixture
def cis(world: World) -> FlakyCis:
    return FlakyCis.of_world(world)


@pytest.fixture
def cache() -> RecordingCache:
    return RecordingCache(MemoryCache())


def all_entries_of(world: World) -> dict[str, bytes]:
    """A cached value under every key the refresher could drop, for every member."""
    entries = {}
    kind: CacheKind[Any]
    for customer in world.customers:
        for kind in (kinds.CUSTOMER, kinds.SERVICE_LOCATIONS_BY_CUSTOMER):
            entries[kind.key(customer.customer_id)] = b"cached"
    for account in world.accounts:
        for kind in (kinds.SERVICE_LOCATIONS_BY_ACCOUNT, kinds.METERS_BY_ACCOUNT):
            entries[kind.key(account.account_number)] = b"cached"
    return entries


async def cached(cache: RecordingCache, keys: list[str]) -> set[str]:
    values = await cache.get_many(keys)
    return {key for key, value in zip(keys, values, strict=True) if value is not None}


def counter(metrics: GatewayMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def test_stale_keys_are_the_customers_and_accounts_entries() -> None:
    page = ChangePage(("C1",), ("2000100",), ("2000100-01",), "7", more=False)

    assert stale_keys(page) == [
        kinds.CUSTOMER.key("C1"),
        kinds.SERVICE_LOCATIONS_BY_CUSTOMER.key("C1"),
        kinds.SERVICE_LOCATIONS_BY_ACCOUNT.key("2000100"),
        kinds.METERS_BY_ACCOUNT.key("2000100"),
    ]


async def test_the_first_poll_only_takes_the_feeds_position(
    cis: FlakyCis, cache: RecordingCache, world: World
) -> None:
    demo = world.customers[0].customer_id
    await cis.update_contact(demo, home_phone=None, mobile_phone=None, email="old@example.org")
    refresher = CisChangeRefresher(cis, cache, interval_s=INTERVAL_S)

    outcome = await refresher.poll_once()

    assert outcome == PollOutcome(ok=True, dropped=0)
    assert cache.deletes == []
    assert refresher.cursor is not None


async def test_a_poll_drops_exactly_what_the_cis_changed(
    cis: FlakyCis, cache: RecordingCache, world: World
) -> None:
    entries = all_entries_of(world)
    await cache.set_many(entries, ttl_s=3600)
    metrics = GatewayMetrics()
    refresher = CisChangeRefresher(cis, cache, interval_s=INTERVAL_S, stats=metrics)
    await refresher.poll_once()
    customer = world.customers[0].customer_id
    location = world.locations[-1]

    await cis.update_contact(customer, home_phone=None, mobile_phone=None, email="x@example.org")
    cis.change_service_location(
        location.location_id, address=PostalAddress("9 New Rd", "Placitas", "NM", "87043")
    )
    outcome = await refresher.poll_once()

    expected_gone = {
        kinds.CUSTOMER.key(customer),
        kinds.SERVICE_LOCATIONS_BY_CUSTOMER.key(customer),
        kinds.CUSTOMER.key(location.customer_id),
        kinds.SERVICE_LOCATIONS_BY_CUSTOMER.key(location.customer_id),
        kinds.SERVICE_LOCATIONS_BY_ACCOUNT.key(location.account_number),
        kinds.METERS_BY_ACCOUNT.key(location.account_number),
    }
    assert outcome == PollOutcome(ok=True, dropped=len(expected_gone))
    assert await cached(cache, list(entries)) == set(entries) - expected_gone
    assert counter(metrics, "gateway_cache_invalidations_total", source="cis_feed") == len(
        expected_gone
    )
    assert counter(metrics, "gateway_change_feed_polls_total", system="cis", outcome="ok") == 2
    # Nothing new: nothing more is dropped.
    assert await refresher.poll_once() == PollOutcome(ok=True, dropped=0)


async def test_an_unreachable_cis_keeps_the_cursor_and_its_changes_are_dropped_later(
    cis: FlakyCis, cache: RecordingCache, world: World
) -> None:
    metrics = GatewayMetrics()
    refresher = CisChangeRefresher(cis, cache, interval_s=INTERVAL_S, stats=metrics)
    await refresher.poll_once()
    cursor = refresher.cursor
    customer = world.customers[1].customer_id
    await cis.update_contact(customer, home_phone=None, mobile_phone=None, email="y@example.org")

    cis.failure = CisUnavailable("GetModifiedCustomers: could not reach the server")
    failed = await refresher.poll_once()
    cis.failure = None
    recovered = await refresher.poll_once()

    assert failed == PollOutcome(ok=False, dropped=0)
    assert recovered.dropped == 2  # the customer and its service locations
    assert refresher.cursor != cursor
    assert counter(metrics, "gateway_change_feed_polls_total", system="cis", outcome="error") == 1


async def test_a_cis_that_refuses_the_cursor_is_followed_again_from_now(
    cis: FlakyCis, cache: RecordingCache
) -> None:
    refresher = CisChangeRefresher(cis, cache, interval_s=INTERVAL_S)
    await refresher.poll_once()

    cis.failure = CisFault("GetModifiedCustomers failed: not a session this server issued")
    assert (await refresher.poll_once()).ok is False

    assert refresher.cursor is None
    cis.failure = None
    assert await refresher.poll_once() == PollOutcome(ok=True, dropped=0)
    assert refresher.cursor is not None


async def test_an_unexpected_error_is_logged_and_survived(
    cis: FlakyCis, cache: RecordingCache, caplog: pytest.LogCaptureFixture
) -> None:
    refresher = CisChangeRefresher(cis, cache, interval_s=INTERVAL_S)
    cis.failure = RuntimeError("a bug")

    outcome = await refresher.poll_once()

    assert outcome.ok is False
    assert "polling the CIS change feed failed" in caplog.text


def test_failures_back_off_doubling_up_to_a_limit(cis: FlakyCis, cache: RecordingCache) -> None:
    refresher = CisChangeRefresher(cis, cache, interval_s=INTERVAL_S)

    delays = [refresher.delay_after(n) for n in (0, 1, 2, 3, 10_000)]

    assert delays == [INTERVAL_S, 2 * INTERVAL_S, 4 * INTERVAL_S, 8 * INTERVAL_S, MAX_BACKOFF_S]


def test_a_polling_interval_must_be_positive(cis: FlakyCis, cache: RecordingCache) -> None:
    with pytest.raises(ValueError, match="positive"):
        CisChangeRefresher(cis, cache, interval_s=0)


async def test_a_running_refresher_survives_a_cis_that_is_down_and_stops_cleanly(
    cis: FlakyCis, cache: RecordingCache
) -> None:
    cis.failure = CisUnavailable("could not reach the server")
    # A tiny interval, so that several failed polls (backing off) come quickly.
    refresher = CisChangeRefresher(cis, cache, interval_s=0.001)

    refresher.start()
    try:
        await cis.wait_for_feed_calls(3)
        assert refresher.running
        cis.failure = None
        await cis.wait_for_feed_calls(cis.feed_calls + 1)
    finally:
        await refresher.stop()

    assert not refresher.running
    assert refresher.cursor is not None
    calls = cis.feed_calls
    await asyncio.sleep(0.02)
    assert cis.feed_calls == calls  # stopped: no more polls
    await refresher.stop()  # stopping twice is harmless


async def test_a_refresher_starts_only_once(cis: FlakyCis, cache: RecordingCache) -> None:
    refresher = CisChangeRefresher(cis, cache, interval_s=INTERVAL_S)
    refresher.start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            refresher.start()
    finally:
        await refresher.stop()


class MemoryCursors:
    """A CursorStore in memory: what a database keeps across processes."""

    def __init__(self, *, broken: bool = False) -> None:
        self.cursor: str | None = None
        self.broken = broken

    async def load(self) -> str | None:
        if self.broken:
            raise OSError("the gateway's database is down")
        return self.cursor

    async def save(self, cursor: str | None) -> None:
        if self.broken:
            raise OSError("the gateway's database is down")
        self.cursor = cursor


async def test_a_restarted_refresher_reads_on_from_the_stored_cursor(
    cis: FlakyCis, cache: RecordingCache, world: World
) -> None:
    cursors = MemoryCursors()
    await CisChangeRefresher(cis, cache, interval_s=INTERVAL_S, cursors=cursors).poll_once()
    customer = world.customers[2].customer_id
    await cache.set_many({kinds.CUSTOMER.key(customer): b"cached"}, ttl_s=3600)
    # Changed while no refresher ran (or written by a gateway killed before it dropped it).
    await cis.update_contact(customer, home_phone=None, mobile_phone=None, email="z@example.org")

    restarted = CisChangeRefresher(cis, cache, interval_s=INTERVAL_S, cursors=cursors)
    outcome = await restarted.poll_once()

    assert outcome == PollOutcome(ok=True, dropped=2)
    assert await cached(cache, [kinds.CUSTOMER.key(customer)]) == set()
    assert cursors.cursor == restarted.cursor


async def test_a_cursor_store_that_is_down_costs_only_the_restart(
    cis: FlakyCis, cache: RecordingCache, world: World
) -> None:
    refresher = CisChangeRefresher(
        cis, cache, interval_s=INTERVAL_S, cursors=MemoryCursors(broken=True)
    )
    await refresher.poll_once()
    customer = world.customers[3].customer_id
    await cis.update_contact(customer, home_phone=None, mobile_phone=None, email="w@example.org")

    assert (await refresher.poll_once()).dropped == 2
