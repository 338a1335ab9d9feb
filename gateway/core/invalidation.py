"""Around a write: forget what it changes, so the reads that follow ask the backend.

A write service calls the `before_` method named after its write here, then the port,
and once the backend has accepted the change the `after_` method. Before: if the process
is killed between the backend's write and the `after_` call, nothing stale is left in
the shared cache for the restarted gateway to serve (only a read racing the write could
put it back, and the change feed drops that). After: a read that ran during the write
may have cached the old answer again. It drops the entries the write made stale from the
shared cache (for every gateway process) and from this request's loaders, which would
otherwise answer from what they loaded before the write. The cache goes first: a load
in this request between the two steps would otherwise find the stale entry there.

Cache writes are made after answers (`gateway.core.cache.background`): this process's
pending ones, this request's included, are made before a delete, which a write of an
answer read before it would otherwise overtake and undo.
"""

from __future__ import annotations

from gateway.core.cache import invalidate
from gateway.core.cache.port import Cache
from gateway.core.loaders import DataLoaders


class Invalidation:
    def __init__(self, cache: Cache | None, *, loaders: DataLoaders) -> None:
        """`cache` None: no shared cache (switched off); only the loaders forget."""
        self._cache = cache
        self._loaders = loaders

    async def _settle_writes(self) -> None:
        writes = self._loaders.cache_writes
        if writes is not None:
            await writes.settle()

    async def before_outage_report(self, *, location_id: str) -> None:
        await self.after_outage_report(location_id=location_id)

    async def before_customer_change(self, *, customer_id: str) -> None:
        await self.after_customer_change(customer_id=customer_id)

    async def after_outage_report(self, *, location_id: str) -> None:
        if self._cache is not None:
            await self._settle_writes()
            await invalidate.after_outage_report(self._cache, location_id=location_id)
        self._loaders.outage_status.clear(location_id)

    async def after_customer_change(self, *, customer_id: str) -> None:
        if self._cache is not None:
            await self._settle_writes()
            await invalidate.after_customer_change(self._cache, customer_id=customer_id)
        self._loaders.customer.clear(customer_id)

    async def after_payment(self, *, account_number: str) -> None:
        if self._cache is not None:
            await self._settle_writes()
            await invalidate.after_payment(self._cache, account_number=account_number)
        self._loaders.balance.clear(account_number)
        self._loaders.prepay_balance.clear(account_number)
