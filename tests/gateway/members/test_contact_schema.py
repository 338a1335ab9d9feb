"""Changing contact details: written to the CIS, the cached customer forgotten, read back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from adapters.cis.fake import FakeCis
from adapters.cis.soap import SoapCis
from gateway.audit.tables import AuditEntry
from gateway.core.backends import Adapters
from gateway.core.cache.memory import MemoryCache
from gateway.core.store.gateway_store import GatewayStore
from gateway.schema import schema
from simulators.soap import MultiSpeakCredentials
from tests.fixtures.cis import cis_endpoint_for
from tests.gateway.conftest import Members
from tests.gateway.support import Member, context_for, execute

UPDATE = """
mutation ($n: String!, $input: ContactDetailsInput!) {
  updateContactDetails(accountNumber: $n, input: $input) {
    __typename
    ... on UpdateContactDetailsSuccess {
      accountNumber customer { homePhone mobilePhone email billingAddress { line1 state zip } }
    }
    ... on AccountNotFound { number message }
    ... on InvalidContactDetails { message errors { field message } }
  }
}
"""
CUSTOMER = (
    "query ($n: String!) { account(number: $n) { ... on Account {"
    " customer { homePhone email } } } }"
)


def fake_cis(adapters: Adapters) -> FakeCis:
    assert isinstance(adapters.cis, FakeCis)
    return adapters.cis


async def run(
    adapters: Adapters,
    store: GatewayStore,
    who: Member,
    query: str,
    cache: MemoryCache | None = None,
    request_id: str | None = None,
    **variables: Any,
) -> dict[str, Any]:
    context = context_for(adapters, store, who, cache=cache, request_id=request_id)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def test_a_member_changes_their_phone_and_the_cached_customer_is_forgotten(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    cache = MemoryCache()
    before = await run(adapters, gateway_store, members.demo, CUSTOMER, cache, n=number)

    changed = await run(
        adapters,
        gateway_store,
        members.demo,
        UPDATE,
        cache,
        n=number,
        input={"homePhone": "505-555-0142", "email": None},
    )
    after = await run(adapters, gateway_store, members.demo, CUSTOMER, cache, n=number)

    result = changed["updateContactDetails"]
    assert result["__typename"] == "UpdateContactDetailsSuccess"
    assert result["customer"]["homePhone"] == "5055550142"
    assert result["customer"]["email"] is None
    assert result["customer"]["mobilePhone"]  # left out, so kept
    assert before["account"]["customer"]["homePhone"] != "5055550142"
    assert after["account"]["customer"] == {"homePhone": "5055550142", "email": None}


async def test_invalid_details_change_nothing_and_name_every_field(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    data = await run(
        adapters,
        gateway_store,
        members.demo,
        UPDATE,
        n=members.demo.account_numbers[0],
        input={
            "mobilePhone": "12",
            "billingAddress": {"line1": "1 Main St", "city": "Moriarty", "state": "ZZ", "zip": "1"},
        },
    )

    result = data["updateContactDetails"]
    assert result["__typename"] == "InvalidContactDetails"
    assert [e["field"] for e in result["errors"]] == [
        "mobilePhone",
        "billingAddress.state",
        "billingAddress.zip",
    ]
    assert [c for c in fake_cis(adapters).calls if c[0] == "update_contact"] == []


@pytest.mark.parametrize("email", ["a..b@example.com", "josé@example.com"])
async def test_an_email_the_mail_adapter_cannot_send_to_is_refused_and_changes_nothing(
    adapters: Adapters, gateway_store: GatewayStore, members: Members, email: str
) -> None:
    number = members.demo.account_numbers[0]
    before = await run(adapters, gateway_store, members.demo, CUSTOMER, n=number)

    data = await run(
        adapters,
        gateway_store,
        members.demo,
        UPDATE,
        n=number,
        input={"email": email, "homePhone": "505-555-0142"},
    )
    after = await run(adapters, gateway_store, members.demo, CUSTOMER, n=number)

    assert data["updateContactDetails"] == {
        "__typename": "InvalidContactDetails",
        "message": "Some details need another look; nothing was changed.",
        "errors": [{"field": "email", "message": "Enter an email address, like name@example.com."}],
    }
    assert [c for c in fake_cis(adapters).calls if c[0] == "update_contact"] == []
    assert after == before


async def test_someone_elses_account_is_not_found_and_not_touched(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    other = members.neighbor.account_numbers[0]
    data = await run(
        adapters, gateway_store, members.demo, UPDATE, n=other, input={"homePhone": "5055550142"}
    )

    assert data["updateContactDetails"] == {
        "__typename": "AccountNotFound",
        "number": other,
        "message": "No account with this number was found.",
    }
    assert fake_cis(adapters).calls == []


async def test_staff_change_a_members_details_and_the_change_is_audited(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.neighbor.account_numbers[0]
    request_id = uuid.uuid4().hex

    data = await run(
        adapters,
        gateway_store,
        members.staff,
        UPDATE,
        request_id=request_id,
        n=number,
        input={"mobilePhone": "(505) 555-0199"},
    )

    assert data["updateContactDetails"]["customer"]["mobilePhone"] == "5055550199"
    async with gateway_store.sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.request_id == request_id))
    assert entry is not None
    assert (entry.account_number, entry.fields) == (number, "updateContactDetails")


@pytest_asyncio.fixture
async def soap_adapters(
    adapters: Adapters, fresh_cis_url: str, cis_credentials: MultiSpeakCredentials
) -> AsyncIterator[Adapters]:
    cis = await SoapCis.create(endpoint=cis_endpoint_for(fresh_cis_url, cis_credentials))
    yield Adapters(cis=cis, oms=adapters.oms, meters=adapters.meters)
    await cis.aclose()


async def test_the_new_phone_is_read_back_from_the_cis_stand_in_over_soap(
    soap_adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    number = members.demo.account_numbers[0]

    changed = await execute(
        soap_adapters,
        gateway_store,
        UPDATE,
        members.demo,
        n=number,
        input={
            "homePhone": "(505) 555-0142",
            "billingAddress": {
                "line1": "12 Ruta Vieja",
                "city": "Edgewood",
                "state": "nm",
                "zip": "87015",
            },
        },
    )
    read_back = await execute(soap_adapters, gateway_store, CUSTOMER, members.demo, n=number)

    assert changed.errors is None
    assert changed.data is not None
    customer = changed.data["updateContactDetails"]["customer"]
    assert customer["homePhone"] == "5055550142"
    assert customer["billingAddress"] == {"line1": "12 Ruta Vieja", "state": "NM", "zip": "87015"}
    assert read_back.data is not None
    assert read_back.data["account"]["customer"]["homePhone"] == "5055550142"
