"""refundPayment over GraphQL, against the fakes: admins get a union answer and their
request is audited on the payment's account; staff and members are refused; staff
reads of an account's payments are audited."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from adapters.payments.fake import FakePaymentProcessor
from gateway.audit.tables import AuditEntry
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.schema import schema
from simulators.world import World
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.support import APPROVED_CARD
from tests.gateway.payments.test_schema import pay, pay_input, payer, run_worker_step
from tests.gateway.support import Member, codes, context_for

store = store_on_each_backend()

REFUND = """
mutation Refund($input: RefundPaymentInput!) {
  refundPayment(input: $input) {
    __typename
    ... on RefundRequested { alreadyRequested payment { id status } }
    ... on RefundNotPossible { reason }
    ... on ValidationError { field message }
  }
}
"""
PAYMENTS = """
query StaffPayments($number: String!) { account(number: $number) {
  ... on Account { payments(first: 5) { edges { node { id status } } } } } }
"""


async def person(store: GatewayStore, role: Role) -> Member:
    user_id = await add_user(store, role=role)
    return Member(user_id, f"user-{user_id}@example.com", "", role, ())


async def run_as(
    adapters: Adapters, store: GatewayStore, who: Member, query: str, request_id: str, **v: Any
) -> Any:
    context = context_for(adapters, store, who, request_id=request_id)
    return await schema.execute(query, variable_values=v, context_value=context)


async def audited(store: GatewayStore, request_id: str) -> list[tuple[str, str, str]]:
    async with store.sessions() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.request_id == request_id))
        return [(row.account_number, row.fields, row.actor_role) for row in rows]


async def posted_payment(
    adapters: Adapters, store: GatewayStore, world: World, processor: FakePaymentProcessor
) -> tuple[Member, str]:
    member = await payer(store, world, account=4)
    answer = await pay(
        adapters,
        store,
        member,
        **pay_input(member, processor.tokenize_card(APPROVED_CARD), key=uuid.uuid4().hex),
    )
    await run_worker_step(adapters, store, answer["payment"]["id"])
    return member, str(answer["payment"]["id"])


async def test_an_admin_refund_is_requested_and_audited_on_the_account(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    assert isinstance(adapters.payments, FakePaymentProcessor)
    member, payment_id = await posted_payment(adapters, store, world, adapters.payments)
    admin = await person(store, Role.ADMIN)
    request_id = uuid.uuid4().hex

    result = await run_as(
        adapters,
        store,
        admin,
        REFUND,
        request_id,
        input={"paymentId": payment_id, "reason": "member was charged twice"},
    )

    assert result.errors is None, result.errors
    answer = result.data["refundPayment"]
    assert answer["__typename"] == "RefundRequested"
    assert answer["payment"] == {"id": payment_id, "status": "POSTED"}
    assert answer["alreadyRequested"] is False
    assert await audited(store, request_id) == [
        (member.account_numbers[0], "refundPayment", "admin")
    ]


async def test_staff_and_members_are_refused_and_nothing_is_audited_as_done(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    assert isinstance(adapters.payments, FakePaymentProcessor)
    member, payment_id = await posted_payment(adapters, store, world, adapters.payments)
    staff = await person(store, Role.STAFF)

    for who in (staff, member):
        request_id = uuid.uuid4().hex
        result = await run_as(
            adapters,
            store,
            who,
            REFUND,
            request_id,
            input={"paymentId": payment_id, "reason": "please"},
        )
        assert codes(result) == ["FORBIDDEN"]
        assert await audited(store, request_id) == []


async def test_a_payment_not_yet_posted_answers_refund_not_possible(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    assert isinstance(adapters.payments, FakePaymentProcessor)
    member = await payer(store, world, account=4)
    answer = await pay(
        adapters,
        store,
        member,
        **pay_input(member, adapters.payments.tokenize_card(APPROVED_CARD), key=uuid.uuid4().hex),
    )
    admin = await person(store, Role.ADMIN)

    result = await run_as(
        adapters,
        store,
        admin,
        REFUND,
        uuid.uuid4().hex,
        input={"paymentId": answer["payment"]["id"], "reason": "duplicate"},
    )

    assert result.errors is None, result.errors
    assert result.data["refundPayment"]["__typename"] == "RefundNotPossible"


async def test_staff_reads_of_an_accounts_payments_are_audited(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    assert isinstance(adapters.payments, FakePaymentProcessor)
    member, payment_id = await posted_payment(adapters, store, world, adapters.payments)
    staff = await person(store, Role.STAFF)
    request_id = uuid.uuid4().hex

    result = await run_as(
        adapters, store, staff, PAYMENTS, request_id, number=member.account_numbers[0]
    )

    assert result.errors is None, result.errors
    ids = [edge["node"]["id"] for edge in result.data["account"]["payments"]["edges"]]
    assert payment_id in ids
    assert await audited(store, request_id) == [(member.account_numbers[0], "payments", "staff")]
