"""The worker acting on processor events, against the fakes: an e-check posted when it
is made, settled, then returned by the bank (a reversal in the CIS, RETURNED); a card
refunded at the processor (REFUNDED); repeats and strangers change nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from adapters.cis.fake import FakeCis
from adapters.cis.payments import (
    NotPrepay,
    PaymentExtensionOffer,
    PaymentPosting,
    PostingResult,
    PrepayBalance,
    Reversal,
    ReversalResult,
)
from adapters.cis.port import CisUnavailable
from adapters.payments import sandbox
from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.port import DeclineCode
from adapters.payments.webhook import SignedWebhook, parse_event
from gateway.core.clock import utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.methods import MethodChoice
from gateway.payments.processor_events import handle_event
from gateway.payments.reversal import PaymentNotYetPosted, reversal_id
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment
from gateway.payments.webhook_intake import accept_event
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.payments.test_processing import Forgotten, accepted, reread, run

store = store_on_each_backend()


@pytest.fixture
def cis(world: World) -> FakeCis:
    return fake_cis_from_world(world)


@pytest.fixture
def processor() -> FakePaymentProcessor:
    return FakePaymentProcessor()


def by_bank(processor: FakePaymentProcessor, account: str) -> MethodChoice:
    return MethodChoice(token=processor.tokenize_bank_account(account))


async def deliver(store: GatewayStore, webhook: SignedWebhook) -> str:
    """What the route does with a genuine webhook: keep it. Its event id.

    Each test's fake processor numbers its events from 1, and the tests share a store:
    the ids are made unique here, or a later test's event would pass for a replay.
    """
    event = parse_event(webhook.body)
    event = replace(event, id=f"{event.id}_{uuid.uuid4().hex[:12]}")
    await accept_event(store=store, event=event, now=utc_now())
    return event.id


async def act(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    cis: FakeCis,
    event_id: str,
    forget: Forgotten | None = None,
) -> None:
    await handle_event(
        store=store,
        processor=processor,
        cis=cis,
        forget_balance=forget or Forgotten(),
        event_id=event_id,
    )


async def last_detail(store: GatewayStore, payment: StoredPayment) -> str:
    return (await payments_store.payment_events(store, payment.id))[-1].detail


def event_types(processor: FakePaymentProcessor) -> list[str]:
    return [parse_event(webhook.body).type for webhook in processor.webhooks]


async def test_an_echeck_is_posted_when_made_and_reversed_when_the_bank_returns_it(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    number = world.accounts[0].account_number
    owed = (await cis.get_balance(number)).amount_due
    payment = await accepted(
        store, processor, number, by_bank(processor, sandbox.RETURNED_R01_ACCOUNT), "61.30"
    )

    posted = await run(store, processor, cis, payment)
    # Posted at once: the member's balance shows the payment while the debit clears.
    assert posted.status is PaymentStatus.POSTED
    assert cis.payment_book.postings[payment.id].posting.payment_mode.value == "echeck"
    assert (await cis.get_balance(number)).amount_due == owed - Decimal("61.30")

    await processor.advance(processor.settle_after)
    [settled] = processor.webhooks
    await act(store, processor, cis, await deliver(store, settled))
    assert (await reread(store, payment.id)).status is PaymentStatus.POSTED
    assert (await last_detail(store, payment)).startswith("settled at the bank")

    await processor.advance(processor.return_after)
    assert event_types(processor) == ["debit.settled", "debit.returned"]
    forget = Forgotten()
    returned_id = await deliver(store, processor.webhooks[-1])
    await act(store, processor, cis, returned_id, forget)

    returned = await reread(store, payment.id)
    assert returned.status is PaymentStatus.RETURNED
    bank_return = sandbox.bank_return(sandbox.RETURNED_R01_ACCOUNT)
    assert bank_return is not None
    assert returned.decline_reason == bank_return.member_message
    reversal = cis.payment_book.reversals[reversal_id(payment.id)]
    assert reversal.original_transaction_id == payment.id
    assert (await cis.get_balance(number)).amount_due == owed
    assert forget.accounts == [number, number]
    assert "R01" in await last_detail(store, payment)

    # The same event acted on again (the outbox ran it twice): nothing more happens.
    await act(store, processor, cis, returned_id)
    assert (await cis.get_balance(number)).amount_due == owed
    assert [e.status for e in await payments_store.payment_events(store, payment.id)].count(
        PaymentStatus.RETURNED
    ) == 1


async def test_an_account_the_bank_cannot_confirm_is_declined_with_the_reason(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    number = world.accounts[0].account_number
    owed = (await cis.get_balance(number)).amount_due
    payment = await accepted(store, processor, number, by_bank(processor, sandbox.INVALID_ACCOUNT))

    done = await run(store, processor, cis, payment)

    assert done.status is PaymentStatus.DECLINED
    assert done.decline_reason == sandbox.DECLINE_MESSAGES[DeclineCode.ACCOUNT_INVALID]
    assert payment.id not in cis.payment_book.postings
    assert (await cis.get_balance(number)).amount_due == owed


async def test_a_card_refunded_at_the_processor_is_reversed_and_refunded(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    number = world.accounts[0].account_number
    owed = (await cis.get_balance(number)).amount_due
    payment = await run(store, processor, cis, await accepted(store, processor, number))
    assert payment.processor_payment_id is not None

    await processor.refund(
        payment_id=payment.processor_payment_id,
        amount=payment.total,
        idempotency_key="counter-refund",
        reference=payment.id,
    )
    [refunded_webhook] = processor.webhooks
    await act(store, processor, cis, await deliver(store, refunded_webhook))

    done = await reread(store, payment.id)
    assert done.status is PaymentStatus.REFUNDED
    assert cis.payment_book.reversals[reversal_id(payment.id)].original_transaction_id == (
        payment.id
    )
    assert (await cis.get_balance(number)).amount_due == owed


async def test_a_part_refund_at_the_processor_is_set_aside_and_nothing_reversed(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    number = world.accounts[0].account_number
    payment = await run(store, processor, cis, await accepted(store, processor, number))
    assert payment.processor_payment_id is not None
    owed = (await cis.get_balance(number)).amount_due

    await processor.refund(
        payment_id=payment.processor_payment_id,
        amount=Decimal("1.00"),
        idempotency_key="part-refund",
        reference=payment.id,
    )
    await act(store, processor, cis, await deliver(store, processor.webhooks[-1]))

    assert (await reread(store, payment.id)).status is PaymentStatus.NEEDS_ATTENTION
    assert reversal_id(payment.id) not in cis.payment_book.reversals
    assert (await cis.get_balance(number)).amount_due == owed


async def test_a_return_of_a_payment_not_yet_posted_waits_for_the_posting(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    number = world.accounts[0].account_number
    payment = await accepted(
        store, processor, number, by_bank(processor, sandbox.RETURNED_R02_ACCOUNT)
    )
    # The debit is made and its answer lost before the posting: still PROCESSING.
    await processor.debit(
        amount=payment.total,
        source=payment.processor_method_id,
        idempotency_key=payment.id,
        reference=payment.id,
    )
    await processor.advance(processor.settle_after)
    await processor.advance(processor.return_after)
    assert event_types(processor) == ["debit.settled", "debit.returned"]
    returned_id = await deliver(store, processor.webhooks[-1])

    with pytest.raises(PaymentNotYetPosted):
        await act(store, processor, cis, returned_id)
    assert (await reread(store, payment.id)).status is PaymentStatus.PROCESSING

    # The outbox runs the posting, then the event again.
    assert (await run(store, processor, cis, payment)).status is PaymentStatus.POSTED
    await act(store, processor, cis, returned_id)
    done = await reread(store, payment.id)
    assert done.status is PaymentStatus.RETURNED
    assert "R02" in await last_detail(store, payment)


async def test_unknown_types_and_other_systems_payments_are_kept_and_ignored(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    number = world.accounts[0].account_number
    payment = await run(store, processor, cis, await accepted(store, processor, number))
    events_before = await payments_store.payment_events(store, payment.id)
    stranger = await processor.charge(
        amount=Decimal("5.00"),
        source=processor.tokenize_card("4242 4242 4242 4242"),
        idempotency_key="counter",
        reference="counter-sale-17",
    )
    await processor.refund(
        payment_id=stranger.id,
        amount=Decimal("5.00"),
        idempotency_key="counter-refund-17",
        reference="counter-sale-17",
    )
    await act(store, processor, cis, await deliver(store, processor.webhooks[-1]))

    body = processor.webhooks[-1].body.replace(b"charge.refunded", b"charge.disputed")
    body = body.replace(b"counter-sale-17", payment.id.encode())
    body = body.replace(b'"id": "evt_', b'"id": "evt_other')
    await act(store, processor, cis, await deliver(store, SignedWebhook("", body)))

    assert await payments_store.payment_events(store, payment.id) == events_before
    assert cis.payment_book.reversals == {}


@dataclass
class CisRefusingReversals:
    """The fake CIS's payments, unreachable for reversals."""

    cis: FakeCis

    async def post_payment(self, posting: PaymentPosting) -> PostingResult:
        return await self.cis.post_payment(posting)

    async def reverse_payment(self, reversal: Reversal) -> ReversalResult:
        raise CisUnavailable("ProcessPaymentTransaction: no answer")

    async def request_payment_extension(self, account_number: str) -> PaymentExtensionOffer:
        return await self.cis.request_payment_extension(account_number)

    async def accept_payment_extension(self, offer: PaymentExtensionOffer) -> None:
        await self.cis.accept_payment_extension(offer)

    async def prepay_balance(self, account_number: str) -> PrepayBalance | NotPrepay:
        return await self.cis.prepay_balance(account_number)


async def test_a_return_the_cis_cannot_take_is_retried_then_set_aside_on_the_last_run(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    number = world.accounts[0].account_number
    payment = await accepted(
        store, processor, number, by_bank(processor, sandbox.RETURNED_R02_ACCOUNT)
    )
    await run(store, processor, cis, payment)
    await processor.advance(processor.settle_after)
    await processor.advance(processor.return_after)
    returned_id = await deliver(store, processor.webhooks[-1])
    down = CisRefusingReversals(cis)

    for last_attempt in (False, True):
        with pytest.raises(CisUnavailable):
            await handle_event(
                store=store,
                processor=processor,
                cis=down,
                forget_balance=Forgotten(),
                event_id=returned_id,
                last_attempt=last_attempt,
            )
        expected = PaymentStatus.NEEDS_ATTENTION if last_attempt else PaymentStatus.POSTED
        assert (await reread(store, payment.id)).status is expected

    assert reversal_id(payment.id) not in cis.payment_book.reversals
    assert "gave up on debit.returned" in await last_detail(store, payment)
