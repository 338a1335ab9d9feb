"""The drafting job's work: each enrolled account's bill, drafted once on its day.

A draft is a payment like a member's (`pay_bill.queue_payment`): PROCESSING, with the
outbox entry that charges it and posts it to the CIS. Its idempotency key names the
enrollment and the bill's due date, so that two workers, or a worker restarted after
a crash, write it once between them: the payments' unique key decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final
from zoneinfo import ZoneInfo

from adapters.cis.port import CisPort
from adapters.errors import AdapterError
from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import pay_bill
from gateway.payments import store as payments_store
from gateway.payments.autopay import store as autopay_store
from gateway.payments.autopay.plan import DraftPlan, draft_key, plan_draft
from gateway.payments.autopay.store import Enrollment
from gateway.payments.status import PaymentStatus
from gateway.payments.wallet import store as wallet_store

logger = logging.getLogger("gateway.payments.autopay")

# A payment still on its way is not in the CIS balance yet: drafting the balance then
# would pay that part twice. The draft waits for a later run.
_IN_FLIGHT: Final = frozenset({PaymentStatus.SCHEDULED, PaymentStatus.PROCESSING})
_IN_FLIGHT_WINDOW: Final = timedelta(days=7)


@dataclass(slots=True)
class DraftRun:
    """What one run did, by account number."""

    drafted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # not yet, or a backend was down


async def draft_due_bills(
    *,
    store: GatewayStore,
    cis: CisPort,
    zone: ZoneInfo,
    clock: Clock = utc_now,
    on_outbox_committed: Callable[[], None] | None = None,
) -> DraftRun:
    """Draft every enrolled bill whose draft day has come in the co-op's time zone."""
    run = DraftRun()
    for enrollment in await autopay_store.active_enrollments(store):
        try:
            await _draft(
                enrollment,
                store=store,
                cis=cis,
                zone=zone,
                clock=clock,
                on_outbox_committed=on_outbox_committed,
                run=run,
            )
        except AdapterError as error:
            # The next run tries again; one account's CIS trouble stops no other's.
            logger.warning("autopay of %s waits: %s", enrollment.account_number, error)
            run.waiting.append(enrollment.account_number)
    return run


async def _draft(
    enrollment: Enrollment,
    *,
    store: GatewayStore,
    cis: CisPort,
    zone: ZoneInfo,
    clock: Clock,
    on_outbox_committed: Callable[[], None] | None,
    run: DraftRun,
) -> None:
    account = enrollment.account_number
    now = clock()
    today = now.astimezone(zone).date()
    plan = plan_draft(enrollment, await cis.get_balance(account), today=today)
    if plan is None:
        return
    key = draft_key(enrollment.id, plan.due_date)
    if not plan.is_due(today) or await payments_store.payment_by_key(
        store, user_id=enrollment.user_id, idempotency_key=key
    ):
        return
    reason = plan.skip_reason or await _method_problem(store, enrollment, plan)
    if reason is not None:
        if enrollment.skipped_due_date != plan.due_date or enrollment.skipped_reason != reason:
            await autopay_store.record_skip(
                store, enrollment.id, due_date=plan.due_date, reason=reason
            )
            logger.info("autopay of %s not drafted: %s", account, reason)
        run.skipped.append(account)
        return
    in_flight = await payments_store.recent_payment(
        store, account_number=account, since=now - _IN_FLIGHT_WINDOW, statuses=_IN_FLIGHT
    )
    if in_flight is not None:
        run.waiting.append(account)
        return
    method = await wallet_store.get_method(
        store, user_id=enrollment.user_id, method_id=enrollment.method_id
    )
    assert method is not None  # _method_problem checked it
    draft = await pay_bill.queue_payment(
        store,
        user_id=enrollment.user_id,
        account_number=account,
        amount=plan.amount,
        method=method.as_processor_method(),
        idempotency_key=key,
        now=now,
        on_outbox_committed=on_outbox_committed,
    )
    if draft is None:
        return  # another worker drafted it a moment ago
    if enrollment.skipped_due_date is not None:
        await autopay_store.record_skip(store, enrollment.id, due_date=None, reason=None)
    logger.info("autopay of %s: payment %s of %s drafted", account, draft.id, draft.amount)
    run.drafted.append(account)


async def _method_problem(
    store: GatewayStore, enrollment: Enrollment, plan: DraftPlan
) -> str | None:
    method = await wallet_store.get_method(
        store, user_id=enrollment.user_id, method_id=enrollment.method_id
    )
    if method is None:
        return "The saved payment method autopay uses is gone: choose another one."
    if method.expired(plan.draft_date):
        return "The card autopay uses has expired: save the new card and choose it."
    return None
