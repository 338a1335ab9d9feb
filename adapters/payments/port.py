"""The payment processor, as the rest of the world sees it (PCI DSS SAQ-A scope).

A card number, CVC or full bank account number never crosses this port: the member's
browser sends them to the processor and gets a single-use token back; the gateway
turns a token into a reusable payment method, and moves money with either.

Every call that moves money carries an idempotency key: the same key with the same
request answers the first result and moves nothing again; the same key with another
request is refused (`PaymentConflict`). A call whose answer was lost raises
`PaymentOutcomeUnknown`: look the payment up by its reference (or call again with
the same key), never charge again with a new key.

Amounts are `Decimal` dollars, positive, in whole cents (`payment_amount`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from adapters.errors import AdapterError, BackendFault, BackendUnavailable, NotFound
from adapters.rules.money import whole_cents


class PaymentsError(AdapterError):
    system = "payments"


class PaymentsUnavailable(PaymentsError, BackendUnavailable):
    """The processor could not be reached, or refused to act (503): nothing happened."""


class PaymentOutcomeUnknown(PaymentsError, BackendUnavailable):
    """The request may have been carried out, but its answer was lost (a dropped
    connection, a timeout after sending, a 500).

    Do not pay again under a new idempotency key: look the payment up by `reference`,
    or repeat the call with the same `idempotency_key`, which answers the first result.
    """

    def __init__(self, message: str, *, idempotency_key: str, reference: str) -> None:
        super().__init__(message)
        self.idempotency_key = idempotency_key
        self.reference = reference


class PaymentInvalid(PaymentsError, ValueError):
    """The request itself is wrong: an amount, a spent or unknown token, a bad number."""


class PaymentConflict(PaymentInvalid):
    """An idempotency key already used for a different request."""


class PaymentNotFound(PaymentsError, NotFound):
    pass


class DeclineCode(StrEnum):
    CARD_DECLINED = "card_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    EXPIRED_CARD = "expired_card"
    PROCESSING_ERROR = "processing_error"  # the issuer failed; trying later may work
    ACCOUNT_INVALID = "account_invalid"  # a bank account that failed validation


class PaymentDeclined(PaymentsError, BackendFault):
    """The processor refused to move the money. `member_message` may be shown as it is.

    `payment_id` names the failed charge or debit the processor recorded.
    """

    def __init__(
        self, member_message: str, *, code: DeclineCode, payment_id: str | None = None
    ) -> None:
        super().__init__(member_message)
        self.member_message = member_message
        self.code = code
        self.payment_id = payment_id


def payment_amount(amount: Decimal) -> Decimal:
    """`amount` with two decimals, or `PaymentInvalid` unless positive in whole cents."""
    try:
        cents = whole_cents(amount)
    except ValueError as error:
        raise PaymentInvalid(f"amount: {error}") from None
    if cents <= 0:
        raise PaymentInvalid("amount: must be positive")
    return cents


class MethodKind(StrEnum):
    CARD = "card"
    BANK_ACCOUNT = "bank_account"


class BankAccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentMethod:
    """A reusable card or bank account, as much of it as may be shown to its owner."""

    id: str  # pm_...
    kind: MethodKind
    customer_ref: str
    last4: str
    brand: str | None = None  # cards: visa, mastercard, ...
    exp_month: int | None = None  # cards
    exp_year: int | None = None
    bank_name: str | None = None  # bank accounts
    account_type: BankAccountType | None = None


class ChargeStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Charge:
    """A card payment: it succeeds or fails at once."""

    id: str  # ch_...
    amount: Decimal
    status: ChargeStatus
    payment_method_id: str | None  # None when paid with a single-use token
    reference: str
    created: datetime  # aware
    amount_refunded: Decimal = Decimal("0.00")
    decline_code: DeclineCode | None = None
    failure_message: str | None = None  # member-facing


class DebitStatus(StrEnum):
    PENDING = "pending"  # sent to the bank, money not yet moved
    SETTLED = "settled"
    RETURNED = "returned"  # settled, then returned by the member's bank (an R code)
    FAILED = "failed"  # never sent: the account failed validation


@dataclass(frozen=True, slots=True, kw_only=True)
class Debit:
    """A bank (ACH WEB) debit: pending first, settled days later, perhaps returned."""

    id: str  # db_...
    amount: Decimal
    status: DebitStatus
    payment_method_id: str | None
    reference: str
    created: datetime
    settled_at: datetime | None = None
    returned_at: datetime | None = None
    return_code: str | None = None  # NACHA: R01 insufficient funds, R02 account closed
    failure_message: str | None = None  # member-facing
    amount_refunded: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True, kw_only=True)
class Refund:
    id: str  # re_...
    payment_id: str  # the charge or debit refunded
    amount: Decimal
    reference: str
    created: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookEvent:
    """What the processor told the gateway: `id` is unique, so a replay can be spotted.

    `type` is one of "debit.settled", "debit.returned", "charge.refunded",
    "debit.refunded"; `data` is the object it is about, as the processor wrote it
    (its "id" and "reference" among it).
    """

    id: str  # evt_...
    type: str
    created: datetime
    data: Mapping[str, object] = field(default_factory=dict)

    @property
    def object_id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def reference(self) -> str | None:
        value = self.data.get("reference")
        return None if value is None else str(value)


class PaymentProcessor(Protocol):
    async def create_payment_method(self, *, token: str, customer_ref: str) -> PaymentMethod:
        """Turn a single-use token into a reusable method of `customer_ref`'s."""
        ...

    async def list_payment_methods(self, customer_ref: str) -> Sequence[PaymentMethod]:
        """`customer_ref`'s methods, oldest first: also how to find a method whose
        creation lost its answer (the token is spent by then)."""
        ...

    async def get_payment_method(self, method_id: str) -> PaymentMethod:
        """Raises `PaymentNotFound` for an unknown or deleted method."""
        ...

    async def delete_payment_method(self, method_id: str) -> None:
        """Forget the method; deleting one already gone is not an error."""
        ...

    async def charge(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Charge:
        """Charge a card: `source` is a card method id (pm_...) or a single-use token.

        Returns the succeeded charge; raises `PaymentDeclined` when it failed.
        """
        ...

    async def debit(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Debit:
        """Start a bank debit (pending). The account is validated on its first use:
        one that fails raises `PaymentDeclined` (ACCOUNT_INVALID) and moves nothing.
        """
        ...

    async def refund(
        self, *, payment_id: str, amount: Decimal, idempotency_key: str, reference: str
    ) -> Refund:
        """Refund part or all of a succeeded charge or a settled debit."""
        ...

    async def get_charge(self, charge_id: str) -> Charge: ...

    async def get_debit(self, debit_id: str) -> Debit: ...

    async def find_charge(self, reference: str) -> Charge | None:
        """The latest charge made with `reference`, failed ones included, or None."""
        ...

    async def find_debit(self, reference: str) -> Debit | None:
        """The latest debit made with `reference`, or None."""
        ...

    async def aclose(self) -> None:
        """Release what the adapter holds; safe to call more than once."""
        ...
