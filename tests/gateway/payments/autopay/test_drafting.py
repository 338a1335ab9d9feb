"""The drafting job: each enrolled bill drafted once, on its day in the co-op's time
zone; a bill above the maximum is not drafted, and the member is told why."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from adapters.cis.fake import FakeCis
from adapters.payments.fake import FakePaymentProcessor
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import pay_bill
from gateway.payments import store as payments_store
from gateway.payments.autopay import store as autopay_store
from gateway.payments.autopay.draft_rule import DraftRule, DraftRuleKind
from gateway.payments.autopay.drafting import draft_due_bills
from gateway.payments.autopay.plan import draft_key
from gateway.payments.autopay.store import Enrollment
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment
from gateway.payments.tables import PaymentRow
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.autopay.support import balance, cis_with, enroll, saved_card
from tests.gateway.payments.support import queued_for

store = store_on_each_backend()
DENVER = ZoneInfo("America/Denver")
DUE = date(2026, 12, 15)
_accounts = iter(range(4_000_100, 4_001_000))


@pytest.fixture(scope="module")
def processor(store: GatewayStore) -> FakePaymentProcessor:
    # Early enough to take a card that has expired by the drafts' days.
    return FakePaymentProcessor(start=datetime(2026, 10, 1, tzinfo=UTC))


async def enrolled(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    *,
    rule: DraftRule = DraftRule(DraftRuleKind.DAYS_BEFORE_DUE, 5),  # noqa: B008 - frozen
    max_amount: str | None = None,
) -> Enrollment:
    account = str(next(_accounts))
    user_id = await add_user(store, account_numbers=(account,))
    card = await saved_card(store, processor, user_id)
    return await enroll(
        store,
        account_number=account,
        user_id=user_id,
        method=card,
        rule=rule,
        max_amount=max_amount,
    )


async def run(store: GatewayStore, cis: FakeCis, at: datetime) -> None:
    await draft_due_bills(store=store, cis=cis, zone=DENVER, clock=lambda: at)


async def payments_to(store: GatewayStore, account_number: str) -> list[StoredPayment]:
    async with store.sessions() as session:
        ids = list(
            await session.scalars(
                select(PaymentRow.id).where(PaymentRow.account_number == account_number)
            )
        )
    found = [await payments_store.get_payment(store, payment_id) for payment_id in ids]
    return [payment for payment in found if payment is not None]


async def test_a_bill_is_drafted_on_its_day_once_with_its_outbox_entry(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    enrollment = await enrolled(store, processor)
    cis = cis_with(balance(enrollment.account_number, "84.50", DUE))

    await run(store, cis, datetime(2026, 12, 9, 18, tzinfo=UTC))  # the day before
    assert await payments_to(store, enrollment.account_number) == []

    await run(store, cis, datetime(2026, 12, 10, 18, tzinfo=UTC))
    await run(store, cis, datetime(2026, 12, 11, 18, tzinfo=UTC))  # a later run: drafted

    [draft] = await payments_to(store, enrollment.account_number)
    assert (draft.amount, draft.status, draft.user_id) == (
        Decimal("84.50"),
        PaymentStatus.PROCESSING,
        enrollment.user_id,
    )
    assert draft.idempotency_key == draft_key(enrollment.id, DUE)
    assert draft.processor_method_id == enrollment.method_id
    assert draft.method_label == "Visa ending 4242"
    assert draft.by_autopay
    assert await queued_for(store, {draft.id}) == 1


async def test_the_draft_day_is_the_cooperatives(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    enrollment = await enrolled(store, processor, rule=DraftRule(DraftRuleKind.DUE_DATE))
    cis = cis_with(balance(enrollment.account_number, "60.00", DUE))

    # 06:59 UTC on the 15th is still the 14th in Denver.
    await run(store, cis, datetime(2026, 12, 15, 6, 59, tzinfo=UTC))
    assert await payments_to(store, enrollment.account_number) == []

    await run(store, cis, datetime(2026, 12, 15, 7, 0, tzinfo=UTC))
    assert len(await payments_to(store, enrollment.account_number)) == 1


async def test_runs_at_once_and_after_a_restart_draft_once(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    enrollment = await enrolled(store, processor)
    cis = cis_with(balance(enrollment.account_number, "84.50", DUE))
    at = datetime(2026, 12, 12, 18, tzinfo=UTC)

    await asyncio.gather(*(run(store, cis, at) for _ in range(4)))
    # A restarted worker knows nothing but what the database holds.
    await run(store, cis_with(balance(enrollment.account_number, "84.50", DUE)), at)

    drafts = await payments_to(store, enrollment.account_number)
    assert len(drafts) == 1
    assert await queued_for(store, {drafts[0].id}) == 1


async def test_a_bill_above_the_maximum_is_not_drafted_and_says_why(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    enrollment = await enrolled(store, processor, max_amount="100.00")
    cis = cis_with(balance(enrollment.account_number, "180.25", DUE))

    await run(store, cis, datetime(2026, 12, 12, 18, tzinfo=UTC))

    assert await payments_to(store, enrollment.account_number) == []
    skipped = await autopay_store.active_enrollment(store, enrollment.account_number)
    assert skipped is not None
    assert skipped.skipped_due_date == DUE
    assert skipped.skipped_reason is not None
    assert "$180.25" in skipped.skipped_reason
    assert "$100.00" in skipped.skipped_reason

    # The next bill, under the maximum, is drafted, and the reason is gone.
    cis.balances[enrollment.account_number] = balance(
        enrollment.account_number, "95.00", date(2027, 1, 15)
    )
    await run(store, cis, datetime(2027, 1, 12, 18, tzinfo=UTC))
    [draft] = await payments_to(store, enrollment.account_number)
    assert draft.amount == Decimal("95.00")
    cleared = await autopay_store.active_enrollment(store, enrollment.account_number)
    assert cleared is not None
    assert (cleared.skipped_due_date, cleared.skipped_reason) == (None, None)


@pytest.mark.parametrize(("amount", "due"), [("0.00", DUE), ("-12.00", DUE), ("40.00", None)])
async def test_nothing_due_drafts_nothing(
    store: GatewayStore, processor: FakePaymentProcessor, amount: str, due: date | None
) -> None:
    enrollment = await enrolled(store, processor)
    cis = cis_with(balance(enrollment.account_number, amount, due))

    await run(store, cis, datetime(2026, 12, 14, 18, tzinfo=UTC))

    assert await payments_to(store, enrollment.account_number) == []


async def test_a_cancelled_enrollment_drafts_nothing(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    enrollment = await enrolled(store, processor)
    cis = cis_with(balance(enrollment.account_number, "84.50", DUE))
    await autopay_store.cancel_enrollment(
        store, account_number=enrollment.account_number, now=datetime(2026, 12, 1, tzinfo=UTC)
    )

    await run(store, cis, datetime(2026, 12, 14, 18, tzinfo=UTC))

    assert await payments_to(store, enrollment.account_number) == []


async def test_one_accounts_cis_trouble_stops_no_other(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    unknown = await enrolled(store, processor)  # the CIS does not know it
    known = await enrolled(store, processor)
    cis = cis_with(balance(known.account_number, "84.50", DUE))

    done = await draft_due_bills(
        store=store,
        cis=cis,
        zone=DENVER,
        clock=lambda: datetime(2026, 12, 14, 18, tzinfo=UTC),
    )

    assert unknown.account_number in done.waiting
    assert known.account_number in done.drafted


async def test_an_expired_card_is_not_drafted_and_says_why(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = str(next(_accounts))
    user_id = await add_user(store, account_numbers=(account,))
    card = await saved_card(store, processor, user_id, exp_month=11, exp_year=2026)
    enrollment = await enroll(
        store,
        account_number=account,
        user_id=user_id,
        method=card,
        rule=DraftRule(DraftRuleKind.DUE_DATE),
    )
    cis = cis_with(balance(account, "84.50", DUE))

    await run(store, cis, datetime(2026, 12, 15, 18, tzinfo=UTC))

    assert await payments_to(store, account) == []
    skipped = await autopay_store.active_enrollment(store, account)
    assert skipped is not None
    assert skipped.id == enrollment.id
    assert skipped.skipped_reason is not None
    assert "expired" in skipped.skipped_reason


async def test_the_draft_waits_while_another_payment_is_on_its_way(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    enrollment = await enrolled(store, processor)
    account = enrollment.account_number
    cis = cis_with(balance(account, "84.50", DUE))
    by_hand = await saved_card(store, processor, enrollment.user_id)
    await pay_bill.queue_payment(
        store,
        user_id=enrollment.user_id,
        account_number=account,
        amount=Decimal("84.50"),
        method=by_hand.as_processor_method(),
        idempotency_key="by-hand",
        now=datetime(2026, 12, 11, 18, tzinfo=UTC),
    )

    done = await draft_due_bills(
        store=store, cis=cis, zone=DENVER, clock=lambda: datetime(2026, 12, 12, 18, tzinfo=UTC)
    )

    assert account in done.waiting
    assert [p.idempotency_key for p in await payments_to(store, account)] == ["by-hand"]
