"""requestPaymentExtension over GraphQL, against the fake CIS: granted once to a past-due
account (14 days past its due date, for what is past due), then not again; refused to
an account not past due and to a prepay account; the cached balance is forgotten after a
grant; a staff request is audited on the account."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from adapters.cis.fake import FakeCis
from adapters.cis.soap import SoapCis
from gateway.audit.tables import AuditEntry
from gateway.core.backends import Adapters
from gateway.core.cache.memory import MemoryCache
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.schema import schema
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import cis_endpoint_for
from tests.gateway.conftest import Members
from tests.gateway.core.store.databases import add_user
from tests.gateway.support import Member, context_for

EXTEND = """
mutation Extend($number: String!) { requestPaymentExtension(input: {accountNumber: $number}) {
  __typename
  ... on PaymentExtensionGranted { newDueDate amount }
  ... on PaymentExtensionNotEligible { reason }
  ... on ValidationError { field }
  ... on AccountNotFound { number }
} }
"""
BALANCE = """
query Balance($number: String!) { account(number: $number) { ... on Account {
  balance { currentAmount pastDueAmount }
} } }
"""
DUE = date(2026, 11, 20)


async def run(
    adapters: Adapters,
    store: GatewayStore,
    who: Member,
    query: str,
    *,
    cache: MemoryCache | None = None,
    request_id: str | None = None,
    **variables: Any,
) -> dict[str, Any]:
    context = context_for(adapters, store, who, cache=cache, request_id=request_id)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def postpaid_account(world: World, member: Member) -> str:
    prepay = {a.account_number for a in world.accounts if a.is_prepay}
    return next(n for n in member.account_numbers if n not in prepay)


def past_due(cis: FakeCis, number: str, *, current: str, past: str) -> None:
    cis.balances[number] = dataclasses.replace(
        cis.balances[number],
        current_amount=Decimal(current),
        past_due_amount=Decimal(past),
        due_date=DUE,
    )


async def test_a_past_due_account_is_granted_one_extension(
    adapters: Adapters, gateway_store: GatewayStore, members: Members, world: World
) -> None:
    assert isinstance(adapters.cis, FakeCis)
    number = postpaid_account(world, members.demo)
    past_due(adapters.cis, number, current="55.00", past="81.20")

    granted = await run(adapters, gateway_store, members.demo, EXTEND, number=number)
    again = await run(adapters, gateway_store, members.demo, EXTEND, number=number)

    assert granted["requestPaymentExtension"] == {
        "__typename": "PaymentExtensionGranted",
        "newDueDate": (DUE + timedelta(days=14)).isoformat(),
        "amount": "81.20",
    }
    assert adapters.cis.payment_book.extensions == {number: DUE + timedelta(days=14)}
    assert again["requestPaymentExtension"]["__typename"] == "PaymentExtensionNotEligible"
    assert "already" in again["requestPaymentExtension"]["reason"]


async def test_an_account_not_past_due_or_prepay_is_not_eligible(
    adapters: Adapters, gateway_store: GatewayStore, members: Members, world: World
) -> None:
    assert isinstance(adapters.cis, FakeCis)
    number = postpaid_account(world, members.demo)
    past_due(adapters.cis, number, current="55.00", past="0.00")
    prepay = next(a for a in world.accounts if a.is_prepay)
    adapters.cis.balances[prepay.account_number] = dataclasses.replace(
        adapters.cis.balances[prepay.account_number],
        past_due_amount=Decimal("10.00"),
        due_date=DUE,
    )
    holder_id = await add_user(gateway_store, account_numbers=(prepay.account_number,))
    prepay_holder = Member(holder_id, "p@example.com", "", Role.MEMBER, (prepay.account_number,))

    current = await run(adapters, gateway_store, members.demo, EXTEND, number=number)
    on_prepay = await run(
        adapters, gateway_store, prepay_holder, EXTEND, number=prepay.account_number
    )

    for answer in (current, on_prepay):
        assert answer["requestPaymentExtension"]["__typename"] == "PaymentExtensionNotEligible"
    assert adapters.cis.payment_book.extensions == {}


async def test_a_blank_number_is_a_validation_error_and_anothers_account_is_not_found(
    adapters: Adapters, gateway_store: GatewayStore, members: Members, world: World
) -> None:
    assert isinstance(adapters.cis, FakeCis)
    others = postpaid_account(world, members.neighbor)
    past_due(adapters.cis, others, current="5.00", past="5.00")

    blank = await run(adapters, gateway_store, members.demo, EXTEND, number="  ")
    not_theirs = await run(adapters, gateway_store, members.demo, EXTEND, number=others)

    assert blank["requestPaymentExtension"] == {
        "__typename": "ValidationError",
        "field": "accountNumber",
    }
    assert not_theirs["requestPaymentExtension"] == {
        "__typename": "AccountNotFound",
        "number": others,
    }
    assert adapters.cis.payment_book.extensions == {}


async def test_a_grant_forgets_the_cached_balance(
    adapters: Adapters, gateway_store: GatewayStore, members: Members, world: World
) -> None:
    assert isinstance(adapters.cis, FakeCis)
    number = postpaid_account(world, members.demo)
    cache = MemoryCache()
    past_due(adapters.cis, number, current="55.00", past="81.20")
    before = await run(adapters, gateway_store, members.demo, BALANCE, cache=cache, number=number)
    past_due(adapters.cis, number, current="60.00", past="81.20")  # the CIS moved on

    await run(adapters, gateway_store, members.demo, EXTEND, cache=cache, number=number)
    after = await run(adapters, gateway_store, members.demo, BALANCE, cache=cache, number=number)

    assert before["account"]["balance"]["currentAmount"] == "55.00"
    assert after["account"]["balance"]["currentAmount"] == "60.00"


async def test_a_staff_request_is_audited_on_the_account(
    adapters: Adapters, gateway_store: GatewayStore, members: Members, world: World
) -> None:
    assert isinstance(adapters.cis, FakeCis)
    number = postpaid_account(world, members.demo)
    past_due(adapters.cis, number, current="55.00", past="81.20")
    request_id = uuid.uuid4().hex

    answer = await run(
        adapters, gateway_store, members.staff, EXTEND, request_id=request_id, number=number
    )

    assert answer["requestPaymentExtension"]["__typename"] == "PaymentExtensionGranted"
    async with gateway_store.sessions() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.request_id == request_id))
        entries = [(row.account_number, row.fields, row.actor_role) for row in rows]
    assert entries == [(number, "requestPaymentExtension", "staff")]


@pytest_asyncio.fixture
async def soap_adapters(
    adapters: Adapters, fresh_cis_url: str, cis_credentials: MultiSpeakCredentials
) -> AsyncIterator[Adapters]:
    cis = await SoapCis.create(endpoint=cis_endpoint_for(fresh_cis_url, cis_credentials))
    yield dataclasses.replace(adapters, cis=cis, cis_payments=cis)
    await cis.aclose()


async def test_the_cis_stand_in_grants_over_soap_once(
    soap_adapters: Adapters, gateway_store: GatewayStore, world: World
) -> None:
    prepay = {a.account_number for a in world.accounts if a.is_prepay}
    owed = next(
        b for b in world.balances if b.past_due_amount > 0 and b.account_number not in prepay
    )
    assert owed.due_date is not None
    user_id = await add_user(gateway_store, account_numbers=(owed.account_number,))
    member = Member(user_id, "soap@example.com", "", Role.MEMBER, (owed.account_number,))

    granted = await run(soap_adapters, gateway_store, member, EXTEND, number=owed.account_number)
    again = await run(soap_adapters, gateway_store, member, EXTEND, number=owed.account_number)

    assert granted["requestPaymentExtension"] == {
        "__typename": "PaymentExtensionGranted",
        "newDueDate": (owed.due_date + timedelta(days=14)).isoformat(),
        "amount": str(owed.past_due_amount),
    }
    assert again["requestPaymentExtension"]["__typename"] == "PaymentExtensionNotEligible"
