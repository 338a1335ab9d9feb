"""An administrator refunds a posted payment: asked for here, carried out by the worker.

The request checks that the payment can be refunded and writes, in one transaction,
the payment event naming who asked and why and the outbox entry that refunds it (one
per payment: asking twice queues nothing more). The worker (`refund_payment`) refunds
the whole amount at the processor, with an idempotency key derived from the payment
id, so a retried run refunds once, and then reverses the payment in the CIS
(`gateway.payments.reversal`): REFUNDED. The processor's `charge.refunded` webhook
that follows finds the payment refunded and changes nothing.

An e-check can be refunded only once its debit has settled at the bank (before that,
the processor has nothing to give back; the member's bank may still return it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from adapters.cis.payments import CisPayments
from adapters.payments.port import (
    Charge,
    Debit,
    DebitStatus,
    MethodKind,
    PaymentConflict,
    PaymentInvalid,
    PaymentProcessor,
    PaymentsUnavailable,
)
from gateway.core.clock import Clock, as_utc, utc_now
from gateway.core.outbox.failure import describe_failure
from gateway.core.outcomes import FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.identity.policy import AccountAccess
from gateway.identity.roles import require_admin
from gateway.payments import store as payments_store
from gateway.payments.processing import ForgetBalance
from gateway.payments.reversal import REFUND_REASON_CODE, reverse_payment
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment
from gateway.payments.tables import PaymentEventRow

logger = logging.getLogger("gateway.payments")

# The outbox entry that refunds a payment (see gateway.worker).
REFUND_PAYMENT_KIND: Final = "payments.refund"
MAX_REASON_LENGTH: Final = 300


def refund_outbox_key(payment_id: str) -> str:
    return f"refund:{payment_id}"


def refund_idempotency_key(payment_id: str) -> str:
    """The processor's key for the payment's refund: one refund per payment, ever."""
    return f"refund_{payment_id}"


@dataclass(frozen=True, slots=True)
class RefundQueued:
    """The refund is on its way (or was already); the payment as it stands."""

    payment: StoredPayment
    already_requested: bool


@dataclass(frozen=True, slots=True)
class RefundRefused:
    """The payment cannot be refunded now; `reason` says why, for the administrator."""

    reason: str
    account_number: str  # the payment's: the attempt is audited too


RefundOutcome = RefundQueued | RefundRefused | FieldProblem


async def request_refund(
    *,
    access: AccountAccess,
    store: GatewayStore,
    processor: PaymentProcessor | None,
    payment_id: str,
    reason: str,
    clock: Clock = utc_now,
    on_outbox_committed: Callable[[], None] | None = None,
) -> RefundOutcome:
    """Admins only (`Forbidden` for anyone else). `processor` None: payments are not
    set up, and `PaymentsUnavailable` is raised."""
    admin = await require_admin(access)
    why = " ".join(reason.split())
    if not 0 < len(why) <= MAX_REASON_LENGTH:
        return FieldProblem("reason", f"Give a reason of 1 to {MAX_REASON_LENGTH} characters.")
    payment = await payments_store.get_payment(store, payment_id.strip())
    if payment is None:
        return FieldProblem("paymentId", "No payment with this id was found.")
    if payment.status is not PaymentStatus.POSTED:
        return RefundRefused(
            f"Only a posted payment can be refunded; this one is {payment.status.value}.",
            payment.account_number,
        )
    if processor is None:
        raise PaymentsUnavailable("no payment processor is configured")
    if payment.method_kind is MethodKind.BANK_ACCOUNT:
        assert payment.processor_payment_id is not None  # set before a payment is posted
        debit = await processor.get_debit(payment.processor_payment_id)
        if debit.status is not DebitStatus.SETTLED:
            return RefundRefused(
                "This e-check has not cleared the member's bank yet; refund it once it settles.",
                payment.account_number,
            )
    now = clock()
    async with unit_of_work(
        store, clock=lambda: now, on_outbox_committed=on_outbox_committed
    ) as uow:
        queued = await uow.add_outbox(
            kind=REFUND_PAYMENT_KIND,
            payload={"payment_id": payment.id},
            idempotency_key=refund_outbox_key(payment.id),
        )
        if queued.created:
            uow.session.add(
                PaymentEventRow(
                    payment_id=payment.id,
                    at=as_utc(now),
                    status=payment.status.value,
                    detail=f"refund requested by {admin.email}: {why}",
                )
            )
    if queued.created:
        logger.info("payment %s: refund requested by user %s", payment.id, admin.id)
    return RefundQueued(payment, already_requested=not queued.created)


async def refund_payment(
    *,
    store: GatewayStore,
    processor: PaymentProcessor,
    cis: CisPayments,
    forget_balance: ForgetBalance,
    payment_id: str,
    last_attempt: bool = False,
    clock: Clock = utc_now,
) -> None:
    """The worker's half: refund at the processor, then reverse in the CIS. Raises what
    a later run may get past (a system down, an answer lost: the same key repeats); on
    the `last_attempt`, the payment is set aside as NEEDS_ATTENTION first."""
    payment = await payments_store.get_payment(store, payment_id)
    if payment is None:
        raise LookupError(f"no payment {payment_id}")
    if payment.status is not PaymentStatus.POSTED or payment.processor_payment_id is None:
        return  # returned or refunded meanwhile: nothing is left to give back
    try:
        await _refund(store, processor, cis, forget_balance, payment, clock)
    except Exception as error:
        if last_attempt:
            await payments_store.record_change(
                store,
                payment.id,
                status=PaymentStatus.NEEDS_ATTENTION,
                detail=f"gave up on the refund: {describe_failure(error)}",
                now=clock(),
            )
        raise


async def _refund(
    store: GatewayStore,
    processor: PaymentProcessor,
    cis: CisPayments,
    forget_balance: ForgetBalance,
    payment: StoredPayment,
    clock: Clock,
) -> None:
    assert payment.processor_payment_id is not None
    try:
        refund = await processor.refund(
            payment_id=payment.processor_payment_id,
            amount=payment.total,
            idempotency_key=refund_idempotency_key(payment.id),
            reference=payment.id,
        )
        detail = f"refunded at the processor: {refund.id}"
    except PaymentConflict:
        raise  # the key names another request: a bug, that retries set aside at the end
    except PaymentInvalid as refused:
        # Refunded in full already (at the processor's console, say): book it; else a
        # person must look, as nothing was given back.
        made = await _made(processor, payment)
        if made.amount_refunded < made.amount:
            await payments_store.record_change(
                store,
                payment.id,
                status=PaymentStatus.NEEDS_ATTENTION,
                detail=f"the processor refused the refund: {refused}",
                now=clock(),
            )
            return
        detail = "refunded at the processor before"
    await reverse_payment(
        store=store,
        cis=cis,
        forget_balance=forget_balance,
        payment=payment,
        status=PaymentStatus.REFUNDED,
        reason_code=REFUND_REASON_CODE,
        detail=detail,
        clock=clock,
    )


async def _made(processor: PaymentProcessor, payment: StoredPayment) -> Charge | Debit:
    assert payment.processor_payment_id is not None
    if payment.method_kind is MethodKind.CARD:
        return await processor.get_charge(payment.processor_payment_id)
    return await processor.get_debit(payment.processor_payment_id)
