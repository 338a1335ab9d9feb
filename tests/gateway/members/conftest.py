"""For the registration, password and invitation tests: a database of each module's own,
since they add users and links the shared members must not get."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from adapters.email.fake import FakeEmailSender
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from tests.gateway.core.store.databases import migrated_store
from tests.gateway.members.registration_support import Caller, fresh_address


@pytest_asyncio.fixture(scope="module")
async def store(request: pytest.FixtureRequest) -> AsyncIterator[GatewayStore]:
    opened = await migrated_store("sqlite", request)
    yield opened
    await opened.aclose()


@pytest.fixture
def anyone(adapters: Adapters, store: GatewayStore) -> Caller:
    """Someone not signed in, from an address of their own, whose mail is kept."""
    return Caller(adapters, store, FakeEmailSender(), fresh_address())
