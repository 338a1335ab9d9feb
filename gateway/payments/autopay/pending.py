"""An account's draft still to come: what `account.autopay` shows, and what a member
paying by hand is warned of."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from adapters.cis.port import Balance
from adapters.errors import AdapterError
from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.autopay import store as autopay_store
from gateway.payments.autopay.plan import DraftPlan, draft_key, plan_draft
from gateway.payments.autopay.store import Enrollment, EnrollmentStatus

logger = logging.getLogger("gateway.payments.autopay")


async def current_plan(
    *,
    store: GatewayStore,
    enrollment: Enrollment,
    balance_of: Callable[[str], Awaitable[Balance]],
    today: date,
) -> DraftPlan | None:
    """The current bill's draft, unless it is drafted already, nothing is due, or the
    enrollment is cancelled. A plan with a `skip_reason` is one that will not be drafted."""
    if enrollment.status is not EnrollmentStatus.ACTIVE:
        return None
    plan = plan_draft(enrollment, await balance_of(enrollment.account_number), today=today)
    if plan is None:
        return None
    drafted = await payments_store.payment_by_key(
        store,
        user_id=enrollment.user_id,
        idempotency_key=draft_key(enrollment.id, plan.due_date),
    )
    return None if drafted is not None else plan


async def draft_to_come(
    *,
    store: GatewayStore,
    account_number: str,
    balance_of: Callable[[str], Awaitable[Balance]],
    today: date,
) -> DraftPlan | None:
    """The draft autopay will make of the account's current bill, if it will make one."""
    enrollment = await autopay_store.active_enrollment(store, account_number)
    if enrollment is None:
        return None
    plan = await current_plan(
        store=store, enrollment=enrollment, balance_of=balance_of, today=today
    )
    return None if plan is None or plan.skip_reason is not None else plan


def pending_draft_finder(
    *,
    store: GatewayStore,
    balance_of: Callable[[str], Awaitable[Balance]],
    zone: ZoneInfo,
    clock: Clock = utc_now,
) -> Callable[[str], Awaitable[tuple[date, Decimal] | None]]:
    """For `pay_bill`: the day and amount of the account's draft to come, if any. A CIS
    that cannot tell costs the warning only, never the member's payment."""

    async def find(account_number: str) -> tuple[date, Decimal] | None:
        try:
            plan = await draft_to_come(
                store=store,
                account_number=account_number,
                balance_of=balance_of,
                today=clock().astimezone(zone).date(),
            )
        except AdapterError as error:
            logger.warning("autopay of %s not checked: %s", account_number, error)
            return None
        return None if plan is None else (plan.draft_date, plan.amount)

    return find
