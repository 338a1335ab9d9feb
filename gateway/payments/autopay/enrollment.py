"""Enrolling an account in autopay, and cancelling it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from adapters.rules.money import whole_cents
from gateway.core.clock import Clock, utc_now
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.policy import AccountAccess
from gateway.payments.autopay import store as autopay_store
from gateway.payments.autopay.draft_rule import DraftRuleKind, rule_of, rule_problem
from gateway.payments.autopay.store import Enrollment, NewEnrollment
from gateway.payments.pay_bill import MAX_AMOUNT
from gateway.payments.wallet import store as wallet_store


@dataclass(frozen=True, slots=True, kw_only=True)
class AutopayRequest:
    account_number: str
    method_id: str
    rule: DraftRuleKind
    days: int | None = None
    day_of_month: int | None = None
    max_amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class AlreadyEnrolled:
    """The account has an active enrollment: cancel it first."""

    enrollment: Enrollment


@dataclass(frozen=True, slots=True)
class NotEnrolled:
    """The account has no active enrollment to cancel."""


async def enroll_autopay(
    *,
    access: AccountAccess,
    store: GatewayStore,
    request: AutopayRequest,
    zone: ZoneInfo,
    clock: Clock = utc_now,
) -> Enrollment | AlreadyEnrolled | AccountHidden | FieldProblem:
    """`zone`: the co-op's, in which a card's expiry month ends."""
    account_number = request.account_number.strip()
    if not await access.can_see(account_number):
        return AccountHidden()
    user = await access.require_user()
    problem = rule_problem(request.rule, request.days, request.day_of_month) or _max_problem(
        request.max_amount
    )
    if problem is not None:
        return problem
    # Only the login's own wallet: a method of another login's reads as none at all.
    method = await wallet_store.get_method(store, user_id=user.id, method_id=request.method_id)
    if method is None:
        return FieldProblem("paymentMethodId", "No such saved payment method.")
    now = clock()
    if method.expired(now.astimezone(zone).date()):
        return FieldProblem("paymentMethodId", "This card has expired: save the new one first.")
    enrolled = await autopay_store.insert_enrollment(
        store,
        NewEnrollment(
            account_number=account_number,
            user_id=user.id,
            method_id=method.id,
            rule=rule_of(request.rule, request.days, request.day_of_month),
            max_amount=None if request.max_amount is None else whole_cents(request.max_amount),
            now=now,
        ),
    )
    if enrolled is None:
        active = await autopay_store.active_enrollment(store, account_number)
        if active is None:  # cancelled between the two: the member may simply try again
            return FieldProblem("accountNumber", "Autopay changed meanwhile; try again.")
        return AlreadyEnrolled(active)
    return enrolled


async def cancel_autopay(
    *,
    access: AccountAccess,
    store: GatewayStore,
    account_number: str,
    clock: Clock = utc_now,
) -> Enrollment | NotEnrolled | AccountHidden:
    """Any login that may see the account may stop its autopay. A draft already
    written goes through: it is a payment like any other by then."""
    account_number = account_number.strip()
    if not await access.can_see(account_number):
        return AccountHidden()
    cancelled = await autopay_store.cancel_enrollment(
        store, account_number=account_number, now=clock()
    )
    return NotEnrolled() if cancelled is None else cancelled


def _max_problem(max_amount: Decimal | None) -> FieldProblem | None:
    if max_amount is None:
        return None
    try:
        cents = whole_cents(max_amount)
    except ValueError:
        return FieldProblem("maxAmount", "Enter an amount in dollars and cents, like 250.00.")
    if not Decimal("0") < cents <= MAX_AMOUNT:
        return FieldProblem("maxAmount", f"Enter an amount above zero and at most ${MAX_AMOUNT:,}.")
    return None
