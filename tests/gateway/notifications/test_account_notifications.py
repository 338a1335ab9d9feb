"""Account.notifications: staff read every notice about an account, audited as any read
of it; a member reads only the notices sent to them, never another login's contacts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from strawberry.types import ExecutionResult

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.identity.tables import Role
from gateway.notifications.contacts_store import Contact, ContactKind
from gateway.notifications.deliveries import queue_delivery
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import contact_of, new_member
from tests.gateway.payments.test_refund_schema import audited, person, run_as
from tests.gateway.support import Member

store = store_on_each_backend()

NOTICES = """
query Notices($number: String!) { account(number: $number) { ... on Account {
  notifications(first: 10) { edges { node { type recipient status } } } } } }
"""


async def notice_to(store: GatewayStore, member: Member, phone: str, account: str) -> None:
    now = datetime.now(UTC)
    contact = Contact(
        id=await contact_of(store, member, ContactKind.SMS, phone),
        user_id=member.user_id,
        kind=ContactKind.SMS,
        value=phone,
        is_login=False,
        created_at=now,
        activated_at=now,
    )
    async with unit_of_work(store) as uow:
        await queue_delivery(
            uow,
            dedupe_key=f"bill_available:{account}:test:{contact.id}",
            contact=contact,
            type_="bill_available",
            account_number=account,
            subject="Your bill is ready",
            body="Your bill is ready.",
            now=now,
        )


async def test_staff_see_every_notice_and_a_member_only_their_own(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    number = world.accounts[15].account_number
    holder, sharer = await new_member(store, number), await new_member(store, number)
    await notice_to(store, holder, "+15055550161", number)
    await notice_to(store, sharer, "+15055550162", number)
    staff = await person(store, Role.STAFF)
    request_id = uuid.uuid4().hex

    as_staff = await run_as(adapters, store, staff, NOTICES, request_id, number=number)
    as_holder = await run_as(adapters, store, holder, NOTICES, uuid.uuid4().hex, number=number)

    def recipients(result: ExecutionResult) -> list[str]:
        assert result.data is not None
        edges = result.data["account"]["notifications"]["edges"]
        return sorted(edge["node"]["recipient"] for edge in edges)

    assert as_staff.errors is None, as_staff.errors
    assert recipients(as_staff) == ["+15055550161", "+15055550162"]
    assert recipients(as_holder) == ["+15055550161"]
    assert (number, "notifications", "staff") in await audited(store, request_id)
