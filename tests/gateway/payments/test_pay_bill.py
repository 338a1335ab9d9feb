"""Paying a bill: validated, once per idempotency key, written with its outbox entry."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.port import MethodKind
from gateway.core.outbox.table import OutboxEntry, OutboxState
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.methods import MethodChoice
from gateway.payments.pay_bill import (
    DUPLICATE_WINDOW,
    AutopayDraftPending,
    DuplicateSuspected,
    PaymentAccepted,
    PaymentWasDeclined,
    pay_bill,
)
from gateway.payments.status import PaymentStatus
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.support import (
    access_of,
    bill_payment,
    by_card,
    payments_of,
    queued_for,
    saved_card,
)

store = store_on_each_backend()
ACCOUNT = "2000100"


@pytest.fixture
def processor() -> FakePaymentProcessor:
    return FakePaymentProcessor()


async def test_a_payment_is_written_processing_with_its_outbox_entry(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store, account_numbers=(ACCOUNT,))
    outcome = await pay_bill(
        access=access_of(store, user_id),
        store=store,
        processor=processor,
        request=bill_payment(ACCOUNT, by_card(processor), amount="84.50"),
        request_id="r-1",
    )

    assert isinstance(outcome, PaymentAccepted)
    payment = outcome.payment
    assert payment.status is PaymentStatus.PROCESSING
    assert (payment.account_number, payment.amount, payment.fee) == (
        ACCOUNT,
        Decimal("84.50"),
        Decimal("0.00"),
    )
    assert payment.method_kind is MethodKind.CARD
    assert payment.method_label == "Visa ending 4242"
    assert payment.processor_method_id.startswith("pm_")
    assert await payments_store.get_payment(store, payment.id) == payment
    assert await queued_for(store, {payment.id}) == 1
    events = await payments_store.payment_events(store, payment.id)
    assert [(e.status, e.detail) for e in events] == [(PaymentStatus.PROCESSING, "accepted")]


async def test_the_same_key_again_answers_the_first_payment(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store, account_numbers=(ACCOUNT,))
    access = access_of(store, user_id)
    first = await pay_bill(
        access=access,
        store=store,
        processor=processor,
        request=bill_payment(ACCOUNT, by_card(processor), key="double-click"),
        request_id="r-1",
    )
    # The retry carries a fresh token (a new card entry): still the same payment.
    again = await pay_bill(
        access=access,
        store=store,
        processor=processor,
        request=bill_payment(ACCOUNT, by_card(processor), key="double-click"),
        request_id="r-2",
    )

    assert isinstance(first, PaymentAccepted)
    assert isinstance(again, PaymentAccepted)
    assert again.payment.id == first.payment.id
    assert await payments_of(store, user_id) == 1
    assert await queued_for(store, {first.payment.id}) == 1


async def test_twenty_identical_requests_at_once_make_one_payment_and_one_entry(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    # An account of its own: the first request's payment must not look like a duplicate
    # to the others, which are its repeats.
    account = "2000305"
    user_id = await add_user(store, account_numbers=(account,))
    method = await saved_card(processor, user_id)
    request = bill_payment(account, method, key="storm", confirm_duplicate=False)

    outcomes = await asyncio.gather(
        *(
            pay_bill(
                access=access_of(store, user_id),
                store=store,
                processor=processor,
                request=request,
                request_id=f"r-{n}",
            )
            for n in range(20)
        )
    )

    assert all(isinstance(o, PaymentAccepted) for o in outcomes)
    ids = {o.payment.id for o in outcomes if isinstance(o, PaymentAccepted)}
    assert len(ids) == 1
    assert await payments_of(store, user_id) == 1
    assert await queued_for(store, ids) == 1


async def test_the_same_key_for_another_amount_is_refused(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store, account_numbers=(ACCOUNT,))
    access = access_of(store, user_id)
    method = await saved_card(processor, user_id)
    await pay_bill(
        access=access,
        store=store,
        processor=processor,
        request=bill_payment(ACCOUNT, method, amount="10.00", key="k"),
        request_id="r-1",
    )
    outcome = await pay_bill(
        access=access,
        store=store,
        processor=processor,
        request=bill_payment(ACCOUNT, method, amount="20.00", key="k"),
        request_id="r-2",
    )

    assert isinstance(outcome, FieldProblem)
    assert outcome.field == "idempotencyKey"
    assert await payments_of(store, user_id) == 1


async def test_the_same_key_from_another_login_is_another_payment(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    one = await add_user(store, account_numbers=(ACCOUNT,))
    other = await add_user(store, account_numbers=(ACCOUNT,))
    answers = [
        await pay_bill(
            access=access_of(store, user_id),
            store=store,
            processor=processor,
            request=bill_payment(ACCOUNT, by_card(processor), key="shared-key"),
            request_id="r",
        )
        for user_id in (one, other)
    ]

    ids = {a.payment.id for a in answers if isinstance(a, PaymentAccepted)}
    assert len(ids) == 2


async def test_a_repeat_of_a_declined_payment_answers_declined(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store, account_numbers=(ACCOUNT,))
    access = access_of(store, user_id)
    request = bill_payment(ACCOUNT, await saved_card(processor, user_id), key="declined")
    first = await pay_bill(
        access=access, store=store, processor=processor, request=request, request_id="r-1"
    )
    assert isinstance(first, PaymentAccepted)
    await payments_store.record_change(
        store,
        first.payment.id,
        status=PaymentStatus.DECLINED,
        detail="declined by the processor: card_declined",
        now=first.payment.created_at,
        decline_reason="Your card was declined.",
    )

    again = await pay_bill(
        access=access, store=store, processor=processor, request=request, request_id="r-2"
    )

    assert isinstance(again, PaymentWasDeclined)
    assert again.payment.decline_reason == "Your card was declined."


async def test_an_account_not_linked_to_the_member_is_hidden(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store, account_numbers=(ACCOUNT,))
    outcome = await pay_bill(
        access=access_of(store, user_id),
        store=store,
        processor=processor,
        request=bill_payment("2000113", by_card(processor)),
        request_id="r",
    )

    assert outcome == AccountHidden()
    assert await payments_of(store, user_id) == 0


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.005", "100000.01"])
async def test_an_amount_that_is_not_a_payment_is_refused(
    store: GatewayStore, processor: FakePaymentProcessor, amount: str
) -> None:
    user_id = await add_user(store, account_numbers=(ACCOUNT,))
    outcome = await pay_bill(
        access=access_of(store, user_id),
        store=store,
        processor=processor,
        request=bill_payment(ACCOUNT, by_card(processor), amount=amount),
        request_id="r",
    )

    assert isinstance(outcome, FieldProblem)
    assert outcome.field == "amount"
    assert await payments_of(store, user_id) == 0


async def test_someone_elses_saved_method_is_not_found(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    owner = await add_user(store, account_numbers=(ACCOUNT,))
    other = await add_user(store, account_numbers=(ACCOUNT,))
    outcome = await pay_bill(
        access=access_of(store, other),
        store=store,
        processor=processor,
        request=bill_payment(ACCOUNT, await saved_card(processor, owner)),
        request_id="r",
    )

    assert outcome == FieldProblem("method.savedMethodId", "No such saved payment method.")
    assert await payments_of(store, other) == 0


@pytest.mark.parametrize(
    ("method", "field"),
    [
        (MethodChoice(), "method"),
        (MethodChoice(token="tok_a", saved_method_id="pm_b"), "method"),
        (MethodChoice(token="4242424242424242"), "method.token"),
        (MethodChoice(saved_method_id="tok_abc"), "method.savedMethodId"),
        (MethodChoice(token="tok_never_issued"), "method.token"),
    ],
)
async def test_a_method_that_is_not_one_token_or_saved_method_is_refused(
    store: GatewayStore, processor: FakePaymentProcessor, method: MethodChoice, field: str
) -> None:
    user_id = await add_user(store, account_numbers=(ACCOUNT,))
    outcome = await pay_bill(
        access=access_of(store, user_id),
        store=store,
        processor=processor,
        request=bill_payment(ACCOUNT, method),
        request_id="r",
    )

    assert isinstance(outcome, FieldProblem)
    assert outcome.field == field
    assert await payments_of(store, user_id) == 0


async def test_a_second_payment_soon_after_another_waits_for_the_members_confirmation(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = "2000301"
    first_payer = await add_user(store, account_numbers=(account,))
    second_payer = await add_user(store, account_numbers=(account,))
    earlier = await pay_bill(
        access=access_of(store, first_payer),
        store=store,
        processor=processor,
        request=bill_payment(account, by_card(processor), confirm_duplicate=False),
        request_id="r-1",
    )
    assert isinstance(earlier, PaymentAccepted)
    method = by_card(processor)
    access = access_of(store, second_payer)

    warned = await pay_bill(
        access=access,
        store=store,
        processor=processor,
        request=bill_payment(account, method, key="second", confirm_duplicate=False),
        request_id="r-2",
    )
    assert warned == DuplicateSuspected(earlier.payment)
    assert await payments_of(store, second_payer) == 0

    # Confirmed with the same token: it was not spent by the warning.
    confirmed = await pay_bill(
        access=access,
        store=store,
        processor=processor,
        request=bill_payment(account, method, key="second", confirm_duplicate=True),
        request_id="r-3",
    )
    assert isinstance(confirmed, PaymentAccepted)
    assert confirmed.payment.id != earlier.payment.id


async def test_a_repeated_key_answers_its_payment_rather_than_a_warning(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = "2000302"
    user_id = await add_user(store, account_numbers=(account,))
    access = access_of(store, user_id)
    request = bill_payment(account, by_card(processor), confirm_duplicate=False)
    first = await pay_bill(
        access=access, store=store, processor=processor, request=request, request_id="r-1"
    )
    again = await pay_bill(
        access=access, store=store, processor=processor, request=request, request_id="r-2"
    )

    assert isinstance(first, PaymentAccepted)
    assert again == first


async def test_declined_and_older_payments_raise_no_warning(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = "2000303"
    user_id = await add_user(store, account_numbers=(account,))
    access = access_of(store, user_id)
    now = datetime.now(UTC)
    old = await pay_bill(
        access=access,
        store=store,
        processor=processor,
        request=bill_payment(account, by_card(processor), key="old", confirm_duplicate=False),
        request_id="r-1",
        clock=lambda: now - DUPLICATE_WINDOW - timedelta(minutes=1),
    )
    declined = await pay_bill(
        access=access,
        store=store,
        processor=processor,
        request=bill_payment(account, by_card(processor), key="declined", confirm_duplicate=False),
        request_id="r-2",
        clock=lambda: now,
    )
    assert isinstance(old, PaymentAccepted)
    assert isinstance(declined, PaymentAccepted)
    await payments_store.record_change(
        store,
        declined.payment.id,
        status=PaymentStatus.DECLINED,
        detail="declined by the processor: card_declined",
        now=now,
    )

    third = await pay_bill(
        access=access,
        store=store,
        processor=processor,
        request=bill_payment(account, by_card(processor), key="third", confirm_duplicate=False),
        request_id="r-3",
        clock=lambda: now,
    )

    assert isinstance(third, PaymentAccepted)


async def test_a_payment_whose_entry_the_outbox_set_aside_reads_as_needing_attention(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    # A worker that died in the entry's last attempt: the outbox sets the entry aside
    # without the handler, which could not mark the payment.
    account = "2000306"
    user_id = await add_user(store, account_numbers=(account,))
    accepted = await pay_bill(
        access=access_of(store, user_id),
        store=store,
        processor=processor,
        request=bill_payment(account, by_card(processor)),
        request_id="r",
    )
    assert isinstance(accepted, PaymentAccepted)
    async with store.sessions() as session, session.begin():
        await session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.idempotency_key == payments_store.outbox_key(accepted.payment.id))
            .values(state=OutboxState.NEEDS_ATTENTION.value)
        )

    read = await payments_store.get_payment(store, accepted.payment.id)
    page = await payments_store.account_payments(store, account_number=account, first=5, after=None)

    assert read is not None
    assert read.status is PaymentStatus.NEEDS_ATTENTION
    assert [p.status for p in page.payments] == [PaymentStatus.NEEDS_ATTENTION]


async def test_a_pending_autopay_draft_is_confirmed_before_anything_is_charged(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = "2000999"
    user_id = await add_user(store, account_numbers=(account,))
    access = access_of(store, user_id)
    asked: list[str] = []

    async def pending_draft(account_number: str) -> tuple[date, Decimal] | None:
        asked.append(account_number)
        return date(2026, 12, 15), Decimal("84.50")

    async def pay(confirm: bool) -> object:
        return await pay_bill(
            access=access,
            store=store,
            processor=processor,
            request=bill_payment(
                account, by_card(processor), key=f"k-{confirm}", confirm_duplicate=confirm
            ),
            request_id="r-1",
            pending_draft=pending_draft,
        )

    warned = await pay(False)

    assert warned == AutopayDraftPending(date(2026, 12, 15), Decimal("84.50"))
    assert asked == [account]
    assert await payments_of(store, user_id) == 0

    assert isinstance(await pay(True), PaymentAccepted)
    assert asked == [account]  # confirmed: not asked again
    assert await payments_of(store, user_id) == 1


async def test_a_key_of_autopays_is_refused(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store, account_numbers=(ACCOUNT,))

    outcome = await pay_bill(
        access=access_of(store, user_id),
        store=store,
        processor=processor,
        request=bill_payment(ACCOUNT, by_card(processor), key="autopay:1:2026-12-15"),
        request_id="r-1",
    )

    assert isinstance(outcome, FieldProblem)
    assert outcome.field == "idempotencyKey"
    assert await payments_of(store, user_id) == 0
