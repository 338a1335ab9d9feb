"""Taking a posted payment back off the member's account in the CIS: a bank's return
of an e-check, or a refund.

The reversal's financialTransactionID is derived from the payment id (`rev_` for
`pay_`), one per payment whatever undoes it: the CIS answers a repeated id with the
first reversal, so a retried run, or a return and a refund of the same payment, never
takes the amount off twice.
"""

from __future__ import annotations

import logging
from typing import Final

from adapters.cis.payments import CisPayments, PaymentMode, PaymentRefused, Reversal
from adapters.payments.port import MethodKind
from gateway.core.clock import Clock
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.processing import ForgetBalance
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment

logger = logging.getLogger("gateway.payments")

REVERSAL_PREFIX: Final = "rev_"
# The CIS's reason code for a refund; a return carries the bank's NACHA code (R01).
REFUND_REASON_CODE: Final = "REFUND"
_UNDONE: Final = frozenset({PaymentStatus.RETURNED, PaymentStatus.REFUNDED})


class PaymentNotYetPosted(RuntimeError):
    """The payment is still on its way to the CIS: there is nothing to reverse yet.

    Raised so that the outbox runs the reversal again once the posting had its turn.
    """


def reversal_id(payment_id: str) -> str:
    """The reversal's financialTransactionID: `rev_<hex>` for `pay_<hex>`."""
    return REVERSAL_PREFIX + payment_id.removeprefix("pay_")


async def reverse_payment(
    *,
    store: GatewayStore,
    cis: CisPayments,
    forget_balance: ForgetBalance,
    payment: StoredPayment,
    status: PaymentStatus,
    reason_code: str,
    detail: str,
    clock: Clock,
    member_reason: str | None = None,
) -> None:
    """Reverse `payment` in the CIS and give it `status` (RETURNED or REFUNDED).

    A payment already returned or refunded is left as it is. One that never reached
    the CIS (declined, set aside) is set aside for staff: money may have moved at the
    processor that the CIS never saw. Raises `PaymentNotYetPosted` while it is still
    PROCESSING, and what the CIS raises when it is down.
    """
    if payment.status in _UNDONE:
        return
    if payment.status is PaymentStatus.PROCESSING:
        raise PaymentNotYetPosted(f"payment {payment.id} is not posted yet")
    if payment.status is not PaymentStatus.POSTED:
        await payments_store.record_change(
            store,
            payment.id,
            status=PaymentStatus.NEEDS_ATTENTION,
            detail=f"{detail}, but it was {payment.status.value}: nothing reversed",
            now=clock(),
        )
        return
    reversal = Reversal(
        reversal_id=reversal_id(payment.id),
        original_transaction_id=payment.id,
        account_number=payment.account_number,
        amount=payment.amount,
        payment_mode=PaymentMode.CARD
        if payment.method_kind is MethodKind.CARD
        else PaymentMode.ECHECK,
        reason_code=reason_code,
    )
    # Before as well as after, as for the posting: a crash in between must not leave
    # the balance that still counts the payment in the cache.
    await forget_balance(payment.account_number)
    try:
        result = await cis.reverse_payment(reversal)
    except PaymentRefused as refused:
        logger.error("payment %s: the CIS refused the reversal: %s", payment.id, refused)
        await payments_store.record_change(
            store,
            payment.id,
            status=PaymentStatus.NEEDS_ATTENTION,
            detail=f"{detail}; the CIS refused the reversal: {refused}",
            now=clock(),
        )
        return
    fields = {} if member_reason is None else {"decline_reason": member_reason}
    # From POSTED only: a return and a refund of one payment may both get here, and
    # the CIS reversed it once; the first to finish names what undid it.
    await payments_store.record_change_from(
        store,
        payment.id,
        expected=PaymentStatus.POSTED,
        status=status,
        detail=f"{detail}; reversed in the CIS: {result.cis_transaction_id}"
        + (" (reversed before)" if result.already_reversed else ""),
        now=clock(),
        **fields,
    )
    await forget_balance(payment.account_number)
    logger.info("payment %s %s; reversed in the CIS", payment.id, status.value)
