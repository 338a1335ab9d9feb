"""Drop the cached answers a write made wrong, right after the backend accepted it.

Each helper is named after the write and deletes, in one call, every entry that write
can change; keys are built exactly as the loaders build them (`key_parts`).
"""

from __future__ import annotations

from typing import Any

from gateway.core.cache import kinds
from gateway.core.cache.keys import CacheKind, key_parts
from gateway.core.cache.port import Cache


async def invalidate(cache: Cache, kind: CacheKind[Any], *keys: str) -> None:
    """Forget the answers of `kind` for these keys (each built with `key_parts`)."""
    await cache.delete_many([kind.key(key) for key in keys])


async def after_payment(cache: Cache, *, account_number: str) -> None:
    # A prepay account's credit moves with its balance (a top-up is a payment).
    account = key_parts(account_number)
    await cache.delete_many([kinds.BALANCE.key(account), kinds.PREPAY_BALANCE.key(account)])


async def after_customer_change(cache: Cache, *, customer_id: str) -> None:
    await invalidate(cache, kinds.CUSTOMER, key_parts(customer_id))


async def after_outage_report(cache: Cache, *, location_id: str) -> None:
    """A report can open an event or join one: status, history and the active list change."""
    location = key_parts(location_id)
    await cache.delete_many(
        [
            kinds.OUTAGE_STATUS.key(location),
            kinds.OUTAGE_HISTORY.key(location),
            kinds.ACTIVE_OUTAGES.key(kinds.ACTIVE_OUTAGES_KEY),
        ]
    )
