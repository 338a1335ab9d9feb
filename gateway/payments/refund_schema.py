"""`refundPayment`: an administrator gives a posted payment back, with a reason.

Staff and members are refused (FORBIDDEN), as for the audit log. The request is
written to the audit log as the admin's action on the payment's account, as staff
reads are, and to the payment's events with the reason.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import ValidationError
from gateway.audit.reads import note_account_read
from gateway.core.outcomes import FieldProblem
from gateway.payments import refund
from gateway.payments.schema import AccountPayment


@strawberry.input
class RefundPaymentInput:
    payment_id: strawberry.ID
    reason: str = strawberry.field(description="Why, for the payment's history and the audit log.")


@strawberry.type(
    description="The refund is on its way: the worker refunds it at the processor and"
    " reverses it in the CIS, and the payment becomes REFUNDED."
)
class RefundRequested:
    payment: AccountPayment
    already_requested: bool


@strawberry.type(description="The payment cannot be refunded now; `reason` says why.")
class RefundNotPossible:
    reason: str


RefundPaymentResult = Annotated[
    RefundRequested | RefundNotPossible | ValidationError,
    strawberry.union("RefundPaymentResult"),
]


@strawberry.type
class RefundMutations:
    @described_mutation("Admins: refund a posted payment in full, with a reason.")
    async def refund_payment(
        self, info: GatewayInfo, input: RefundPaymentInput
    ) -> RefundPaymentResult:
        context = info.context
        outcome = await refund.request_refund(
            access=context.access,
            store=context.store,
            processor=context.adapters.payments,
            payment_id=str(input.payment_id),
            reason=input.reason,
        )
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        # Audited as the admin's action on the account, with the staff reads; an
        # attempt refused is an action too.
        if isinstance(outcome, refund.RefundRefused):
            note_account_read(outcome.account_number, "refundPayment")
            return RefundNotPossible(reason=outcome.reason)
        note_account_read(outcome.payment.account_number, "refundPayment")
        return RefundRequested(
            payment=AccountPayment.of(outcome.payment, context.zone),
            already_requested=outcome.already_requested,
        )
