"""`requestPaymentExtension`: a member moves a past-due bill's date, where the CIS allows.

One mutation asks the CIS and, when the account is eligible, accepts its offer
(`gateway.payments.extension` says why). Staff may ask for a member, and the request
is written to the audit log on the account, as their reads are.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import AccountNotFound, ValidationError
from gateway.api.scalars import Money, money
from gateway.audit.reads import note_account_read
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.payments import extension


@strawberry.input
class RequestPaymentExtensionInput:
    account_number: str


@strawberry.type(description="The past-due amount is now due on `newDueDate`.")
class PaymentExtensionGranted:
    new_due_date: date
    amount: Money


@strawberry.type(description="The CIS does not offer this account an extension; nothing changed.")
class PaymentExtensionNotEligible:
    reason: str


RequestPaymentExtensionResult = Annotated[
    PaymentExtensionGranted | PaymentExtensionNotEligible | AccountNotFound | ValidationError,
    strawberry.union("RequestPaymentExtensionResult"),
]


@strawberry.type
class PaymentExtensionMutations:
    @described_mutation(
        "Ask for more time to pay a past-due bill; granted at once when the CIS finds the"
        " account eligible (one extension per account)."
    )
    async def request_payment_extension(
        self, info: GatewayInfo, input: RequestPaymentExtensionInput
    ) -> RequestPaymentExtensionResult:
        context = info.context
        outcome = await extension.request_payment_extension(
            access=context.access,
            cis=context.adapters.cis_payments,
            balance=context.loaders.balance,
            invalidate=context.invalidate,
            account_number=input.account_number,
        )
        if isinstance(outcome, AccountHidden):
            return AccountNotFound(number=input.account_number)
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        note_account_read(input.account_number.strip(), "requestPaymentExtension")
        if isinstance(outcome, extension.ExtensionNotEligible):
            return PaymentExtensionNotEligible(reason=outcome.reason)
        return PaymentExtensionGranted(
            new_due_date=outcome.new_due_date, amount=money(outcome.amount)
        )
