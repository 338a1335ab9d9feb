"""A member asks to pay a past-due bill later: a payment extension, where the CIS allows one.

The CIS answers in two steps (MultiSpeak RequestPaymentExtension, then ExtendPayment):
an offer, then its acceptance. For the member they are one step: asking for an
extension means wanting the one the CIS offers, and its terms (due date + 14 days,
the amount past due) are fixed by the co-op, so there is nothing to choose between
the two calls. Showing the offer first would only add a round trip in which the offer
can go stale. So the service asks, and when the account is eligible, accepts at once.

Asking again after a grant is answered "not eligible" by the CIS (an account takes one
extension); the member learns that from the answer, not from an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from adapters.cis.payments import CisPayments, PaymentRefused
from adapters.cis.port import Balance, CisNotFound, CisUnavailable
from gateway.core.invalidation import Invalidation
from gateway.core.loaders import Loader
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.identity.policy import AccountAccess

NOT_ELIGIBLE: Final = (
    "This account cannot get a payment extension now: extensions are for a bill that"
    " is past due, on an account that is not prepay and has not had one already."
)
NO_LONGER_OFFERED: Final = "The CIS no longer offers this account an extension."


@dataclass(frozen=True, slots=True)
class ExtensionGranted:
    account_number: str
    new_due_date: date
    amount: Decimal  # what is past due, now due on `new_due_date`


@dataclass(frozen=True, slots=True)
class ExtensionNotEligible:
    reason: str


ExtensionOutcome = ExtensionGranted | ExtensionNotEligible | AccountHidden | FieldProblem


async def request_payment_extension(
    *,
    access: AccountAccess,
    cis: CisPayments | None,
    balance: Loader[str, Balance],
    invalidate: Invalidation,
    account_number: str,
) -> ExtensionOutcome:
    """`cis` None: the CIS's payment half is not wired, and `CisUnavailable` is raised.

    `balance` is the request's loader: the amount granted is what the account owes
    past due, read before the grant (the extension moves a date, not money).
    """
    number = account_number.strip()
    if not number:
        return FieldProblem("accountNumber", "Give the account number.")
    if not await access.can_see(number):
        return AccountHidden()
    if cis is None:
        raise CisUnavailable("the CIS does not take payment requests here")
    try:
        offer = await cis.request_payment_extension(number)
    except CisNotFound:
        return AccountHidden()
    if not offer.eligible or offer.extended_to is None:
        return ExtensionNotEligible(NOT_ELIGIBLE)
    owed = await balance.load(number)
    try:
        await cis.accept_payment_extension(offer)
    except PaymentRefused:
        # Taken up by another request in between, or the account changed since the offer.
        return ExtensionNotEligible(NO_LONGER_OFFERED)
    # The balance's due date moved: no process may keep serving the old one.
    await invalidate.after_payment(account_number=number)
    return ExtensionGranted(number, offer.extended_to, owed.past_due_amount)
