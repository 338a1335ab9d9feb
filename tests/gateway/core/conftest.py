"""A fresh, migrated gateway database per test, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.open import open_store
from tests.gateway.core.store.databases import BACKENDS, migrated_database_url


@pytest_asyncio.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest) -> str:
    return await migrated_database_url(request.param, request)


@pytest_asyncio.fixture
async def store(database_url: str) -> AsyncIterator[GatewayStore]:
    opened = open_store(database_url)
    yield opened
    await opened.aclose()
