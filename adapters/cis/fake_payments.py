"""The fake CIS's payments: `CisPayments` in memory, by the CIS stand-in's rules.

The rules (held to by `adapters.cis.contract_payments`, against this fake and the
stand-in over SOAP):

- A payment is applied to the past-due amount first, then to the current amount,
  which goes below zero (a credit) when the member pays more than they owe. The last
  payment becomes this one, dated the day (UTC) it was posted; a past-due amount
  paid off clears the disconnect date.
- A financialTransactionID seen before gets the first result back, marked
  `already_posted` (`already_reversed`), and changes nothing.
- A reversal must name a posted payment of the same account and amount, not yet
  reversed; it puts back exactly what the payment took off, and the previous last
  payment when the reversed one is still the account's latest.
- Each posting and reversal is a change of the account's service locations (and
  customer) in the change feed, as the balance is theirs.
- A payment extension is offered to an account that is past due, not prepay, and
  has not taken one up already; it moves the payment to `EXTENSION_DAYS` after the
  due date.
- A prepay account's balance is its credit: minus what it owes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from adapters.cis.payments import (
    NotPrepay,
    PaymentExtensionOffer,
    PaymentPosting,
    PaymentRefused,
    PostingResult,
    PrepayBalance,
    Reversal,
    ReversalResult,
    UnknownPayment,
)
from adapters.cis.port import Balance, CisNotFound, ServiceLocation

EXTENSION_DAYS = 14
ZERO = Decimal("0.00")


def now_to_the_second() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class _Posted:
    posting: PaymentPosting
    result: PostingResult
    before: Balance  # the account's balance just before this payment
    after: Balance
    reversed_by: str | None = None


@dataclass
class FakePaymentBook:
    """What the fake CIS keeps of payments: postings, reversals, accepted extensions."""

    clock: Callable[[], datetime] = now_to_the_second
    postings: dict[str, _Posted] = field(default_factory=dict)
    reversals: dict[str, ReversalResult] = field(default_factory=dict)
    extensions: dict[str, date] = field(default_factory=dict)  # account -> extended to
    latest: dict[str, str] = field(default_factory=dict)  # account -> latest posting id

    def receipt(self) -> str:
        return f"R{len(self.postings) + len(self.reversals) + 1:08d}"


def paid(balance: Balance, amount: Decimal, day: date) -> Balance:
    """`balance` after a payment of `amount` on `day`."""
    to_past_due = min(amount, balance.past_due_amount)
    past_due = balance.past_due_amount - to_past_due
    return replace(
        balance,
        past_due_amount=past_due,
        current_amount=balance.current_amount - (amount - to_past_due),
        last_payment_amount=amount,
        last_payment_date=day,
        disconnect_date=balance.disconnect_date if past_due > 0 else None,
    )


def unpaid(balance: Balance, posted: _Posted, *, is_latest: bool) -> Balance:
    """`balance` with what `posted` took off put back."""
    restored = replace(
        balance,
        past_due_amount=balance.past_due_amount
        + (posted.before.past_due_amount - posted.after.past_due_amount),
        current_amount=balance.current_amount
        + (posted.before.current_amount - posted.after.current_amount),
    )
    if not is_latest:
        return restored
    return replace(
        restored,
        last_payment_amount=posted.before.last_payment_amount,
        last_payment_date=posted.before.last_payment_date,
        disconnect_date=posted.before.disconnect_date,
    )


class FakeCisPayments:
    """`CisPayments` for `FakeCis`, which holds the state these methods read."""

    balances: dict[str, Balance]
    locations: dict[str, tuple[ServiceLocation, ...]]
    change_log: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]
    payment_book: FakePaymentBook

    def _record(self, method: str, *arguments: object) -> None:
        raise NotImplementedError

    def _note_balance_change(self, account_number: str) -> None:
        located = self.locations.get(account_number, ())
        self.change_log.append(
            (
                tuple(sorted({loc.customer_id for loc in located})),
                (account_number,),
                tuple(loc.location_id for loc in located),
            )
        )

    async def post_payment(self, posting: PaymentPosting) -> PostingResult:
        self._record("post_payment", posting)
        book = self.payment_book
        earlier = book.postings.get(posting.financial_transaction_id)
        if earlier is not None:
            return replace(earlier.result, already_posted=True)
        balance = self.balances.get(posting.account_number)
        if balance is None:
            raise PaymentRefused(
                f"ProcessPaymentTransaction refused: unknown account {posting.account_number}"
            )
        posted_at = book.clock()
        after = paid(balance, posting.amount, posted_at.date())
        result = PostingResult(posting.financial_transaction_id, book.receipt(), posted_at)
        book.postings[posting.financial_transaction_id] = _Posted(posting, result, balance, after)
        book.latest[posting.account_number] = posting.financial_transaction_id
        self.balances[posting.account_number] = after
        self._note_balance_change(posting.account_number)
        return result

    async def reverse_payment(self, reversal: Reversal) -> ReversalResult:
        self._record("reverse_payment", reversal)
        book = self.payment_book
        earlier = book.reversals.get(reversal.reversal_id)
        if earlier is not None:
            return replace(earlier, already_reversed=True)
        posted = book.postings.get(reversal.original_transaction_id)
        if posted is None:
            raise UnknownPayment(
                "ProcessPaymentTransaction refused: unknown financialTransactionID "
                f"{reversal.original_transaction_id}"
            )
        original = posted.posting
        if (original.account_number, original.amount) != (
            reversal.account_number,
            reversal.amount,
        ):
            raise PaymentRefused(
                "ProcessPaymentTransaction refused: the reversal does not match the "
                "account and amount of the payment"
            )
        if posted.reversed_by is not None:
            raise PaymentRefused(
                f"ProcessPaymentTransaction refused: {original.financial_transaction_id} "
                "is already reversed"
            )
        account = original.account_number
        is_latest = book.latest.get(account) == original.financial_transaction_id
        self.balances[account] = unpaid(self.balances[account], posted, is_latest=is_latest)
        result = ReversalResult(
            reversal.reversal_id,
            original.financial_transaction_id,
            book.receipt(),
            book.clock(),
        )
        book.reversals[reversal.reversal_id] = result
        book.postings[original.financial_transaction_id] = replace(
            posted, reversed_by=reversal.reversal_id
        )
        self._note_balance_change(account)
        return result

    def _is_prepay(self, account_number: str) -> bool:
        located = self.locations.get(account_number)
        if not located:
            raise CisNotFound(f"no account {account_number!r}")
        return any(loc.is_prepay for loc in located)

    def _offer(self, account_number: str) -> PaymentExtensionOffer:
        prepay = self._is_prepay(account_number)
        balance = self.balances.get(account_number)
        if (
            prepay
            or balance is None
            or balance.past_due_amount <= 0
            or balance.due_date is None
            or account_number in self.payment_book.extensions
        ):
            return PaymentExtensionOffer(account_number, eligible=False)
        extended_to = balance.due_date + timedelta(days=EXTENSION_DAYS)
        return PaymentExtensionOffer(account_number, eligible=True, extended_to=extended_to)

    async def request_payment_extension(self, account_number: str) -> PaymentExtensionOffer:
        self._record("request_payment_extension", account_number)
        return self._offer(account_number)

    async def accept_payment_extension(self, offer: PaymentExtensionOffer) -> None:
        self._record("accept_payment_extension", offer)
        if not offer.eligible or offer.extended_to is None:
            raise ValueError("only an eligible offer can be accepted")
        current = self._offer(offer.account_number)
        if current != offer:
            raise PaymentRefused(
                f"ExtendPayment refused: no extension to {offer.extended_to} "
                f"is offered to account {offer.account_number}"
            )
        self.payment_book.extensions[offer.account_number] = offer.extended_to

    async def prepay_balance(self, account_number: str) -> PrepayBalance | NotPrepay:
        self._record("prepay_balance", account_number)
        if not self._is_prepay(account_number):
            return NotPrepay(account_number)
        balance = self.balances[account_number]
        return PrepayBalance(account_number, ZERO - balance.amount_due, self.payment_book.clock())
