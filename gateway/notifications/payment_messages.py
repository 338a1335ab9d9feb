"""What a member is told about a payment: the confirmation, or why it failed.

Each message names the account by its last four digits, the amount and the method, and
the day, in the co-op's time zone; a text says the same in fewer words. Reasons shown
are the member-facing ones the payment already carries (the processor's decline message,
the bank's return reason), never a system's error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from gateway.notifications.contacts_store import ContactKind
from gateway.payments.status import PaymentStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentFacts:
    payment_id: str
    account_number: str
    amount: Decimal
    fee: Decimal
    method_label: str  # "Visa ending 4242": never more than the last four
    status: PaymentStatus  # the event's
    at: datetime  # when it happened
    confirmation: str | None
    reason: str | None  # member-facing: the decline or return reason
    by_autopay: bool


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str


def account_ending(account_number: str) -> str:
    return f"account ending {account_number[-4:]}"


def dollars(amount: Decimal) -> str:
    return f"${amount.quantize(Decimal('0.01')):,}"


def payment_message(facts: PaymentFacts, channel: ContactKind, zone: ZoneInfo) -> Message:
    account = account_ending(facts.account_number)
    day = facts.at.astimezone(zone).strftime("%B %-d, %Y")
    what = "automatic payment" if facts.by_autopay else "payment"
    amount = dollars(facts.amount)
    fee = f" plus a {dollars(facts.fee)} convenience fee" if facts.fee else ""
    if facts.status is PaymentStatus.POSTED:
        confirmation = f" Confirmation number {facts.confirmation}." if facts.confirmation else ""
        if channel is ContactKind.SMS:
            body = f"Your {what} of {amount} to {account} was posted {day}.{confirmation}"
        else:
            body = (
                f"Thank you. Your {what} of {amount}{fee} ({facts.method_label}) was posted"
                f" to {account} on {day}.{confirmation}"
            )
        return Message(f"Payment received for {account}", body)
    if facts.status is PaymentStatus.NEEDS_ATTENTION:
        body = (
            f"We could not finish your {what} of {amount} to {account} on {day}. Our staff"
            " are looking into it: please do not pay again before we contact you."
        )
        return Message(f"Your payment to {account} needs our attention", body)
    failed = (
        "was returned by your bank"
        if facts.status is PaymentStatus.RETURNED
        else "did not go through"
    )
    reason = f" {facts.reason}" if facts.reason else ""
    if channel is ContactKind.SMS:
        body = f"Your {what} of {amount} to {account} {failed} ({day}).{reason}"
    else:
        body = (
            f"Your {what} of {amount}{fee} ({facts.method_label}) to {account} {failed} on"
            f" {day}.{reason} The amount is still due: please pay it another way."
        )
    return Message(f"Your payment to {account} {failed}", body)
