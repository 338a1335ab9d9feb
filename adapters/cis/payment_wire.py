"""Payments as MultiSpeak 3.0 CB_Server messages, and the CIS's answers as port records.

What the standard gives (CB_Server.wsdl): ProcessPaymentTransaction and
CommitPaymentTransaction each take a `paymentTransactionList`; a `paymentTransaction`
names the account and holds one payment element per kind (`creditCardPayment`,
`eCheckPayment`, `achPayment`), each with a `tender`: amount, convenienceFee, total,
authorizationCode, payableItemList, paymentMode, financialTransactionID, and the
answer's responseCode. The CIS answers with the same list, filled in.

What it does not give, and how this adapter (and the CIS stand-in) fill the gaps,
all within the standard's own extension points:

- No reversal operation. A reversal is a ProcessPaymentTransaction whose tender has
  `verb="Delete"` (MultiSpeak's action for taking an object back), its own
  financialTransactionID, and the financialTransactionID it reverses and the reason
  code as `extensionsList` items (`REVERSES`, `REASON_CODE`).
- No date on a tender, no "duplicate" answer, no machine-readable failure. The CIS's
  answer carries them as `extensionsList` items: `POSTED_AT` (ISO 8601),
  `ALREADY_DONE` ("true" when the financialTransactionID was seen before and this is
  the first result again) and, with responseCode Failure, `FAILURE_REASON` (one of
  `FAILURES`) beside the human `errorString`. The tender's `objectID` is the CIS's
  receipt number.
- `paymentMode` is a free string in 3.0; it is sent as `PAYMENT_MODES` says.
- A paid item is a `payableItem` naming the item (`objectID`) with the amount applied
  to it in `currentAmount` (payableItem has no "amount paid" element).
- The card or bank account number goes only masked, in `creditCardNumber` or
  `checkingAccountNumber`; no expiry, CVC or routing number is ever sent.

Reading functions raise `ValueError` for an answer they cannot make sense of; the
adapter reports that as a `CisFault`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Final

from adapters.cis.payments import (
    PaymentExtensionOffer,
    PaymentMode,
    PaymentPosting,
    PostingResult,
    PrepayBalance,
    Reversal,
    ReversalResult,
)
from adapters.multispeak import money

Wire = Mapping[str, Any]

SERVICE_TYPE: Final = "Electric"
SUCCESS: Final = "Success"
POSTING_VERB: Final = "New"
REVERSAL_VERB: Final = "Delete"

# extensionsList item names (extName) on tenders, request and answer.
REVERSES: Final = "reversesFinancialTransactionID"
REASON_CODE: Final = "reasonCode"
POSTED_AT: Final = "postedAt"
ALREADY_DONE: Final = "alreadyPosted"
FAILURE_REASON: Final = "failureReason"

# FAILURE_REASON values.
UNKNOWN_ACCOUNT: Final = "UnknownAccount"
UNKNOWN_TRANSACTION: Final = "UnknownTransaction"
ALREADY_REVERSED: Final = "AlreadyReversed"
AMOUNT_MISMATCH: Final = "AmountMismatch"
NOT_COMMITTED: Final = "NotCommitted"  # two-step CIS: processed, waiting for a commit
FAILURES: Final = frozenset(
    {UNKNOWN_ACCOUNT, UNKNOWN_TRANSACTION, ALREADY_REVERSED, AMOUNT_MISMATCH, NOT_COMMITTED}
)

# The payment element of each mode, and the element inside it holding the number.
PAYMENT_ELEMENTS: Final = {
    PaymentMode.CARD: ("creditCardPayment", "creditCardInfo", "creditCardNumber"),
    PaymentMode.ECHECK: ("eCheckPayment", "checkInfo", "checkingAccountNumber"),
    PaymentMode.ACH: ("achPayment", "checkInfo", "checkingAccountNumber"),
}
PAYMENT_MODES: Final = {
    PaymentMode.CARD: "CreditCard",
    PaymentMode.ECHECK: "ECheck",
    PaymentMode.ACH: "ACH",
}


def _extensions(**values: str) -> dict[str, Any]:
    return {
        "extensionsItem": [
            {"extName": name, "extValue": value, "extType": "string"}
            for name, value in values.items()
        ]
    }


def extension_values(tender: Wire) -> dict[str, str]:
    """A tender's `extensionsList` as a name -> value mapping."""
    listed = (tender.get("extensionsList") or {}).get("extensionsItem") or []
    return {
        str(item.get("extName")): str(item.get("extValue") or "")
        for item in listed
        if item and item.get("extName")
    }


def posting_transactions(posting: PaymentPosting) -> dict[str, Any]:
    """The `transactions` argument of ProcessPaymentTransaction (or Commit...)."""
    element, info, number = PAYMENT_ELEMENTS[posting.payment_mode]
    tender: dict[str, Any] = {
        "verb": POSTING_VERB,
        "amount": posting.amount,
        "convenienceFee": posting.convenience_fee,
        "total": posting.total,
        "authorizationCode": posting.authorization_code,
        "payableItemList": (
            {
                "payableItem": [
                    {"objectID": item.payable_item_id, "currentAmount": item.amount}
                    for item in posting.paid_items
                ]
            }
            if posting.paid_items
            else None
        ),
        "paymentMode": PAYMENT_MODES[posting.payment_mode],
        "financialTransactionID": posting.financial_transaction_id,
    }
    payment = {info: {number: posting.masked}, "tender": tender}
    return _transactions(posting.account_number, element, payment)


def reversal_transactions(reversal: Reversal) -> dict[str, Any]:
    element, _, _ = PAYMENT_ELEMENTS[reversal.payment_mode]
    tender = {
        "verb": REVERSAL_VERB,
        "extensionsList": _extensions(
            **{REVERSES: reversal.original_transaction_id, REASON_CODE: reversal.reason_code}
        ),
        "amount": reversal.amount,
        "paymentMode": PAYMENT_MODES[reversal.payment_mode],
        "financialTransactionID": reversal.reversal_id,
    }
    return _transactions(reversal.account_number, element, {"tender": tender})


def _transactions(account_number: str, element: str, payment: Wire) -> dict[str, Any]:
    return {
        "paymentTransaction": [
            {"accountNumber": account_number, "typeService": SERVICE_TYPE, element: [payment]}
        ]
    }


def answered_tender(result: Wire | None, financial_transaction_id: str) -> Wire:
    """The tender of the answer that carries `financial_transaction_id`."""
    for transaction in (result or {}).get("paymentTransaction") or []:
        for element, _, _ in PAYMENT_ELEMENTS.values():
            for payment in (transaction or {}).get(element) or []:
                tender = (payment or {}).get("tender") or {}
                if tender.get("financialTransactionID") == financial_transaction_id:
                    return tender
    raise ValueError(f"the answer has no tender for {financial_transaction_id!r}")


def failure(tender: Wire) -> tuple[str, str] | None:
    """(FAILURE_REASON, errorString) of a tender the CIS refused; None if it succeeded."""
    if tender.get("responseCode") == SUCCESS:
        return None
    reason = extension_values(tender).get(FAILURE_REASON, "")
    return reason, str(tender.get("errorString") or "no reason given")


def _posted_at(tender: Wire) -> datetime:
    text = extension_values(tender).get(POSTED_AT)
    if not text:
        raise ValueError(f"the tender has no {POSTED_AT}")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _receipt(tender: Wire) -> str:
    receipt = str(tender.get("objectID") or "").strip()
    if not receipt:
        raise ValueError("the tender has no objectID (the CIS's receipt number)")
    return receipt


def _already(tender: Wire) -> bool:
    return extension_values(tender).get(ALREADY_DONE, "").lower() == "true"


def is_posted(tender: Wire) -> bool:
    """False for a tender a two-step CIS holds until it is committed (no posting date)."""
    return bool(extension_values(tender).get(POSTED_AT))


def posting_result(tender: Wire) -> PostingResult:
    return PostingResult(
        financial_transaction_id=str(tender["financialTransactionID"]),
        cis_transaction_id=_receipt(tender),
        posted_at=_posted_at(tender),
        already_posted=_already(tender),
    )


def reversal_result(reversal: Reversal, tender: Wire) -> ReversalResult:
    return ReversalResult(
        reversal_id=reversal.reversal_id,
        original_transaction_id=reversal.original_transaction_id,
        cis_transaction_id=_receipt(tender),
        reversed_at=_posted_at(tender),
        already_reversed=_already(tender),
    )


def extension_request(account_number: str, extended_to: date | None = None) -> dict[str, Any]:
    """The `extensionList` of RequestPaymentExtension (or, with a date, ExtendPayment)."""
    extension = {"accountNumber": account_number, "typeService": SERVICE_TYPE}
    return {"paymentExtension": [{**extension, "extendedTo": extended_to}]}


def extension_offer(account_number: str, result: Wire | None) -> PaymentExtensionOffer | None:
    """The CIS's offer; None when it answered nothing for the account (an unknown one)."""
    answers = [
        answer
        for answer in (result or {}).get("paymentExtension") or []
        if answer and answer.get("accountNumber") == account_number
    ]
    if not answers:
        return None
    answer = answers[0]
    if answer.get("responseCode") != SUCCESS:
        return PaymentExtensionOffer(account_number, eligible=False)
    extended_to = answer.get("extendedTo")
    if not isinstance(extended_to, date):
        raise ValueError("an extension granted without an extendedTo date")
    return PaymentExtensionOffer(account_number, eligible=True, extended_to=extended_to)


def prepay_balance(account_number: str, location: Wire) -> PrepayBalance:
    balance = money(location.get("totalBalance"))
    if balance is None:
        raise ValueError("the ppmLocation has no totalBalance")
    as_of = location.get("lastReadingDate")
    if not isinstance(as_of, datetime):
        raise ValueError("the ppmLocation has no lastReadingDate")
    return PrepayBalance(
        account_number=account_number,
        balance=balance,
        as_of=as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC),
    )
