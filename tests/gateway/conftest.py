"""The gateway's own database (a migrated SQLite file) with demo logins, and fresh fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from adapters.payments.fake import FakePaymentProcessor
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.gateway.served import StandIns
from tests.gateway.support import Member

STAFF_EMAIL = "lineworker.dispatch@example.com"
STAFF_PASSWORD = "staff-console-pass"


@dataclass(frozen=True, slots=True)
class Members:
    demo: Member  # a member with two accounts (one with two service locations)
    neighbor: Member  # a member with one account
    staff: Member  # staff, linked to no account


@pytest.fixture(scope="session")
def gateway_database_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gateway") / "gateway.db"


@pytest_asyncio.fixture(scope="session")
async def gateway_store(gateway_database_path: Path) -> AsyncIterator[GatewayStore]:
    url = f"sqlite+aiosqlite:///{gateway_database_path}"
    await migrate(url)
    store = open_store(url)
    yield store
    await store.aclose()


@pytest_asyncio.fixture(scope="session")
async def members(world: World, gateway_store: GatewayStore) -> Members:
    async def member(email: str, password: str, customer_ids: tuple[str, ...]) -> Member:
        numbers = tuple(a.account_number for a in world.accounts if a.customer_id in customer_ids)
        user_id = await upsert_member(
            gateway_store.engine, email=email, password=password, account_numbers=numbers
        )
        return Member(user_id, email, password, Role.MEMBER, numbers)

    demo, neighbor = world.logins[0], world.logins[1]
    staff_id = await upsert_member(
        gateway_store.engine,
        email=STAFF_EMAIL,
        password=STAFF_PASSWORD,
        account_numbers=(),
        role=Role.STAFF,
    )
    return Members(
        demo=await member(demo.email, demo.password, demo.customer_ids),
        neighbor=await member(neighbor.email, neighbor.password, neighbor.customer_ids),
        staff=Member(staff_id, STAFF_EMAIL, STAFF_PASSWORD, Role.STAFF, ()),
    )


@pytest.fixture
def adapters(world: World) -> Adapters:
    """Fresh fakes per test: their `calls` start empty and outage reports do not leak."""
    cis = fake_cis_from_world(world)
    return Adapters(
        cis=cis,
        oms=fake_oms_from_world(world),
        meters=fake_meters_from_world(world),
        cis_payments=cis,
        payments=FakePaymentProcessor(),
    )


@pytest.fixture
def standins(
    cis_url: str,
    cis_credentials: MultiSpeakCredentials,
    oms_url: str,
    oms_credentials: MultiSpeakCredentials,
    meters_sqlite_url: str,
) -> StandIns:
    """The shared stand-ins, for apps wired from settings alone."""
    return StandIns(cis_url, cis_credentials, oms_url, oms_credentials, meters_sqlite_url)
