"""`CisPayments` over MultiSpeak 3.0 CB_Server: the payment half of `SoapCis`.

The messages are built and read by `adapters.cis.payment_wire`, which documents what
MultiSpeak 3.0 leaves open and how it is filled. Vendor setting: `commit_payments`,
for a CIS that posts a payment in two steps (ProcessPaymentTransaction checks and
holds it, CommitPaymentTransaction posts it); off, ProcessPaymentTransaction posts.

Nothing here retries: a write whose answer was lost raises `CisUnavailable`, and the
caller retries the whole call with the same financialTransactionID, which the CIS
answers with the first result. In two steps, a retry finds the payment held (or
posted) and commits it (or is told it was posted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from adapters.cis import payment_wire, wire
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
from adapters.cis.port import CisFault, CisNotFound, ServiceLocation

T = TypeVar("T")
PROCESS = "ProcessPaymentTransaction"
COMMIT = "CommitPaymentTransaction"


class SoapCisPayments:
    """The payment calls of `SoapCis`, which provides `_call` and the setting."""

    _commit_payments: bool

    async def _call(self, operation: str, arguments: Mapping[str, Any] | None = None) -> Any:
        raise NotImplementedError

    async def get_service_locations_by_account(
        self, account_number: str
    ) -> Sequence[ServiceLocation]:
        raise NotImplementedError

    async def _tender(
        self, operation: str, transactions: Mapping[str, Any], financial_transaction_id: str
    ) -> wire.Wire:
        """The CIS's answer for one tender; the adapter's errors when it refused it."""
        result = await self._call(operation, {"transactions": transactions})
        try:
            tender = payment_wire.answered_tender(result, financial_transaction_id)
        except (ValueError, TypeError, AttributeError) as exc:
            raise CisFault(f"{operation}: unreadable answer ({exc})") from None
        refused = payment_wire.failure(tender)
        if refused is not None:
            reason, message = refused
            error = UnknownPayment if reason == payment_wire.UNKNOWN_TRANSACTION else PaymentRefused
            raise error(f"{operation} refused: {message}")
        return tender

    async def post_payment(self, posting: PaymentPosting) -> PostingResult:
        transactions = payment_wire.posting_transactions(posting)
        key = posting.financial_transaction_id
        tender = await self._tender(PROCESS, transactions, key)
        if self._commit_payments and not payment_wire.is_posted(tender):
            tender = await self._tender(COMMIT, transactions, key)
        if not payment_wire.is_posted(tender):
            raise CisFault(
                f"{PROCESS}: the CIS holds {key} until it is committed "
                "(this CIS wants two steps: turn on commit_payments)"
            )
        return _read(PROCESS, lambda: payment_wire.posting_result(tender))

    async def reverse_payment(self, reversal: Reversal) -> ReversalResult:
        transactions = payment_wire.reversal_transactions(reversal)
        tender = await self._tender(PROCESS, transactions, reversal.reversal_id)
        return _read(PROCESS, lambda: payment_wire.reversal_result(reversal, tender))

    async def request_payment_extension(self, account_number: str) -> PaymentExtensionOffer:
        result = await self._call(
            "RequestPaymentExtension",
            {"extensionList": payment_wire.extension_request(account_number)},
        )
        offer = _read(
            "RequestPaymentExtension",
            lambda: payment_wire.extension_offer(account_number, result),
        )
        if offer is None:
            raise CisNotFound(f"no account {account_number!r}")
        return offer

    async def accept_payment_extension(self, offer: PaymentExtensionOffer) -> None:
        if not offer.eligible or offer.extended_to is None:
            raise ValueError("only an eligible offer can be accepted")
        result = await self._call(
            "ExtendPayment",
            {
                "extensionList": payment_wire.extension_request(
                    offer.account_number, offer.extended_to
                )
            },
        )
        errors = wire.items(result, "errorObject")
        if errors:
            reason = errors[0].get("errorString") or "no reason given"
            raise PaymentRefused(f"ExtendPayment refused: {reason}")

    async def prepay_balance(self, account_number: str) -> PrepayBalance | NotPrepay:
        result = await self._call("GetPPMCustomer", {"accountNumber": account_number})
        if not result:
            # MultiSpeak answers an unknown key and a postpaid account alike: nothing.
            await self.get_service_locations_by_account(account_number)  # CisNotFound
            return NotPrepay(account_number)
        return _read("GetPPMCustomer", lambda: payment_wire.prepay_balance(account_number, result))


def _read(operation: str, convert: Callable[[], T]) -> T:
    try:
        return convert()
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise CisFault(f"{operation}: unreadable answer ({exc})") from None
