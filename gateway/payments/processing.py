"""The worker's half of a payment: charge (or debit) it, post it to the CIS, confirm it.

Each run reads the payment's row and carries on from where it stands, so a run cut
short anywhere (a crash, a lost answer, a lease that ran out) is simply run again:

- not yet charged: charge with the payment id as the idempotency key and reference.
  The processor answers a repeated key with the first charge, so a charge whose answer
  was lost is never made twice; one whose answer is known lost is looked up by its
  reference first.
- charged: post to the CIS with the payment id as financialTransactionID; the CIS
  answers a repeated id with the first posting (`already_posted`).
- posted, declined or set aside: nothing is left to do.

Every change is written with a payment event. A failure that may pass (a system down,
an answer lost) is raised, so that the outbox runs the payment again later; on the
last allowed run the payment is set aside as NEEDS_ATTENTION for staff before it is
raised. What retrying cannot fix (the CIS refusing a charged payment) is set aside at
once: money has moved, and a person must book or refund it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Final

from adapters.cis.payments import CisPayments, PaymentMode, PaymentPosting, PaymentRefused
from adapters.payments.port import (
    Charge,
    ChargeStatus,
    Debit,
    DebitStatus,
    MethodKind,
    PaymentConflict,
    PaymentDeclined,
    PaymentInvalid,
    PaymentOutcomeUnknown,
    PaymentProcessor,
)
from adapters.rules.masked_numbers import MASK_CHARACTERS
from gateway.core.clock import Clock, utc_now
from gateway.core.outbox.failure import describe_failure
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.scheduling import claim_scheduled
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment

logger = logging.getLogger("gateway.payments")

# Shown for a method the processor no longer takes (deleted since the payment was made).
METHOD_UNUSABLE: Final = "This payment method can no longer be used; choose another one."
# The CIS receives the last four digits only, behind a mask of twelve.
MASK: Final = MASK_CHARACTERS[0] * 12

ForgetBalance = Callable[[str], Awaitable[None]]


class PaymentMissing(LookupError):
    """An outbox entry names a payment the store does not hold."""


async def process_payment(
    *,
    store: GatewayStore,
    processor: PaymentProcessor,
    cis: CisPayments,
    forget_balance: ForgetBalance,
    payment_id: str,
    last_attempt: bool,
    clock: Clock = utc_now,
) -> None:
    """Advance the payment as far as it goes; raise what a later run may get past.

    `forget_balance(account_number)` drops the account's cached balance (the CIS's
    balance changes with the posting). `last_attempt`: the outbox runs this entry no
    more after this run, so a failure sets the payment aside as NEEDS_ATTENTION.
    """
    payment = await payments_store.get_payment(store, payment_id)
    if payment is None:
        raise PaymentMissing(f"no payment {payment_id}")
    if payment.status.is_final:
        return
    if payment.status is PaymentStatus.SCHEDULED:
        # Its day has come: take it, unless the member cancelled it a moment ago.
        if not await claim_scheduled(store, payment.id, now=clock()):
            return
        payment = replace(payment, status=PaymentStatus.PROCESSING)
    try:
        if payment.processor_payment_id is None:
            charged = await _charge(store, processor, payment, clock)
            if charged is None:
                return
            payment = charged
        await _post(store, cis, payment, forget_balance, clock)
    except Exception as error:
        if last_attempt:
            await _set_aside(store, payment, f"gave up: {describe_failure(error)}", clock)
        raise


async def _charge(
    store: GatewayStore, processor: PaymentProcessor, payment: StoredPayment, clock: Clock
) -> StoredPayment | None:
    """The payment with its charge (or debit) id; None when it ended here."""
    try:
        made = await _move_money(processor, payment)
    except PaymentDeclined as declined:
        await payments_store.record_change(
            store,
            payment.id,
            status=PaymentStatus.DECLINED,
            detail=f"declined by the processor: {declined.code.value}",
            now=clock(),
            decline_reason=declined.member_message,
            processor_payment_id=declined.payment_id,
        )
        return None
    except PaymentOutcomeUnknown:
        found = await _find_made(processor, payment)
        if found is None:
            raise  # never made, or not findable yet: a later run repeats the same key
        made = found
    except PaymentConflict:
        raise  # the key names another request: a bug, that retries set aside at the end
    except PaymentInvalid:
        # Nothing was moved: the method was deleted or refused for this kind of payment.
        await payments_store.record_change(
            store,
            payment.id,
            status=PaymentStatus.DECLINED,
            detail="the processor refused the payment method",
            now=clock(),
            decline_reason=METHOD_UNUSABLE,
        )
        return None
    if _failed(made):
        await payments_store.record_change(
            store,
            payment.id,
            status=PaymentStatus.DECLINED,
            detail=f"declined by the processor: {made.id}",
            now=clock(),
            decline_reason=made.failure_message or METHOD_UNUSABLE,
            processor_payment_id=made.id,
        )
        return None
    await payments_store.record_change(
        store,
        payment.id,
        status=PaymentStatus.PROCESSING,
        detail=f"charged: {made.id}",
        now=clock(),
        processor_payment_id=made.id,
    )
    return await _reread(store, payment.id)


async def _move_money(processor: PaymentProcessor, payment: StoredPayment) -> Charge | Debit:
    # The payment id is the key and the reference: a repeat answers the first result,
    # and a lost answer can be found.
    if payment.method_kind is MethodKind.CARD:
        return await processor.charge(
            amount=payment.total,
            source=payment.processor_method_id,
            idempotency_key=payment.id,
            reference=payment.id,
        )
    return await processor.debit(
        amount=payment.total,
        source=payment.processor_method_id,
        idempotency_key=payment.id,
        reference=payment.id,
    )


async def _find_made(processor: PaymentProcessor, payment: StoredPayment) -> Charge | Debit | None:
    if payment.method_kind is MethodKind.CARD:
        return await processor.find_charge(payment.id)
    return await processor.find_debit(payment.id)


def _failed(made: Charge | Debit) -> bool:
    if isinstance(made, Charge):
        return made.status is ChargeStatus.FAILED
    return made.status is DebitStatus.FAILED


async def _post(
    store: GatewayStore,
    cis: CisPayments,
    payment: StoredPayment,
    forget_balance: ForgetBalance,
    clock: Clock,
) -> None:
    assert payment.processor_payment_id is not None
    posting = PaymentPosting(
        financial_transaction_id=payment.id,
        account_number=payment.account_number,
        amount=payment.amount,
        authorization_code=payment.processor_payment_id,
        payment_mode=PaymentMode.CARD
        if payment.method_kind is MethodKind.CARD
        else PaymentMode.ECHECK,
        masked_method=MASK + payment.method_last4,
        convenience_fee=payment.fee,
    )
    # Before as well as after: a crash between the posting and the end of this run
    # must not leave the old balance cached.
    await forget_balance(payment.account_number)
    try:
        result = await cis.post_payment(posting)
    except PaymentRefused as refused:
        logger.error("payment %s: the CIS refused the posting: %s", payment.id, refused)
        await _set_aside(store, payment, f"the CIS refused the posting: {refused}", clock)
        return
    await payments_store.record_change(
        store,
        payment.id,
        status=PaymentStatus.POSTED,
        detail=f"posted to the CIS: {result.cis_transaction_id}"
        + (" (posted before)" if result.already_posted else ""),
        now=clock(),
        confirmation=result.cis_transaction_id,
        posted_at=result.posted_at,
    )
    await forget_balance(payment.account_number)
    logger.info("payment %s posted to the CIS as %s", payment.id, result.cis_transaction_id)


async def _set_aside(
    store: GatewayStore, payment: StoredPayment, detail: str, clock: Clock
) -> None:
    await payments_store.record_change(
        store,
        payment.id,
        status=PaymentStatus.NEEDS_ATTENTION,
        detail=detail,
        now=clock(),
    )


async def _reread(store: GatewayStore, payment_id: str) -> StoredPayment:
    payment = await payments_store.get_payment(store, payment_id)
    if payment is None:
        raise PaymentMissing(f"no payment {payment_id}")
    return payment
