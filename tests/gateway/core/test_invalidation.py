"""After a write, the next read asks the backend: in this request and in later ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.core.backends import Adapters
from gateway.core.cache.memory import MemoryCache
from gateway.core.store.gateway_store import GatewayStore
from simulators.world import World
from tests.gateway.support import context_for

# The write, the loader it makes stale, the port method behind that loader, and a key.
CASES: list[tuple[str, str, str, Callable[[World], str]]] = [
    ("after_payment", "balance", "get_balance", lambda w: w.accounts[0].account_number),
    (
        "after_payment",
        "prepay_balance",
        "prepay_balance",
        lambda w: next(a for a in w.accounts if a.is_prepay).account_number,
    ),
    ("after_customer_change", "customer", "get_customer", lambda w: w.customers[0].customer_id),
    (
        "after_outage_report",
        "outage_status",
        "get_outage_status",
        lambda w: w.locations[0].location_id,
    ),
]
ARGUMENT = {
    "after_payment": "account_number",
    "after_customer_change": "customer_id",
    "after_outage_report": "location_id",
}


@pytest.mark.parametrize("shared_cache", [True, False], ids=["cache", "no-cache"])
@pytest.mark.parametrize(
    ("write", "loader", "method", "key_of"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES]
)
async def test_after_a_write_the_next_read_asks_the_backend(
    world: World,
    adapters: Adapters,
    gateway_store: GatewayStore,
    write: str,
    loader: str,
    method: str,
    key_of: Callable[[World], str],
    shared_cache: bool,
) -> None:
    cache = MemoryCache() if shared_cache else None
    key = key_of(world)
    backend: Any = adapters.oms if method == "get_outage_status" else adapters.cis

    def asked() -> int:
        return int(backend.calls.count((method, (key,))))

    writer = context_for(adapters, gateway_store, cache=cache)
    await getattr(writer.loaders, loader).load(key)
    await getattr(context_for(adapters, gateway_store, cache=cache).loaders, loader).load(key)
    before = asked()
    assert before == (1 if shared_cache else 2)

    await getattr(writer.invalidate, write)(**{ARGUMENT[write]: key})
    await getattr(writer.loaders, loader).load(key)
    assert asked() == before + 1  # neither this request's loader nor the cache answered

    await getattr(context_for(adapters, gateway_store, cache=cache).loaders, loader).load(key)
    assert asked() == before + (1 if shared_cache else 2)  # the fresh answer is shared
