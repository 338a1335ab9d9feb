"""The admins' audit log query: filters, newest first, pages; nobody else may read it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from tests.gateway.admins import admin
from tests.gateway.conftest import Members
from tests.gateway.support import Member, codes, execute

__all__ = ["admin"]

AUDIT = """
query ($filter: AuditEntryFilter, $first: Int = 50, $after: String) {
  auditEntries(filter: $filter, first: $first, after: $after) {
    edges { cursor node {
      accountNumber actorEmail actorRole fields operationName occurredAt requestId
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
READ = (
    "query Peek($n: String!) { account(number: $n) { ... on Account { balance { amountDue } } } }"
)


async def audit(
    adapters: Adapters, store: GatewayStore, who: Member, **variables: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, AUDIT, who, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    entries: dict[str, Any] = result.data["auditEntries"]
    return entries


async def test_admins_page_through_a_staff_users_reads_newest_first(
    adapters: Adapters, gateway_store: GatewayStore, members: Members, admin: Member
) -> None:
    since = datetime.now(UTC)  # entries of earlier tests are older
    numbers = [*members.demo.account_numbers, members.neighbor.account_numbers[0]]
    for number in numbers:
        read = await execute(adapters, gateway_store, READ, members.staff, n=number)
        assert read.errors is None
    wanted = {"actorEmail": members.staff.email, "from": since.isoformat()}

    first = await audit(adapters, gateway_store, admin, filter=wanted, first=2)
    rest = await audit(
        adapters,
        gateway_store,
        admin,
        filter=wanted,
        first=2,
        after=first["pageInfo"]["endCursor"],
    )

    nodes = [edge["node"] for edge in first["edges"] + rest["edges"]]
    assert [n["accountNumber"] for n in nodes] == list(reversed(numbers))
    assert first["pageInfo"]["hasNextPage"] is True
    assert rest["pageInfo"]["hasNextPage"] is False
    assert nodes[0]["actorRole"] == "STAFF"
    assert nodes[0]["fields"] == ["balance"]
    assert nodes[0]["operationName"] == "Peek"
    assert nodes[0]["occurredAt"].endswith("-07:00")  # the co-op's zone (MST in November)
    one_account = await audit(
        adapters, gateway_store, admin, filter={"accountNumber": numbers[0], "from": wanted["from"]}
    )
    assert [e["node"]["accountNumber"] for e in one_account["edges"]] == [numbers[0]]


async def test_staff_and_members_are_forbidden_and_nobody_is_unauthenticated(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    staff = await execute(adapters, gateway_store, AUDIT, members.staff)
    member = await execute(adapters, gateway_store, AUDIT, members.demo)
    nobody = await execute(adapters, gateway_store, AUDIT, None)

    assert (codes(staff), codes(member), codes(nobody)) == (
        ["FORBIDDEN"],
        ["FORBIDDEN"],
        ["UNAUTHENTICATED"],
    )


async def test_bad_arguments_are_bad_user_input(
    adapters: Adapters, gateway_store: GatewayStore, admin: Member
) -> None:
    for variables in (
        {"first": 201},
        {"after": uuid.uuid4().hex},
        {"filter": {"from": "2026-11-01T00:00:00"}},
    ):
        result = await execute(adapters, gateway_store, AUDIT, admin, **variables)
        assert codes(result) == ["BAD_USER_INPUT"], variables
