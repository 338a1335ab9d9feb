"""Posting payments to the CIS: the payment half of the CIS port.

A protocol of its own beside `CisPort` (which reads and changes contact details):
the gateway's payment worker needs only these calls, and a co-op whose CIS takes
payments some other way can swap this half alone. `SoapCis` and `FakeCis` implement
both.

Every request is checked here, at the port's edge, before anything is built from it:
amounts are whole cents, ids are present, and a payment method is only ever a masked
number (`adapters.rules.masked_numbers`), so no card or bank account number can reach
an envelope. A request that breaks a rule raises `ValueError` when it is made.

Idempotency is the CIS's `financialTransactionID`: the gateway sends its own payment
id (and its own reversal id), so a retry after a lost answer finds the first posting
and gets its result back, marked `already_posted`, instead of posting twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from adapters.cis.port import CisFault, CisNotFound
from adapters.rules.masked_numbers import masked_number
from adapters.rules.money import whole_cents

ZERO = Decimal("0.00")


class PaymentRefused(CisFault):
    """The CIS answered, and refused the posting or reversal (an unknown account, an
    amount that does not match, an already reversed payment). Retrying will not help."""


class UnknownPayment(CisNotFound):
    """A reversal names a financialTransactionID the CIS never posted."""


class PaymentMode(StrEnum):
    """How the member paid; each is a different MultiSpeak payment element."""

    CARD = "card"  # creditCardPayment
    ECHECK = "echeck"  # eCheckPayment: a one-off bank payment
    ACH = "ach"  # achPayment: a bank draft (autopay)


def _cents(amount: Decimal, what: str, *, positive: bool) -> Decimal:
    if not isinstance(amount, Decimal):
        raise TypeError(f"{what} must be a Decimal")
    cents = whole_cents(amount)
    if cents < 0 or (positive and cents == 0):
        raise ValueError(f"{what} must be {'positive' if positive else 'zero or more'}")
    return cents


def _required(text: str, what: str) -> None:
    if not text or not text.strip():
        raise ValueError(f"{what} must not be blank")


@dataclass(frozen=True, slots=True)
class PaidItem:
    """Part of a payment applied to one payable item (a bill) the CIS listed."""

    payable_item_id: str
    amount: Decimal

    def __post_init__(self) -> None:
        _required(self.payable_item_id, "payable_item_id")
        _cents(self.amount, "a paid item's amount", positive=True)


@dataclass(frozen=True, slots=True)
class PaymentPosting:
    """A payment the processor has already charged, to be booked on the account.

    `amount` is what goes to the account; `convenience_fee` is what the member paid
    on top (kept by the co-op or its processor, never applied to the bill); the
    member was charged `total`. `masked_method` is the card or bank account number
    as the processor showed it, masked ("************4242"). There is no posting
    date: MultiSpeak's tender has none, so the CIS dates the posting itself
    (`PostingResult.posted_at`).
    """

    financial_transaction_id: str  # the gateway's payment id
    account_number: str
    amount: Decimal
    authorization_code: str  # the processor's
    payment_mode: PaymentMode
    masked_method: str
    convenience_fee: Decimal = ZERO
    paid_items: tuple[PaidItem, ...] = ()  # none: the CIS applies it to the oldest debt

    def __post_init__(self) -> None:
        _required(self.financial_transaction_id, "financial_transaction_id")
        _required(self.account_number, "account_number")
        _required(self.authorization_code, "authorization_code")
        _cents(self.amount, "amount", positive=True)
        _cents(self.convenience_fee, "convenience_fee", positive=False)
        PaymentMode(self.payment_mode)
        masked_number(self.masked_method)
        if self.paid_items and sum(i.amount for i in self.paid_items) != self.amount:
            raise ValueError("the paid items must add up to the amount")

    @property
    def total(self) -> Decimal:
        return self.amount + self.convenience_fee

    @property
    def masked(self) -> str:
        """The masked method as it is sent (separators dropped)."""
        return masked_number(self.masked_method)


@dataclass(frozen=True, slots=True)
class PostingResult:
    """What the CIS booked. A repeated financialTransactionID gives the first posting's
    result again, with `already_posted` True: equal in every other field."""

    financial_transaction_id: str
    cis_transaction_id: str  # the CIS's own receipt number
    posted_at: datetime  # aware, as the CIS dated the posting
    already_posted: bool = False


@dataclass(frozen=True, slots=True)
class Reversal:
    """Takes a posted payment back off the account: an ACH return or a refund.

    It has an id of its own (`reversal_id`, sent as its financialTransactionID, so a
    retried reversal is not applied twice) and names the payment it reverses.
    `reason_code` is the NACHA return code ("R01") for a return, or the gateway's
    code for a refund ("REFUND").
    """

    reversal_id: str
    original_transaction_id: str
    account_number: str
    amount: Decimal  # the original payment's amount: a reversal is always whole
    payment_mode: PaymentMode
    reason_code: str

    def __post_init__(self) -> None:
        _required(self.reversal_id, "reversal_id")
        _required(self.original_transaction_id, "original_transaction_id")
        _required(self.account_number, "account_number")
        _required(self.reason_code, "reason_code")
        if self.reversal_id == self.original_transaction_id:
            raise ValueError("a reversal needs an id of its own")
        _cents(self.amount, "amount", positive=True)
        PaymentMode(self.payment_mode)


@dataclass(frozen=True, slots=True)
class ReversalResult:
    reversal_id: str
    original_transaction_id: str
    cis_transaction_id: str
    reversed_at: datetime
    already_reversed: bool = False


@dataclass(frozen=True, slots=True)
class PaymentExtensionOffer:
    """The CIS's answer to "may this account pay later?" (RequestPaymentExtension).

    Not being eligible is an answer, not an error: `eligible` False (MultiSpeak 3.0's
    `paymentExtension` has no field for the reason, so none is given). An eligible
    offer names the date the payment may move to; it binds nobody until accepted
    (`accept_payment_extension`, MultiSpeak ExtendPayment).
    """

    account_number: str
    eligible: bool
    extended_to: date | None = None


@dataclass(frozen=True, slots=True)
class PrepayBalance:
    """A prepay account's credit: what is left to use; negative when it owes."""

    account_number: str
    balance: Decimal
    as_of: datetime


@dataclass(frozen=True, slots=True)
class NotPrepay:
    """The answer for a prepay balance of an account that is billed the usual way."""

    account_number: str


class CisPayments(Protocol):
    """Payments, reversals, payment extensions and prepay balances in the CIS.

    None of these calls may be retried blindly by a generic policy: each write is
    idempotent by its own id instead, and the caller retries with the same id.
    """

    async def post_payment(self, posting: PaymentPosting) -> PostingResult:
        """Book a charged payment. `PaymentRefused` when the CIS refuses it (an unknown
        account); `CisUnavailable` when it cannot be told whether it was booked: retry
        with the same `financial_transaction_id`."""
        ...

    async def reverse_payment(self, reversal: Reversal) -> ReversalResult:
        """Take a posted payment back. `UnknownPayment` for one never posted;
        `PaymentRefused` for one already reversed under another id."""
        ...

    async def request_payment_extension(self, account_number: str) -> PaymentExtensionOffer: ...

    async def accept_payment_extension(self, offer: PaymentExtensionOffer) -> None:
        """Take up an eligible offer (MultiSpeak ExtendPayment); `PaymentRefused` if the
        CIS no longer makes it."""
        ...

    async def prepay_balance(self, account_number: str) -> PrepayBalance | NotPrepay:
        """`CisNotFound` for an unknown account."""
        ...
