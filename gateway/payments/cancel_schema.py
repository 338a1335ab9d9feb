"""`cancelScheduledPayment`: the member calls off a payment set for a later day."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.payments import scheduling
from gateway.payments.schema import AccountPayment


@strawberry.input
class CancelScheduledPaymentInput:
    payment_id: strawberry.ID


@strawberry.type(description="The payment is CANCELLED; nothing was or will be charged.")
class ScheduledPaymentCancelled:
    payment: AccountPayment


@strawberry.type(
    description="The payment is no longer waiting for its day (it is being charged, or has"
    " ended): it cannot be cancelled. `payment` shows where it stands."
)
class PaymentNotCancellable:
    message: str
    payment: AccountPayment


@strawberry.type(description="No payment of yours has this id.")
class PaymentNotFound:
    payment_id: strawberry.ID


CancelScheduledPaymentResult = Annotated[
    ScheduledPaymentCancelled | PaymentNotCancellable | PaymentNotFound,
    strawberry.union("CancelScheduledPaymentResult"),
]


@strawberry.type
class ScheduledPaymentMutations:
    @described_mutation(
        "Cancel one of your SCHEDULED payments before its day comes. Once the worker has"
        " taken it, the answer is PaymentNotCancellable and it goes through."
    )
    async def cancel_scheduled_payment(
        self, info: GatewayInfo, input: CancelScheduledPaymentInput
    ) -> CancelScheduledPaymentResult:
        context = info.context
        user = await context.access.require_user()
        outcome = await scheduling.cancel_scheduled_payment(
            store=context.store, user_id=user.id, payment_id=str(input.payment_id)
        )
        if isinstance(outcome, scheduling.NoSuchPayment):
            return PaymentNotFound(payment_id=input.payment_id)
        payment = AccountPayment.of(outcome.payment, context.zone)
        if isinstance(outcome, scheduling.NotCancellable):
            return PaymentNotCancellable(
                message="This payment is already under way or has ended.", payment=payment
            )
        return ScheduledPaymentCancelled(payment=payment)
