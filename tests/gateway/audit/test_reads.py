"""Staff reads of accounts are written to the audit log: once per account per request."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from gateway.audit.tables import AuditEntry
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.schema import schema
from tests.gateway.admins import admin
from tests.gateway.conftest import Members
from tests.gateway.support import Member, codes, context_for

__all__ = ["admin"]

TWO_READS = """
query StaffLookup($n: String!) {
  first: account(number: $n) { ... on Account { number balance { amountDue } } }
  again: account(number: $n) { ... on Account { customer { lastName } } }
}
"""


async def run(
    adapters: Adapters,
    store: GatewayStore,
    who: Member,
    query: str,
    *,
    request_id: str,
    **variables: Any,
) -> dict[str, Any]:
    context = context_for(adapters, store, who, request_id=request_id, client_address="192.0.2.44")
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def entries(store: GatewayStore, request_id: str) -> list[AuditEntry]:
    async with store.sessions() as session:
        found = await session.scalars(
            select(AuditEntry).where(AuditEntry.request_id == request_id).order_by(AuditEntry.id)
        )
        return list(found)


async def test_one_entry_per_account_with_every_field_read_in_the_request(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.neighbor.account_numbers[0]
    request_id = uuid.uuid4().hex

    await run(adapters, gateway_store, members.staff, TWO_READS, request_id=request_id, n=number)

    [entry] = await entries(gateway_store, request_id)
    assert entry.account_number == number
    assert entry.fields == "balance,customer,number"
    assert (entry.actor_user_id, entry.actor_email, entry.actor_role) == (
        members.staff.user_id,
        members.staff.email,
        "staff",
    )
    assert (entry.operation_name, entry.client_address) == ("StaffLookup", "192.0.2.44")


async def test_accounts_opened_from_search_results_are_audited_too(
    adapters: Adapters, gateway_store: GatewayStore, members: Members, admin: Member
) -> None:
    numbers = members.demo.account_numbers
    query = """query ($q: String!) { searchAccounts(query: $q) { edges { node {
      accountNumber account { usageComparison { current { kwh } } } } } } }"""
    request_id = uuid.uuid4().hex

    data = await run(adapters, gateway_store, admin, query, request_id=request_id, q="Maria Baca")

    found = [edge["node"]["accountNumber"] for edge in data["searchAccounts"]["edges"]]
    assert set(numbers) <= set(found)
    written = await entries(gateway_store, request_id)
    assert sorted(e.account_number for e in written) == sorted(found)
    assert {(e.fields, e.actor_role) for e in written} == {("usageComparison", "admin")}


async def test_the_search_alone_and_members_own_reads_write_nothing(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    search = '{ searchAccounts(query: "Baca") { edges { node { accountNumber } } } }'
    own = "query ($n: String!) { account(number: $n) { ... on Account { balance { amountDue } } } }"
    searched, read = uuid.uuid4().hex, uuid.uuid4().hex

    await run(adapters, gateway_store, members.staff, search, request_id=searched)
    await run(
        adapters,
        gateway_store,
        members.demo,
        own,
        request_id=read,
        n=members.demo.account_numbers[0],
    )

    assert await entries(gateway_store, searched) == []
    assert await entries(gateway_store, read) == []


class _StoreThatCannotAudit(GatewayStore):
    """Reads users from the real store; writes audit entries into a database without tables."""

    def __init__(self, real: GatewayStore, broken_url: str) -> None:
        super().__init__(real.engine)
        self._broken = create_async_engine(broken_url)

    @property
    def sessions(self) -> async_sessionmaker[Any]:
        return async_sessionmaker(self._broken)


@pytest_asyncio.fixture
async def store_that_cannot_audit(
    gateway_store: GatewayStore, tmp_path: Any
) -> AsyncIterator[GatewayStore]:
    store = _StoreThatCannotAudit(gateway_store, f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    yield store
    await store._broken.dispose()


async def test_a_read_that_cannot_be_audited_is_not_served(
    adapters: Adapters, store_that_cannot_audit: GatewayStore, members: Members
) -> None:
    context = context_for(
        adapters, store_that_cannot_audit, members.staff, request_id="cannot-audit-0001"
    )
    result = await schema.execute(
        TWO_READS,
        variable_values={"n": members.neighbor.account_numbers[0]},
        context_value=context,
    )

    assert result.data is None
    assert codes(result) == ["INTERNAL_SERVER_ERROR"]
    assert result.errors is not None
    assert result.errors[0].message == "Internal error"
