"""The worker's half of a payment against the fakes: each run resumes from the row, so
a repeat after any failure charges and posts at most once."""

from __future__ import annotations

from dataclasses import dataclass, field
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
from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.port import PaymentsUnavailable
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.methods import MethodChoice
from gateway.payments.pay_bill import PaymentAccepted, pay_bill
from gateway.payments.processing import process_payment
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.world import World
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.support import DECLINED_CARD, access_of, bill_payment, by_card

store = store_on_each_backend()


@dataclass
class Forgotten:
    accounts: list[str] = field(default_factory=list)

    async def __call__(self, account_number: str) -> None:
        self.accounts.append(account_number)


@dataclass
class CisDownFor:
    """The fake CIS's payments, unreachable for the first `failures` postings."""

    cis: FakeCis
    failures: int

    async def post_payment(self, posting: PaymentPosting) -> PostingResult:
        if self.failures > 0:
            self.failures -= 1
            raise CisUnavailable("ProcessPaymentTransaction: no answer")
        return await self.cis.post_payment(posting)

    async def reverse_payment(self, reversal: Reversal) -> ReversalResult:
        return await self.cis.reverse_payment(reversal)

    async def request_payment_extension(self, account_number: str) -> PaymentExtensionOffer:
        return await self.cis.request_payment_extension(account_number)

    async def accept_payment_extension(self, offer: PaymentExtensionOffer) -> None:
        await self.cis.accept_payment_extension(offer)

    async def prepay_balance(self, account_number: str) -> PrepayBalance | NotPrepay:
        return await self.cis.prepay_balance(account_number)


@pytest.fixture
def cis(world: World) -> FakeCis:
    return fake_cis_from_world(world)


@pytest.fixture
def account_number(world: World) -> str:
    return world.accounts[0].account_number


@pytest.fixture
def processor() -> FakePaymentProcessor:
    return FakePaymentProcessor()


async def accepted(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    account_number: str,
    method: MethodChoice | None = None,
    amount: str = "40.00",
) -> StoredPayment:
    user_id = await add_user(store, account_numbers=(account_number,))
    outcome = await pay_bill(
        access=access_of(store, user_id),
        store=store,
        processor=processor,
        request=bill_payment(account_number, method or by_card(processor), amount=amount),
        request_id="r",
    )
    assert isinstance(outcome, PaymentAccepted)
    return outcome.payment


async def run(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    cis: FakeCis | CisDownFor,
    payment: StoredPayment,
    *,
    forget: Forgotten | None = None,
    last_attempt: bool = False,
) -> StoredPayment:
    await process_payment(
        store=store,
        processor=processor,
        cis=cis,
        forget_balance=forget or Forgotten(),
        payment_id=payment.id,
        last_attempt=last_attempt,
    )
    return await reread(store, payment.id)


async def reread(store: GatewayStore, payment_id: str) -> StoredPayment:
    payment = await payments_store.get_payment(store, payment_id)
    assert payment is not None
    return payment


async def statuses(store: GatewayStore, payment_id: str) -> list[PaymentStatus]:
    return [e.status for e in await payments_store.payment_events(store, payment_id)]


async def test_an_approved_payment_is_charged_posted_and_its_balance_forgotten(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    owed = (await cis.get_balance(account_number)).amount_due
    payment = await accepted(store, processor, account_number, amount="40.00")
    forget = Forgotten()

    done = await run(store, processor, cis, payment, forget=forget)

    assert done.status is PaymentStatus.POSTED
    charge = await processor.find_charge(payment.id)
    assert charge is not None
    assert (done.processor_payment_id, charge.amount) == (charge.id, Decimal("40.00"))
    posting = cis.payment_book.postings[payment.id]
    assert done.confirmation == posting.result.cis_transaction_id
    assert done.posted_at == posting.result.posted_at
    assert posting.posting.masked == "************4242"
    assert (await cis.get_balance(account_number)).amount_due == owed - Decimal("40.00")
    assert forget.accounts[-1] == account_number
    assert await statuses(store, payment.id) == [
        PaymentStatus.PROCESSING,
        PaymentStatus.PROCESSING,
        PaymentStatus.POSTED,
    ]


async def test_a_declined_card_ends_declined_and_nothing_reaches_the_cis(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    owed = (await cis.get_balance(account_number)).amount_due
    payment = await accepted(store, processor, account_number, by_card(processor, DECLINED_CARD))

    done = await run(store, processor, cis, payment)

    assert done.status is PaymentStatus.DECLINED
    assert done.decline_reason is not None
    assert "declined" in done.decline_reason.lower()
    assert payment.id not in cis.payment_book.postings
    assert (await cis.get_balance(account_number)).amount_due == owed


async def test_a_lost_charge_answer_is_found_by_reference_and_charged_once(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    owed = (await cis.get_balance(account_number)).amount_due
    payment = await accepted(store, processor, account_number, amount="25.00")
    processor.drop_next_answers = 1  # the charge is made, its answer lost

    done = await run(store, processor, cis, payment)

    assert processor.drop_next_answers == 0  # the answer was dropped
    assert done.status is PaymentStatus.POSTED
    charge = await processor.find_charge(payment.id)
    assert charge is not None
    assert done.processor_payment_id == charge.id
    assert (await cis.get_balance(account_number)).amount_due == owed - Decimal("25.00")


async def test_a_processor_that_is_down_is_retried_later(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    payment = await accepted(store, processor, account_number)
    processor.down = True

    with pytest.raises(PaymentsUnavailable):
        await run(store, processor, cis, payment)
    assert (await reread(store, payment.id)).status is PaymentStatus.PROCESSING

    processor.down = False
    assert (await run(store, processor, cis, payment)).status is PaymentStatus.POSTED


async def test_a_cis_that_is_down_is_retried_without_charging_again(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    owed = (await cis.get_balance(account_number)).amount_due
    payment = await accepted(store, processor, account_number, amount="30.00")
    flaky = CisDownFor(cis, failures=1)

    with pytest.raises(CisUnavailable):
        await run(store, processor, flaky, payment)
    charged = await reread(store, payment.id)
    assert charged.status is PaymentStatus.PROCESSING
    assert charged.processor_payment_id is not None

    done = await run(store, processor, flaky, payment)

    assert done.status is PaymentStatus.POSTED
    assert done.processor_payment_id == charged.processor_payment_id
    assert (await cis.get_balance(account_number)).amount_due == owed - Decimal("30.00")


async def test_a_charge_made_by_a_run_that_died_is_not_made_again(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    # A run charged the card and died before writing the charge id down.
    payment = await accepted(store, processor, account_number, amount="12.34")
    earlier = await processor.charge(
        amount=payment.total,
        source=payment.processor_method_id,
        idempotency_key=payment.id,
        reference=payment.id,
    )

    done = await run(store, processor, cis, payment)

    assert done.status is PaymentStatus.POSTED
    assert done.processor_payment_id == earlier.id


async def test_a_posting_whose_answer_was_lost_is_not_posted_twice(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    owed = (await cis.get_balance(account_number)).amount_due
    payment = await accepted(store, processor, account_number, amount="20.00")
    await run(store, processor, CisDownFor(cis, failures=0), payment)
    # As if that run had died after the CIS booked it: the row goes back to "charged".
    posted = await reread(store, payment.id)
    await payments_store.record_change(
        store, payment.id, status=PaymentStatus.PROCESSING, detail="test", now=posted.updated_at
    )

    done = await run(store, processor, cis, payment)

    assert done.status is PaymentStatus.POSTED
    assert done.confirmation == posted.confirmation
    assert (await cis.get_balance(account_number)).amount_due == owed - Decimal("20.00")


async def test_a_repeat_after_posted_changes_nothing(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    payment = await accepted(store, processor, account_number)
    done = await run(store, processor, cis, payment)
    calls, events = len(cis.calls), await statuses(store, payment.id)

    again = await run(store, processor, cis, payment)

    assert again == done
    assert len(cis.calls) == calls
    assert await statuses(store, payment.id) == events


async def test_the_last_failed_attempt_sets_the_payment_aside(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    payment = await accepted(store, processor, account_number)

    with pytest.raises(CisUnavailable):
        await run(store, processor, CisDownFor(cis, failures=1), payment, last_attempt=True)

    set_aside = await reread(store, payment.id)
    assert set_aside.status is PaymentStatus.NEEDS_ATTENTION
    events = await payments_store.payment_events(store, payment.id)
    assert "CisUnavailable" in events[-1].detail


async def test_a_posting_the_cis_refuses_is_set_aside_at_once(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, account_number: str
) -> None:
    payment = await accepted(store, processor, account_number)
    del cis.balances[account_number]  # the CIS no longer knows the account

    done = await run(store, processor, cis, payment)

    assert done.status is PaymentStatus.NEEDS_ATTENTION
    assert done.processor_payment_id is not None  # charged: a person books or refunds it


async def test_an_unknown_payment_is_raised_for_the_outbox_to_keep(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis
) -> None:
    with pytest.raises(LookupError):
        await process_payment(
            store=store,
            processor=processor,
            cis=cis,
            forget_balance=Forgotten(),
            payment_id="pay_missing",
            last_attempt=False,
        )
