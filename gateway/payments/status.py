"""Where a payment stands, as the member and staff see it."""

from __future__ import annotations

from enum import StrEnum


class PaymentStatus(StrEnum):
    SCHEDULED = "scheduled"  # waits for its date (autopay, a payment set for later)
    PROCESSING = "processing"  # written; the worker charges it and posts it to the CIS
    POSTED = "posted"  # charged and booked on the account in the CIS
    DECLINED = "declined"  # the processor refused it: nothing was moved
    RETURNED = "returned"  # a bank debit the member's bank sent back
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    # Retries ran out, or the CIS refused a charged payment: a person must look at it.
    NEEDS_ATTENTION = "needs_attention"

    @property
    def is_final(self) -> bool:
        """No step of the worker's changes it any more."""
        return self in _FINAL


_FINAL = frozenset(
    {
        PaymentStatus.POSTED,
        PaymentStatus.DECLINED,
        PaymentStatus.RETURNED,
        PaymentStatus.REFUNDED,
        PaymentStatus.CANCELLED,
        PaymentStatus.NEEDS_ATTENTION,
    }
)
