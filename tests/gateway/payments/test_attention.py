"""paymentsNeedingAttention: staff's queue of payments set aside, with why; members are
refused, and every payment listed is audited as a read of its account."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from adapters.payments.fake import FakePaymentProcessor
from gateway.core.backends import Adapters
from gateway.core.outbox.table import OutboxEntry, OutboxState
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.payments import store as payments_store
from gateway.payments.attention import OUTBOX_GAVE_UP, payments_needing_attention
from gateway.payments.status import PaymentStatus
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.payments.support import APPROVED_CARD
from tests.gateway.payments.test_refund_schema import audited, person, run_as
from tests.gateway.payments.test_schema import pay, pay_input, payer, run_worker_step
from tests.gateway.support import Member, codes

store = store_on_each_backend()

QUEUE = """
query Queue($first: Int!, $after: String) {
  paymentsNeedingAttention(first: $first, after: $after) {
    edges { cursor node { reason payment { id status accountNumber } events { status detail } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
# Later than any payment the tests make: what is set aside then comes last in the queue.
FAR_LATER = datetime.now(UTC) + timedelta(days=1)


async def processing_payment(
    adapters: Adapters, store: GatewayStore, world: World, *, account: int
) -> tuple[Member, str]:
    assert isinstance(adapters.payments, FakePaymentProcessor)
    member = await payer(store, world, account=account)
    answer = await pay(
        adapters,
        store,
        member,
        **pay_input(member, adapters.payments.tokenize_card(APPROVED_CARD), key=uuid.uuid4().hex),
    )
    return member, str(answer["payment"]["id"])


async def set_aside_by_the_handler(store: GatewayStore, payment_id: str, *, minutes: int) -> None:
    await payments_store.record_change(
        store,
        payment_id,
        status=PaymentStatus.NEEDS_ATTENTION,
        detail="the CIS refused the posting: account closed",
        now=FAR_LATER + timedelta(minutes=minutes),
    )


async def set_aside_by_the_outbox(store: GatewayStore, payment_id: str, *, minutes: int) -> None:
    """What the outbox does to an entry whose last attempt was cut short by a crash:
    the payment row itself still says PROCESSING."""
    async with store.sessions() as session, session.begin():
        await session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.idempotency_key == payments_store.outbox_key(payment_id))
            .values(state=OutboxState.NEEDS_ATTENTION.value, last_error="lease expired")
        )
        await session.execute(
            update(payments_store.PaymentRow)
            .where(payments_store.PaymentRow.id == payment_id)
            .values(updated_at=FAR_LATER + timedelta(minutes=minutes))
        )


async def test_both_kinds_of_set_aside_payment_are_queued_oldest_first_with_why(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    _, refused = await processing_payment(adapters, store, world, account=5)
    _, crashed = await processing_payment(adapters, store, world, account=6)
    _, fine = await processing_payment(adapters, store, world, account=7)
    await run_worker_step(adapters, store, fine)
    await set_aside_by_the_outbox(store, crashed, minutes=1)
    await set_aside_by_the_handler(store, refused, minutes=2)

    page = await payments_needing_attention(store, first=100, after=None)

    queued = [item for item in page.items if item.payment.id in {refused, crashed, fine}]
    assert [item.payment.id for item in queued] == [crashed, refused]
    assert [item.payment.status for item in queued] == [PaymentStatus.NEEDS_ATTENTION] * 2
    assert queued[0].reason == f"{OUTBOX_GAVE_UP}: lease expired"
    assert queued[1].reason == "the CIS refused the posting: account closed"
    assert [e.detail for e in queued[1].events] == [
        "accepted",
        "the CIS refused the posting: account closed",
    ]


async def test_the_queue_pages_on_from_a_cursor(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    ids = []
    for minutes in (10, 11, 12):
        _, payment_id = await processing_payment(adapters, store, world, account=8)
        await set_aside_by_the_handler(store, payment_id, minutes=minutes)
        ids.append(payment_id)
    everything = await payments_needing_attention(store, first=100, after=None)
    before = [item.payment.id for item in everything.items if item.payment.id not in ids]

    first = await payments_needing_attention(store, first=len(before) + 1, after=None)
    rest = await payments_needing_attention(store, first=100, after=first.items[-1].payment.id)

    assert first.has_next_page
    assert not rest.has_next_page
    assert [item.payment.id for item in first.items][-1] == ids[0]
    assert [item.payment.id for item in rest.items] == ids[1:]


async def test_staff_read_the_queue_and_each_account_listed_is_audited(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    member, payment_id = await processing_payment(adapters, store, world, account=9)
    await set_aside_by_the_handler(store, payment_id, minutes=20)
    staff = await person(store, Role.STAFF)
    request_id = uuid.uuid4().hex

    result = await run_as(adapters, store, staff, QUEUE, request_id, first=100, after=None)

    assert result.errors is None, result.errors
    nodes: list[dict[str, Any]] = [
        edge["node"] for edge in result.data["paymentsNeedingAttention"]["edges"]
    ]
    mine = [node for node in nodes if node["payment"]["id"] == payment_id]
    assert mine == [
        {
            "reason": "the CIS refused the posting: account closed",
            "payment": {
                "id": payment_id,
                "status": "NEEDS_ATTENTION",
                "accountNumber": member.account_numbers[0],
            },
            "events": [
                {"status": "PROCESSING", "detail": "accepted"},
                {
                    "status": "NEEDS_ATTENTION",
                    "detail": "the CIS refused the posting: account closed",
                },
            ],
        }
    ]
    audited_accounts = {account for account, _, _ in await audited(store, request_id)}
    assert audited_accounts == {node["payment"]["accountNumber"] for node in nodes}
    assert (member.account_numbers[0], "paymentsNeedingAttention", "staff") in await audited(
        store, request_id
    )


async def test_members_are_refused_and_a_bad_page_size_is_a_clear_error(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    member, _ = await processing_payment(adapters, store, world, account=10)
    staff = await person(store, Role.STAFF)

    refused = await run_as(adapters, store, member, QUEUE, uuid.uuid4().hex, first=10, after=None)
    too_many = await run_as(adapters, store, staff, QUEUE, uuid.uuid4().hex, first=101, after=None)

    assert codes(refused) == ["FORBIDDEN"]
    assert refused.data is None
    assert codes(too_many) == ["BAD_USER_INPUT"]
