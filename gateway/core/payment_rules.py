"""The co-op's rules for a payment: how much, with what, and at what fee.

Read from the settings once (`gateway.bootstrap.payment_rules`) and carried in the
request context, so the options a member is shown (`Account.paymentOptions`) and what
`payBill` accepts and charges are one set of rules. Here, under the GraphQL context,
rather than in `gateway.payments`: the context may not import a domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from adapters.payments.port import MethodKind
from adapters.rules.money import round_to_cents

ZERO: Final = Decimal("0.00")
HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvenienceFee:
    """A flat part plus a percent of the amount, rounded half up to cents."""

    flat: Decimal = ZERO
    percent: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.flat < 0 or self.percent < 0:
            raise ValueError("a convenience fee is zero or more")

    def on(self, amount: Decimal) -> Decimal:
        return round_to_cents(self.flat + amount * self.percent / HUNDRED)


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRules:
    min_amount: Decimal = Decimal("1.00")
    max_amount: Decimal = Decimal("10000.00")
    # The MultiSpeak CIS port says nothing of the tenders an account may use, so the
    # co-op's setting decides for every account.
    methods: tuple[MethodKind, ...] = (MethodKind.CARD, MethodKind.BANK_ACCOUNT)
    fees: Mapping[MethodKind, ConvenienceFee] = field(default_factory=dict)
    # How many days ahead a payment may be scheduled.
    schedule_days_ahead: int = 30

    def __post_init__(self) -> None:
        if not ZERO < self.min_amount <= self.max_amount:
            raise ValueError("the minimum payment is above zero and at most the maximum")

    def fee_for(self, kind: MethodKind) -> ConvenienceFee:
        return self.fees.get(kind, ConvenienceFee())

    def fee(self, kind: MethodKind, amount: Decimal) -> Decimal:
        return self.fee_for(kind).on(amount)
