"""An admin refunds a posted payment, on SQLite and PostgreSQL against the fakes: the
request queues it once with the reason; the worker refunds it at the processor once
and reverses it in the CIS; staff and members may not; what cannot be refunded says why."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from adapters.cis.fake import FakeCis
from adapters.payments import sandbox
from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.port import PaymentsUnavailable
from gateway.core.outbox.table import OutboxEntry
from gateway.core.outcomes import FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.roles import Forbidden
from gateway.identity.tables import Role
from gateway.payments import store as payments_store
from gateway.payments.methods import MethodChoice
from gateway.payments.processor_events import handle_event
from gateway.payments.refund import (
    RefundQueued,
    RefundRefused,
    refund_outbox_key,
    refund_payment,
    request_refund,
)
from gateway.payments.reversal import reversal_id
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.world import World
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.support import access_of
from tests.gateway.payments.test_processing import Forgotten, accepted, reread, run
from tests.gateway.payments.test_processor_events import deliver

store = store_on_each_backend()


@pytest.fixture
def cis(world: World) -> FakeCis:
    return fake_cis_from_world(world)


@pytest.fixture
def processor() -> FakePaymentProcessor:
    return FakePaymentProcessor()


async def someone(store: GatewayStore, role: Role) -> int:
    return await add_user(store, role=role)


async def ask(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    payment: StoredPayment,
    *,
    role: Role = Role.ADMIN,
    reason: str = "billed twice by mistake",
) -> RefundQueued | RefundRefused | FieldProblem:
    return await request_refund(
        access=access_of(store, await someone(store, role)),
        store=store,
        processor=processor,
        payment_id=payment.id,
        reason=reason,
    )


async def carry_out(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, payment: StoredPayment
) -> StoredPayment:
    await refund_payment(
        store=store,
        processor=processor,
        cis=cis,
        forget_balance=Forgotten(),
        payment_id=payment.id,
    )
    return await reread(store, payment.id)


async def refund_entries(store: GatewayStore, payment_id: str) -> int:
    async with store.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.idempotency_key == refund_outbox_key(payment_id))
        )
        return int(count or 0)


async def test_an_admin_refund_is_queued_once_then_refunded_and_reversed_once(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    number = world.accounts[0].account_number
    owed = (await cis.get_balance(number)).amount_due
    payment = await run(store, processor, cis, await accepted(store, processor, number))
    assert payment.processor_payment_id is not None

    first = await ask(store, processor, payment)
    again = await ask(store, processor, payment, reason="asked again")

    assert isinstance(first, RefundQueued)
    assert not first.already_requested
    assert isinstance(again, RefundQueued)
    assert again.already_requested
    assert await refund_entries(store, payment.id) == 1
    events = await payments_store.payment_events(store, payment.id)
    [requested] = [e.detail for e in events if e.detail.startswith("refund requested by")]
    assert requested.endswith("@example.com: billed twice by mistake")

    done = await carry_out(store, processor, cis, payment)
    # The outbox runs it again (a lost lease): nothing is refunded or reversed twice.
    assert (await carry_out(store, processor, cis, payment)).status is PaymentStatus.REFUNDED

    assert done.status is PaymentStatus.REFUNDED
    charge = await processor.get_charge(payment.processor_payment_id)
    assert charge.amount_refunded == payment.total
    assert cis.payment_book.reversals[reversal_id(payment.id)].original_transaction_id == (
        payment.id
    )
    assert (await cis.get_balance(number)).amount_due == owed

    # The processor's webhook about the refund finds it refunded: nothing more.
    [refunded] = processor.webhooks
    await handle_event(
        store=store,
        processor=processor,
        cis=cis,
        forget_balance=Forgotten(),
        event_id=await deliver(store, refunded),
    )
    statuses = [e.status for e in await payments_store.payment_events(store, payment.id)]
    assert statuses.count(PaymentStatus.REFUNDED) == 1


@pytest.mark.parametrize("role", [Role.STAFF, Role.MEMBER])
async def test_staff_and_members_may_not_refund(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    cis: FakeCis,
    world: World,
    role: Role,
) -> None:
    payment = await run(
        store, processor, cis, await accepted(store, processor, world.accounts[0].account_number)
    )

    with pytest.raises(Forbidden):
        await ask(store, processor, payment, role=role)

    assert await refund_entries(store, payment.id) == 0


async def test_only_a_posted_payment_can_be_refunded(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    payment = await accepted(store, processor, world.accounts[0].account_number)

    answer = await ask(store, processor, payment)

    assert isinstance(answer, RefundRefused)
    assert "processing" in answer.reason
    assert await refund_entries(store, payment.id) == 0


async def test_an_echeck_is_refunded_only_once_it_settled(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    number = world.accounts[0].account_number
    bank = MethodChoice(token=processor.tokenize_bank_account(sandbox.SETTLING_ACCOUNT))
    payment = await run(store, processor, cis, await accepted(store, processor, number, bank))
    assert payment.status is PaymentStatus.POSTED

    pending = await ask(store, processor, payment)
    assert isinstance(pending, RefundRefused)
    assert "cleared" in pending.reason

    await processor.advance(processor.settle_after)
    assert isinstance(await ask(store, processor, payment), RefundQueued)
    done = await carry_out(store, processor, cis, payment)
    assert done.status is PaymentStatus.REFUNDED
    assert payment.processor_payment_id is not None
    debit = await processor.get_debit(payment.processor_payment_id)
    assert debit.amount_refunded == payment.total


@pytest.mark.parametrize(
    ("payment_id", "reason", "field"),
    [("pay_nosuchpayment", "duplicate", "paymentId"), (None, "   ", "reason")],
)
async def test_an_unknown_payment_or_a_missing_reason_is_a_field_problem(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    cis: FakeCis,
    world: World,
    payment_id: str | None,
    reason: str,
    field: str,
) -> None:
    payment = await run(
        store, processor, cis, await accepted(store, processor, world.accounts[0].account_number)
    )

    answer = await request_refund(
        access=access_of(store, await someone(store, Role.ADMIN)),
        store=store,
        processor=processor,
        payment_id=payment_id or payment.id,
        reason=reason,
    )

    assert isinstance(answer, FieldProblem)
    assert answer.field == field
    assert await refund_entries(store, payment.id) == 0


async def test_a_refund_the_processor_cannot_take_is_set_aside_on_the_last_run(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    payment = await run(
        store, processor, cis, await accepted(store, processor, world.accounts[0].account_number)
    )
    assert isinstance(await ask(store, processor, payment), RefundQueued)
    processor.down = True

    for last_attempt in (False, True):
        with pytest.raises(PaymentsUnavailable):
            await refund_payment(
                store=store,
                processor=processor,
                cis=cis,
                forget_balance=Forgotten(),
                payment_id=payment.id,
                last_attempt=last_attempt,
            )
        expected = PaymentStatus.NEEDS_ATTENTION if last_attempt else PaymentStatus.POSTED
        assert (await reread(store, payment.id)).status is expected
    assert reversal_id(payment.id) not in cis.payment_book.reversals
