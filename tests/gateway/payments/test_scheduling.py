"""Payments set for a later day: written SCHEDULED, due at the start of their day, and
cancelled by their payer only while they wait; a cancel racing the worker ends one way."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from adapters.cis.fake import FakeCis
from adapters.payments.fake import FakePaymentProcessor
from gateway.core.outbox.table import OutboxEntry
from gateway.core.outcomes import FieldProblem
from gateway.core.payment_rules import PaymentRules
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.pay_bill import PaymentAccepted, pay_bill
from gateway.payments.processing import process_payment
from gateway.payments.scheduling import (
    Cancelled,
    NoSuchPayment,
    NotCancellable,
    cancel_scheduled_payment,
    falls_due_at,
    schedule_problem,
)
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.world import World
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.support import access_of, bill_payment, by_card

store = store_on_each_backend()
DENVER = ZoneInfo("America/Denver")
# 11:00 in Denver on December 3rd.
NOW = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
TODAY = date(2026, 12, 3)
TOMORROW = date(2026, 12, 4)
RULES = PaymentRules(schedule_days_ahead=30)
RACES = 12
# The events of the member's cancel and of the worker's claim.
TAKEN_OFF_SCHEDULED = frozenset({"cancelled by the member", "scheduled date reached"})


@pytest.fixture
def processor() -> FakePaymentProcessor:
    return FakePaymentProcessor()


@pytest.fixture
def cis(world: World) -> FakeCis:
    return fake_cis_from_world(world)


def test_a_day_falls_due_when_it_starts_in_the_co_ops_time_zone() -> None:
    assert falls_due_at(TOMORROW, DENVER) == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    assert falls_due_at(date(2026, 7, 4), DENVER) == datetime(2026, 7, 4, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (None, None),
        (TODAY, None),
        (TOMORROW, None),
        (date(2027, 1, 2), None),  # the 30th day ahead
        (date(2027, 1, 3), "no later than 2027-01-02"),
        (date(2026, 12, 2), "today or a later day"),
    ],
)
def test_the_scheduling_window(day: date | None, problem: str | None) -> None:
    found = schedule_problem(day, today=TODAY, rules=RULES)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found.message


async def schedule(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    account_number: str,
    *,
    day: date | None = TOMORROW,
    key: str = "s-1",
    user_id: int | None = None,
) -> StoredPayment:
    payer = user_id or await add_user(store, account_numbers=(account_number,))
    outcome = await pay_bill(
        access=access_of(store, payer),
        store=store,
        processor=processor,
        request=replace(
            bill_payment(account_number, by_card(processor), amount="42.00", key=key),
            scheduled_for=day,
        ),
        request_id="r-s",
        clock=lambda: NOW,
        rules=RULES,
        zone=DENVER,
    )
    assert isinstance(outcome, PaymentAccepted), outcome
    return outcome.payment


async def work(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, payment_id: str
) -> None:
    async def forget(account_number: str) -> None:
        return None

    await process_payment(
        store=store,
        processor=processor,
        cis=cis,
        forget_balance=forget,
        payment_id=payment_id,
        last_attempt=False,
    )


async def entry_due_at(store: GatewayStore, payment_id: str) -> datetime:
    async with store.sessions() as session:
        due = await session.scalar(
            select(OutboxEntry.due_at).where(
                OutboxEntry.idempotency_key == payments_store.outbox_key(payment_id)
            )
        )
    assert due is not None
    return due if due.tzinfo else due.replace(tzinfo=UTC)


async def test_a_payment_for_a_later_day_waits_scheduled_until_that_day_starts(
    store: GatewayStore, processor: FakePaymentProcessor, world: World
) -> None:
    account = world.accounts[0].account_number
    payment = await schedule(store, processor, account, key="later")

    assert payment.status is PaymentStatus.SCHEDULED
    assert payment.scheduled_for == TOMORROW
    assert await entry_due_at(store, payment.id) == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    assert await processor.find_charge(payment.id) is None


async def test_today_is_at_once_and_a_day_out_of_the_window_is_refused(
    store: GatewayStore, processor: FakePaymentProcessor, world: World
) -> None:
    account = world.accounts[0].account_number
    now = await schedule(store, processor, account, day=TODAY, key="today")
    assert (now.status, now.scheduled_for) == (PaymentStatus.PROCESSING, None)
    assert await entry_due_at(store, now.id) == NOW

    user_id = await add_user(store, account_numbers=(account,))
    outcome = await pay_bill(
        access=access_of(store, user_id),
        store=store,
        processor=processor,
        request=replace(
            bill_payment(account, by_card(processor), key="too-late"),
            scheduled_for=date(2027, 2, 1),
        ),
        request_id="r-x",
        clock=lambda: NOW,
        rules=RULES,
        zone=DENVER,
    )
    assert isinstance(outcome, FieldProblem)
    assert outcome.field == "scheduledFor"


async def test_the_payer_cancels_a_waiting_payment_and_nothing_is_ever_charged(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    account = world.accounts[0].account_number
    payment = await schedule(store, processor, account, key="cancel-me")
    stranger = await add_user(store, account_numbers=(world.accounts[1].account_number,))

    # Another login's payment looks like no payment at all.
    assert isinstance(
        await cancel_scheduled_payment(store=store, user_id=stranger, payment_id=payment.id),
        NoSuchPayment,
    )
    outcome = await cancel_scheduled_payment(
        store=store, user_id=payment.user_id, payment_id=payment.id
    )
    assert isinstance(outcome, Cancelled)
    assert outcome.payment.status is PaymentStatus.CANCELLED

    await work(store, processor, cis, payment.id)  # its day comes: nothing to do

    assert (await payments_store.get_payment(store, payment.id)).status is (  # type: ignore[union-attr]
        PaymentStatus.CANCELLED
    )
    assert await processor.find_charge(payment.id) is None
    assert payment.id not in cis.payment_book.postings
    again = await cancel_scheduled_payment(
        store=store, user_id=payment.user_id, payment_id=payment.id
    )
    assert isinstance(again, NotCancellable)


async def test_a_payment_the_worker_took_cannot_be_cancelled(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    account = world.accounts[0].account_number
    payment = await schedule(store, processor, account, key="taken")
    await work(store, processor, cis, payment.id)

    outcome = await cancel_scheduled_payment(
        store=store, user_id=payment.user_id, payment_id=payment.id
    )

    assert isinstance(outcome, NotCancellable)
    assert outcome.payment.status is PaymentStatus.POSTED
    charge = await processor.find_charge(payment.id)
    assert charge is not None
    assert charge.amount == Decimal("42.00")


async def test_a_cancel_racing_the_worker_ends_cancelled_uncharged_or_refused_and_charged(
    store: GatewayStore, processor: FakePaymentProcessor, cis: FakeCis, world: World
) -> None:
    account = world.accounts[0].account_number
    user_id = await add_user(store, account_numbers=(account,))
    endings = set()
    for race in range(RACES):
        payment = await schedule(store, processor, account, key=f"race-{race}", user_id=user_id)
        cancelled, _ = await asyncio.gather(
            cancel_scheduled_payment(store=store, user_id=user_id, payment_id=payment.id),
            work(store, processor, cis, payment.id),
        )
        final = await payments_store.get_payment(store, payment.id)
        assert final is not None
        charge = await processor.find_charge(payment.id)
        if isinstance(cancelled, Cancelled):
            assert final.status is PaymentStatus.CANCELLED
            assert charge is None
            assert payment.id not in cis.payment_book.postings
        else:
            assert isinstance(cancelled, NotCancellable), cancelled
            assert final.status is PaymentStatus.POSTED
            assert charge is not None
            assert payment.id in cis.payment_book.postings
        endings.add(final.status)
        events = await payments_store.payment_events(store, payment.id)
        # Exactly one of the two took it off SCHEDULED.
        took = [e.detail for e in events if e.detail in TAKEN_OFF_SCHEDULED]
        assert len(took) == 1, took
    assert endings <= {PaymentStatus.CANCELLED, PaymentStatus.POSTED}
