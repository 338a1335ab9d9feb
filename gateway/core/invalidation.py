"""After a write: forget what it changed, so the reads that follow ask the backend.

A write service calls the port, and once the backend has accepted the change calls the
method named after that write here. It drops the entries the write made stale from the
shared cache (for every gateway process) and from this request's loaders, which would
otherwise answer from what they loaded before the write. The cache goes first: a load
in this request between the two steps would otherwise find the stale entry there.
"""

from __future__ import annotations

from gateway.core.cache import invalidate
from gateway.core.cache.port import Cache
from gateway.core.loaders import Loader


class Invalidation:
    def __init__(
        self,
        cache: Cache | None,
        *,
        customer: Loader[str, object],
        balance: Loader[str, object],
        outage_status: Loader[str, object],
    ) -> None:
        """`cache` None: no shared cache (switched off); only the loaders forget."""
        self._cache = cache
        self._customer = customer
        self._balance = balance
        self._outage_status = outage_status

    async def after_outage_report(self, *, location_id: str) -> None:
        if self._cache is not None:
            await invalidate.after_outage_report(self._cache, location_id=location_id)
        self._outage_status.clear(location_id)

    async def after_customer_change(self, *, customer_id: str) -> None:
        if self._cache is not None:
            await invalidate.after_customer_change(self._cache, customer_id=customer_id)
        self._customer.clear(customer_id)

    async def after_payment(self, *, account_number: str) -> None:
        if self._cache is not None:
            await invalidate.after_payment(self._cache, account_number=account_number)
        self._balance.clear(account_number)
