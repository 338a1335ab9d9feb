"""What a member may pay on an account: the amount due, the bounds, the methods and
their fees, from one set of rules (`PaymentRules`) that `payBill` enforces too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from adapters.cis.port import Balance
from adapters.payments.port import MethodKind
from gateway.core.outcomes import FieldProblem
from gateway.core.payment_rules import ConvenienceFee, PaymentRules
from gateway.payments.scheduling import latest_date

# How each method is named to the member when it is refused.
_METHOD_NAMES = {MethodKind.CARD: "card", MethodKind.BANK_ACCOUNT: "bank account (e-check)"}


@dataclass(frozen=True, slots=True)
class MethodOption:
    kind: MethodKind
    fee: ConvenienceFee
    fee_on_amount_due: Decimal | None  # None when nothing is due


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentOptions:
    amount_due: Decimal
    min_amount: Decimal
    max_amount: Decimal
    methods: tuple[MethodOption, ...]
    latest_scheduled_date: date


def payment_options(*, balance: Balance, rules: PaymentRules, today: date) -> PaymentOptions:
    """`today` in the co-op's time zone: a payment may be scheduled from it to
    `rules.schedule_days_ahead` days later."""
    due = balance.amount_due
    return PaymentOptions(
        latest_scheduled_date=latest_date(today, rules),
        amount_due=due,
        min_amount=rules.min_amount,
        max_amount=rules.max_amount,
        methods=tuple(
            MethodOption(
                kind=kind,
                fee=rules.fee_for(kind),
                fee_on_amount_due=rules.fee(kind, due) if due > 0 else None,
            )
            for kind in rules.methods
        ),
    )


def amount_problem(amount: Decimal, rules: PaymentRules) -> FieldProblem | None:
    """The amount outside the co-op's bounds, said the way the member can fix it."""
    if amount < rules.min_amount:
        return FieldProblem("amount", f"A payment must be at least ${rules.min_amount:,}.")
    if amount > rules.max_amount:
        return FieldProblem("amount", f"A single payment can be at most ${rules.max_amount:,}.")
    return None


def method_problem(kind: MethodKind, rules: PaymentRules) -> FieldProblem | None:
    if kind in rules.methods:
        return None
    return FieldProblem(
        "method", f"Payments by {_METHOD_NAMES[kind]} are not accepted; choose another method."
    )
