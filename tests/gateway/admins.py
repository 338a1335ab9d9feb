"""An admin login for the tests of the staff console and the audit log (import `admin`)."""

from __future__ import annotations

import pytest_asyncio

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from tests.gateway.support import Member

ADMIN_EMAIL = "operations.admin@example.com"
ADMIN_PASSWORD = "admin-console-pass"


@pytest_asyncio.fixture(scope="session")
async def admin(gateway_store: GatewayStore) -> Member:
    user_id = await upsert_member(
        gateway_store.engine,
        email=ADMIN_EMAIL,
        password=ADMIN_PASSWORD,
        account_numbers=(),
        role=Role.ADMIN,
    )
    return Member(user_id, ADMIN_EMAIL, ADMIN_PASSWORD, Role.ADMIN, ())
