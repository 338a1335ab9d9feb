"""The store the store tests share within a module, on each backend."""

from __future__ import annotations

from tests.gateway.core.store.databases import store_on_each_backend

store = store_on_each_backend()
