"""The next draft of an enrolled account: which bill, on which day, how much, and
whether it will be drafted at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from adapters.cis.port import Balance
from gateway.payments.autopay.store import Enrollment
from gateway.payments.store import AUTOPAY_KEY_PREFIX


def draft_key(enrollment_id: int, due_date: date) -> str:
    """The draft's idempotency key: one payment per enrollment and bill, whoever writes
    it and however often (two workers, a restart)."""
    return f"{AUTOPAY_KEY_PREFIX}{enrollment_id}:{due_date.isoformat()}"


@dataclass(frozen=True, slots=True)
class DraftPlan:
    due_date: date
    # The rule's day, or today for a bill whose day went by before it was drafted (the
    # enrollment came later, or the worker was down): it is drafted on the next run.
    draft_date: date
    amount: Decimal
    # Above the member's maximum: not drafted, and this says why.
    skip_reason: str | None

    def is_due(self, today: date) -> bool:
        return self.draft_date <= today


def plan_draft(enrollment: Enrollment, balance: Balance, *, today: date) -> DraftPlan | None:
    """None when nothing is due (no due date, or nothing owed)."""
    amount = balance.amount_due
    if balance.due_date is None or amount <= 0:
        return None
    draft_date = max(enrollment.rule.draft_date(balance.due_date), today)
    skip_reason = None
    if enrollment.max_amount is not None and amount > enrollment.max_amount:
        skip_reason = (
            f"The amount due, ${amount:,.2f}, is above your autopay maximum of"
            f" ${enrollment.max_amount:,.2f}: pay this bill yourself."
        )
    return DraftPlan(balance.due_date, draft_date, amount, skip_reason)
