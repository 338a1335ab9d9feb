"""The worker's drafting job: a run at once, another each interval, stopped on request;
a failed run does not end the job."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.payments.fake import FakePaymentProcessor
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.autopay.draft_rule import DraftRule, DraftRuleKind
from gateway.payments.autopay.jobs import drafting_job
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.autopay.support import balance, cis_with, enroll, saved_card
from tests.gateway.payments.support import payments_of

store = store_on_each_backend()
_accounts = iter(range(5_000_100, 5_001_000))
STOPS_WITHIN_S = 5.0


@pytest.fixture(scope="module")
def processor(store: GatewayStore) -> FakePaymentProcessor:
    return FakePaymentProcessor(start=datetime(2026, 1, 1, tzinfo=UTC))


async def test_the_job_drafts_at_once_and_stops_when_asked(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = str(next(_accounts))
    user_id = await add_user(store, account_numbers=(account,))
    card = await saved_card(store, processor, user_id)
    await enroll(
        store,
        account_number=account,
        user_id=user_id,
        method=card,
        rule=DraftRule(DraftRuleKind.DUE_DATE),
    )
    woken: list[bool] = []
    run = drafting_job(
        store=store,
        cis=cis_with(balance(account, "30.00", date(2026, 12, 1))),
        zone=ZoneInfo("America/Denver"),
        interval_s=3600,
        clock=lambda: datetime(2026, 12, 2, 18, tzinfo=UTC),
        on_outbox_committed=lambda: woken.append(True),
    )
    stop = asyncio.Event()

    running = asyncio.create_task(run(stop))
    for _ in range(200):
        if woken:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, STOPS_WITHIN_S)

    assert woken == [True]
    assert await payments_of(store, user_id) == 1


async def test_a_failed_run_is_tried_again_next_interval(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    calls: list[int] = []

    def failing_clock() -> datetime:
        calls.append(1)
        raise RuntimeError("the clock broke")

    account = str(next(_accounts))
    user_id = await add_user(store, account_numbers=(account,))
    card = await saved_card(store, processor, user_id)
    await enroll(
        store,
        account_number=account,
        user_id=user_id,
        method=card,
        rule=DraftRule(DraftRuleKind.DUE_DATE),
    )
    run = drafting_job(
        store=store,
        cis=cis_with(balance(account, "30.00", date(2026, 12, 1))),
        zone=ZoneInfo("America/Denver"),
        interval_s=0.01,
        clock=failing_clock,
    )
    stop = asyncio.Event()

    running = asyncio.create_task(run(stop))
    for _ in range(200):
        if len(calls) >= 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, STOPS_WITHIN_S)

    assert len(calls) >= 2
    assert not running.cancelled()
