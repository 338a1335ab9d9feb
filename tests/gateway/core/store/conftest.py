"""The store the store tests share within a module, on each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from gateway.core.store.gateway_store import GatewayStore
from tests.gateway.core.store.databases import BACKENDS, migrated_store


@pytest_asyncio.fixture(scope="module", params=BACKENDS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[GatewayStore]:
    opened = await migrated_store(request.param, request)
    yield opened
    await opened.aclose()
