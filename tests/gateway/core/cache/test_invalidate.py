"""After a write, the entries it changed are gone, and only those."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from adapters.cis.port import Balance
from gateway.core.cache import invalidate, kinds
from gateway.core.cache.cached import load_through_cache
from gateway.core.cache.keys import CacheKind, key_parts
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.single_flight import SingleFlight
from tests.gateway.core.cache import examples
from tests.gateway.core.cache.doubles import RecordingCache


async def filled(*keys: str) -> RecordingCache:
    cache = RecordingCache(MemoryCache())
    await cache.set_many(dict.fromkeys(keys, b"v[]"), ttl_s=60)
    return cache


async def cached_keys(cache: RecordingCache, *keys: str) -> set[str]:
    values = await cache.get_many(keys)
    return {key for key, value in zip(keys, values, strict=True) if value is not None}


def key(kind: CacheKind[Any], *parts: str | date) -> str:
    return kind.key(key_parts(*parts))


async def test_a_payment_drops_that_account_s_balances_only() -> None:
    balance, prepay, other, other_prepay, bill = (
        key(kinds.BALANCE, "A1"),
        key(kinds.PREPAY_BALANCE, "A1"),
        key(kinds.BALANCE, "A2"),
        key(kinds.PREPAY_BALANCE, "A2"),
        key(kinds.BILL, "A1", date(2026, 11, 5)),
    )
    cache = await filled(balance, prepay, other, other_prepay, bill)
    await invalidate.after_payment(cache, account_number="A1")
    assert await cached_keys(cache, balance, prepay, other, other_prepay, bill) == {
        other,
        other_prepay,
        bill,
    }
    assert len(cache.deletes) == 1


async def test_a_profile_change_drops_that_customer() -> None:
    mine, theirs = key(kinds.CUSTOMER, "C1"), key(kinds.CUSTOMER, "C2")
    cache = await filled(mine, theirs)
    await invalidate.after_customer_change(cache, customer_id="C1")
    assert await cached_keys(cache, mine, theirs) == {theirs}


async def test_an_outage_report_drops_status_history_and_the_active_list_in_one_call() -> None:
    status, history, active, elsewhere = (
        key(kinds.OUTAGE_STATUS, "L1"),
        key(kinds.OUTAGE_HISTORY, "L1"),
        key(kinds.ACTIVE_OUTAGES, kinds.ACTIVE_OUTAGES_KEY),
        key(kinds.OUTAGE_STATUS, "L2"),
    )
    cache = await filled(status, history, active, elsewhere)
    await invalidate.after_outage_report(cache, location_id="L1")
    assert await cached_keys(cache, status, history, active, elsewhere) == {elsewhere}
    assert len(cache.deletes) == 1


async def test_after_invalidating_the_next_read_reaches_the_backend() -> None:
    cache = RecordingCache(MemoryCache())
    asked: list[list[str]] = []

    async def load(accounts: Sequence[str]) -> list[Balance | Exception]:
        asked.append(list(accounts))
        return [examples.BALANCE for _ in accounts]

    async def read() -> None:
        await load_through_cache(
            cache,
            kind=kinds.BALANCE,
            keys=["A000789"],
            key_to_str=key_parts,
            load_missing=load,
            ttl_s=30.0,
            flights=SingleFlight(),
        )

    await read()
    await read()
    await invalidate.after_payment(cache, account_number="A000789")
    await read()
    assert asked == [["A000789"], ["A000789"]]
