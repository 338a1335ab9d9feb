"""Tenders on the wire at the CIS stand-in: read and checked from a request, and answered.

ProcessPaymentTransaction and CommitPaymentTransaction carry `paymentTransaction`s,
each with payment elements holding a `tender`. `read_tenders` checks every one before
anything is written, and raises a SOAP Fault, as a strict CIS would, for a malformed
one: no financialTransactionID, an amount that is not a positive number of whole
cents, a total that is not amount plus fees, a cash payment, and any card or bank
account number with more than its last four digits showing, or a card's expiry date
or verification value. This CIS takes masked numbers only: a full number in a request
is refused, never stored, and never repeated in the Fault.

The answers follow the conventions `adapters.cis.payment_wire` documents (posting
date, "already posted" and failure reasons as `extensionsList` items).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from adapters.cis import payment_wire as pw
from simulators.cis.store import from_cents, to_cents
from simulators.soap import SoapFault

VISIBLE_DIGITS: Final = 4
# Payment elements this CIS takes, and the element of each holding the masked number.
ACCEPTED_ELEMENTS: Final = {
    "creditCardPayment": ("creditCardInfo", "creditCardNumber"),
    "eCheckPayment": ("checkInfo", "checkingAccountNumber"),
    "achPayment": ("checkInfo", "checkingAccountNumber"),
}
# Card details a CIS that takes processor payments must never be sent.
FORBIDDEN_CARD_FIELDS: Final = ("creditCardExpDate", "cardVerificationValue")
REVERSAL_VERB: Final = "Delete"


class TenderRefused(Exception):
    """A tender the CIS refuses (responseCode Failure), with its failureReason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class Tender:
    """One tender of a request, checked."""

    account_number: str
    element: str
    financial_transaction_id: str
    verb: str
    amount_cents: int
    fee_cents: int
    authorization_code: str | None
    payment_mode: str | None
    masked_number: str | None
    paid_items: tuple[tuple[str, int], ...]
    reverses: str | None
    reason_code: str | None


def _cents(value: Any, what: str, *, required: bool) -> int:
    if value is None:
        if required:
            raise SoapFault(f"a tender needs its {what}")
        return 0
    try:
        exact = Decimal(repr(float(value)))
        cents = to_cents(exact)
    except (InvalidOperation, ValueError, TypeError):
        raise SoapFault(f"the tender's {what} must be a whole number of cents") from None
    if cents < 0:
        raise SoapFault(f"the tender's {what} must not be negative")
    return cents


def _masked(info: Any, element: str) -> str | None:
    """The masked number of a payment's card or check info; a Fault for a full one."""
    if info is None:
        return None
    _, number_field = ACCEPTED_ELEMENTS[element]
    for name in FORBIDDEN_CARD_FIELDS:
        if getattr(info, name, None):
            raise SoapFault(f"{name} must not be sent: this CIS takes processor payments only")
    number = getattr(info, number_field, None) or ""
    visible = sum(ch.isdigit() for ch in number)
    if visible > VISIBLE_DIGITS:
        # The message must not repeat the number it refuses.
        raise SoapFault(
            f"{number_field} shows {visible} digits: this CIS takes masked numbers only, "
            f"at most the last {VISIBLE_DIGITS} digits"
        )
    return number or None


def _extension_values(tender: Any) -> dict[str, str]:
    listed = tender.extensionsList.extensionsItem if tender.extensionsList is not None else []
    return {item.extName: item.extValue or "" for item in listed if item.extName}


def _paid_items(tender: Any) -> tuple[tuple[str, int], ...]:
    listed = tender.payableItemList.payableItem if tender.payableItemList is not None else []
    items = []
    for item in listed:
        if not item.objectID:
            raise SoapFault("a paid payableItem needs its objectID")
        items.append((item.objectID, _cents(item.currentAmount, "paid amount", required=True)))
    return tuple(items)


def _tender(account_number: str, element: str, payment: Any) -> Tender:
    info_field, _ = ACCEPTED_ELEMENTS[element]
    masked = _masked(getattr(payment, info_field, None), element)
    tender = payment.tender
    if tender is None:
        raise SoapFault(f"a {element} needs its tender")
    transaction_id = (tender.financialTransactionID or "").strip()
    if not transaction_id:
        raise SoapFault("a tender needs its financialTransactionID")
    verb = tender.verb or "New"
    if verb not in ("New", "Change", "Delete"):
        raise SoapFault(f"tender verb {verb} is not supported; New posts, Delete reverses")
    amount = _cents(tender.amount, "amount", required=True)
    if amount == 0:
        raise SoapFault("the tender's amount must be more than zero")
    fee = _cents(tender.convenienceFee, "convenienceFee", required=False)
    utility_fee = _cents(tender.utilityFee, "utilityFee", required=False)
    if tender.total is not None and _cents(tender.total, "total", required=True) != (
        amount + fee + utility_fee
    ):
        raise SoapFault("the tender's total is not its amount plus its fees")
    paid_items = _paid_items(tender)
    if paid_items and sum(cents for _, cents in paid_items) != amount:
        raise SoapFault("the paid payable items do not add up to the tender's amount")
    extensions = _extension_values(tender)
    reverses = extensions.get(pw.REVERSES) or None
    if verb == REVERSAL_VERB and reverses is None:
        raise SoapFault(f"a reversal (verb Delete) names the payment it reverses: {pw.REVERSES}")
    return Tender(
        account_number=account_number,
        element=element,
        financial_transaction_id=transaction_id,
        verb=verb,
        amount_cents=amount,
        fee_cents=fee,
        authorization_code=tender.authorizationCode,
        payment_mode=tender.paymentMode,
        masked_number=masked,
        paid_items=paid_items,
        reverses=reverses,
        reason_code=extensions.get(pw.REASON_CODE) or None,
    )


def read_tenders(request: Any) -> list[Tender]:
    """Every tender of a ProcessPaymentTransaction / CommitPaymentTransaction, checked;
    a SoapFault for the first malformed one (and then nothing is written)."""
    transactions = request.transactions
    listed = transactions.paymentTransaction if transactions is not None else []
    if not listed:
        raise SoapFault("no paymentTransaction to process")
    tenders = []
    for transaction in listed:
        account_number = (transaction.accountNumber or "").strip()
        if not account_number:
            raise SoapFault("a paymentTransaction needs its accountNumber")
        if transaction.cashPayment:
            raise SoapFault("cashPayment is not taken here: cash is posted at the office")
        for element in ACCEPTED_ELEMENTS:
            for payment in getattr(transaction, element) or []:
                tenders.append(_tender(account_number, element, payment))
    if not tenders:
        raise SoapFault("a paymentTransaction needs a payment with a tender")
    return tenders


def _items(**values: str) -> dict[str, Any]:
    return {
        "extensionsItem": [
            {"extName": name, "extValue": value, "extType": "string"}
            for name, value in values.items()
        ]
    }


def _answer(tender: Tender, tender_answer: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountNumber": tender.account_number,
        "typeService": pw.SERVICE_TYPE,
        tender.element: [{"tender": tender_answer}],
    }


def answered(
    tender: Tender, receipt: str | None, posted_at: str | None, **extensions: str
) -> dict[str, Any]:
    """The tender answered Success; no `posted_at` while a two-step CIS holds it."""
    values = dict(extensions)
    if posted_at is not None:
        values[pw.POSTED_AT] = posted_at
    answer: dict[str, Any] = {
        "objectID": receipt,
        "verb": tender.verb,
        "extensionsList": _items(**values) if values else None,
        "amount": from_cents(tender.amount_cents),
        "convenienceFee": from_cents(tender.fee_cents),
        "authorizationCode": tender.authorization_code,
        "paymentMode": tender.payment_mode,
        "responseCode": pw.SUCCESS,
        "financialTransactionID": tender.financial_transaction_id,
    }
    return _answer(tender, answer)


def refused(tender: Tender, refusal: TenderRefused) -> dict[str, Any]:
    answer = {
        "verb": tender.verb,
        "errorString": refusal.message,
        "extensionsList": _items(**{pw.FAILURE_REASON: refusal.reason}),
        "amount": from_cents(tender.amount_cents),
        "responseCode": "Failure",
        "financialTransactionID": tender.financial_transaction_id,
    }
    return _answer(tender, answer)
