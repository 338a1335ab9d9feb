"""The worker acting on a processor event the webhook route accepted.

The event row holds only the event's type, the processor object's id and its
reference (the payment id); what the object now is, is read from the processor
itself. So the worker acts on the processor's current word, whatever order the
events arrived in, and an event body is never trusted beyond its signature.

- `debit.settled`: the e-check cleared. It was posted to the CIS when it was made
  (the member's balance shows the payment at once, as co-ops do for e-checks), so
  the payment stays POSTED and the settlement is recorded as an event.
- `debit.returned`: the member's bank sent the debit back (R01 insufficient funds,
  R02 account closed, ...): the payment is reversed in the CIS with the return code,
  and it is RETURNED, with the bank's reason for the member.
- `charge.refunded`, `debit.refunded`: refunded in full, the payment is reversed in
  the CIS (reason REFUND) and REFUNDED; a part refund made at the processor cannot be
  booked whole, and is set aside for staff.
- any other type, or an event about no payment of the gateway's: kept (its row says
  it came) and otherwise ignored.

A return or refund of a payment still on its way to the CIS raises
`PaymentNotYetPosted`, and the outbox runs the event again after the posting.
"""

from __future__ import annotations

import logging
from typing import Final

from adapters.cis.payments import CisPayments
from adapters.payments.port import Charge, Debit, DebitStatus, PaymentProcessor
from gateway.core.clock import Clock, utc_now
from gateway.core.outbox.failure import describe_failure
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.processing import ForgetBalance
from gateway.payments.reversal import REFUND_REASON_CODE, reverse_payment
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment
from gateway.payments.webhook_intake import AcceptedEvent, accepted_event

logger = logging.getLogger("gateway.payments")

DEBIT_SETTLED: Final = "debit.settled"
DEBIT_RETURNED: Final = "debit.returned"
CHARGE_REFUNDED: Final = "charge.refunded"
DEBIT_REFUNDED: Final = "debit.refunded"
HANDLED_TYPES: Final = frozenset({DEBIT_SETTLED, DEBIT_RETURNED, CHARGE_REFUNDED, DEBIT_REFUNDED})
# The CIS's reason code for a return whose NACHA code the processor did not give.
UNKNOWN_RETURN_CODE: Final = "RETURN"
# Shown to the member when the bank gave no reason of its own.
RETURNED_BY_BANK: Final = "Your bank returned the payment."


class EventMissing(LookupError):
    """An outbox entry names an event the store does not hold."""


async def handle_event(
    *,
    store: GatewayStore,
    processor: PaymentProcessor,
    cis: CisPayments,
    forget_balance: ForgetBalance,
    event_id: str,
    last_attempt: bool = False,
    clock: Clock = utc_now,
) -> None:
    """Act on the accepted event `event_id`; raise what a later run may get past.

    `last_attempt`: the outbox runs this entry no more after this run, so a return or
    refund that fails now sets the payment aside as NEEDS_ATTENTION: the member's bank
    or the processor gave the money back, and the CIS does not know it yet.
    """
    event = await accepted_event(store, event_id)
    if event is None:
        raise EventMissing(f"no payment event {event_id}")
    if event.type not in HANDLED_TYPES:
        logger.info("payment event %s: type %s is not acted on", event.event_id, event.type)
        return
    payment = await _payment_of(store, event)
    if payment is None:
        return
    try:
        await _act(store, processor, cis, forget_balance, event, payment, clock)
    except Exception as error:
        if last_attempt and event.type != DEBIT_SETTLED:
            await payments_store.record_change(
                store,
                payment.id,
                status=PaymentStatus.NEEDS_ATTENTION,
                detail=f"gave up on {event.type} {event.object_id}: {describe_failure(error)}",
                now=clock(),
            )
        raise


async def _act(
    store: GatewayStore,
    processor: PaymentProcessor,
    cis: CisPayments,
    forget_balance: ForgetBalance,
    event: AcceptedEvent,
    payment: StoredPayment,
    clock: Clock,
) -> None:
    if event.type == DEBIT_SETTLED:
        await _settled(store, payment, event, clock)
    elif event.type == DEBIT_RETURNED:
        debit = await processor.get_debit(event.object_id)
        if debit.status is not DebitStatus.RETURNED:
            logger.warning("payment event %s: debit %s is not returned", event.event_id, debit.id)
            return
        code = debit.return_code or UNKNOWN_RETURN_CODE
        await reverse_payment(
            store=store,
            cis=cis,
            forget_balance=forget_balance,
            payment=payment,
            status=PaymentStatus.RETURNED,
            reason_code=code,
            detail=f"returned by the bank: {code}",
            clock=clock,
            member_reason=debit.failure_message or RETURNED_BY_BANK,
        )
    else:
        refunded = await _refunded_object(processor, event)
        if refunded.amount_refunded < refunded.amount:
            await _part_refund(store, payment, refunded, clock)
            return
        await reverse_payment(
            store=store,
            cis=cis,
            forget_balance=forget_balance,
            payment=payment,
            status=PaymentStatus.REFUNDED,
            reason_code=REFUND_REASON_CODE,
            detail=f"refunded at the processor: {refunded.amount_refunded}",
            clock=clock,
        )


async def _payment_of(store: GatewayStore, event: AcceptedEvent) -> StoredPayment | None:
    """The gateway's payment the event is about, or None (the processor serves others
    too: a payment taken at the co-op's counter is not the gateway's)."""
    payment = (
        None
        if event.reference is None
        else await payments_store.get_payment(store, event.reference)
    )
    if payment is None or payment.processor_payment_id not in (None, event.object_id):
        logger.info(
            "payment event %s: %s is no payment of the gateway's", event.event_id, event.object_id
        )
        return None
    return payment


async def _settled(
    store: GatewayStore, payment: StoredPayment, event: AcceptedEvent, clock: Clock
) -> None:
    if payment.status.is_final and payment.status is not PaymentStatus.POSTED:
        return  # returned, refunded or set aside: settlement changes none of those
    # An event only: a return or the posting handled meanwhile keeps its status.
    await payments_store.record_event(
        store,
        payment.id,
        status=payment.status,
        detail=f"settled at the bank: {event.object_id}",
        now=clock(),
    )


async def _refunded_object(processor: PaymentProcessor, event: AcceptedEvent) -> Charge | Debit:
    if event.type == CHARGE_REFUNDED:
        return await processor.get_charge(event.object_id)
    return await processor.get_debit(event.object_id)


async def _part_refund(
    store: GatewayStore, payment: StoredPayment, refunded: Charge | Debit, clock: Clock
) -> None:
    if payment.status is not PaymentStatus.POSTED:
        return
    await payments_store.record_change(
        store,
        payment.id,
        status=PaymentStatus.NEEDS_ATTENTION,
        detail=f"refunded in part at the processor ({refunded.amount_refunded} of"
        f" {refunded.amount}): book it in the CIS by hand",
        now=clock(),
    )
