"""Autopay in GraphQL: `account.autopay`, `enrollAutopay` and `cancelAutopay`."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_field, described_mutation
from gateway.api.results import AccountNotFound, ValidationError
from gateway.api.scalars import Money, local, money
from gateway.core.clock import utc_now
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.payments.autopay import enrollment as enrolling
from gateway.payments.autopay import store as autopay_store
from gateway.payments.autopay.draft_rule import DraftRuleKind
from gateway.payments.autopay.pending import current_plan
from gateway.payments.autopay.plan import DraftPlan
from gateway.payments.autopay.store import Enrollment
from gateway.payments.wallet import store as wallet_store
from gateway.payments.wallet.schema import SavedPaymentMethod


@strawberry.enum
class AutopayStatus(Enum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


@strawberry.enum(description="When autopay drafts a bill.")
class AutopayDraftRule(Enum):
    DUE_DATE = "due_date"
    DAYS_BEFORE_DUE = "days_before"
    DAY_OF_MONTH = "day_of_month"


@strawberry.type(description="How an account's bills are paid automatically.")
class Autopay:
    enrollment: strawberry.Private[Enrollment]
    status: AutopayStatus
    draft_rule: AutopayDraftRule
    days_before_due: int | None
    day_of_month: int | None
    max_amount: Money | None = strawberry.field(
        description="A bill above it is not drafted; `skippedReason` says so."
    )
    enrolled_at: datetime

    @classmethod
    def of(cls, enrollment: Enrollment, info: GatewayInfo) -> Autopay:
        rule = enrollment.rule
        return cls(
            enrollment=enrollment,
            status=AutopayStatus(enrollment.status.value),
            draft_rule=AutopayDraftRule(rule.kind.value),
            days_before_due=rule.days if rule.kind is DraftRuleKind.DAYS_BEFORE_DUE else None,
            day_of_month=rule.days if rule.kind is DraftRuleKind.DAY_OF_MONTH else None,
            max_amount=None if enrollment.max_amount is None else money(enrollment.max_amount),
            enrolled_at=local(enrollment.created_at, info.context.zone),
        )

    @described_field("The saved method it drafts with; null once it left the wallet.")
    async def method(self, info: GatewayInfo) -> SavedPaymentMethod | None:
        found = await wallet_store.get_method(
            info.context.store,
            user_id=self.enrollment.user_id,
            method_id=self.enrollment.method_id,
        )
        return None if found is None else SavedPaymentMethod.of(found, info.context.zone)

    @described_field("When the current bill will be drafted; null when nothing is to draft.")
    async def next_draft_date(self, info: GatewayInfo) -> date | None:
        plan = await _pending_plan(self.enrollment, info)
        return None if plan is None or plan.skip_reason else plan.draft_date

    @described_field("What will be drafted: the amount due now, as the CIS reports it.")
    async def next_draft_amount(self, info: GatewayInfo) -> Money | None:
        plan = await _pending_plan(self.enrollment, info)
        return None if plan is None or plan.skip_reason else money(plan.amount)

    @described_field("Why the current bill is not (or will not be) drafted, if it is not.")
    async def skipped_reason(self, info: GatewayInfo) -> str | None:
        plan = await _pending_plan(self.enrollment, info)
        if plan is not None and plan.skip_reason is not None:
            return plan.skip_reason
        stored = self.enrollment
        if plan is not None and stored.skipped_due_date == plan.due_date:
            return stored.skipped_reason
        return None


async def _pending_plan(enrollment: Enrollment, info: GatewayInfo) -> DraftPlan | None:
    """The current bill's draft, unless it is drafted already or nothing is due."""
    context = info.context
    return await current_plan(
        store=context.store,
        enrollment=enrollment,
        balance_of=context.loaders.balance.load,
        today=utc_now().astimezone(context.zone).date(),
    )


async def account_autopay(info: GatewayInfo, account_number: str) -> Autopay | None:
    """For `Account.autopay`: the account was authorized when it was opened."""
    enrollment = await autopay_store.active_enrollment(info.context.store, account_number)
    return None if enrollment is None else Autopay.of(enrollment, info)


@strawberry.input(
    description="DUE_DATE takes nothing; DAYS_BEFORE_DUE takes `days` (1-10);"
    " DAY_OF_MONTH takes `dayOfMonth` (1-28), drafted on or before the due date."
)
class AutopayDraftInput:
    rule: AutopayDraftRule
    days: int | None = None
    day_of_month: int | None = None


@strawberry.input
class EnrollAutopayInput:
    account_number: str
    payment_method_id: strawberry.ID = strawberry.field(
        description="A method of the viewer's wallet."
    )
    draft: AutopayDraftInput
    max_amount: Money | None = strawberry.field(
        default=None, description="Bills above it are not drafted."
    )


@strawberry.input
class CancelAutopayInput:
    account_number: str


@strawberry.type(description="The account is enrolled in autopay.")
class AutopayEnrolled:
    autopay: Autopay


@strawberry.type(description="The account is enrolled already: cancel that first.")
class AlreadyEnrolledInAutopay:
    autopay: Autopay
    message: str = "This account is enrolled in autopay already."


@strawberry.type(description="Autopay is off; a draft already made still goes through.")
class AutopayCancelled:
    account_number: str


@strawberry.type(description="The account is not enrolled in autopay.")
class NotEnrolledInAutopay:
    account_number: str
    message: str = "This account is not enrolled in autopay."


EnrollAutopayResult = Annotated[
    AutopayEnrolled | AlreadyEnrolledInAutopay | ValidationError | AccountNotFound,
    strawberry.union("EnrollAutopayResult"),
]
CancelAutopayResult = Annotated[
    AutopayCancelled | NotEnrolledInAutopay | AccountNotFound,
    strawberry.union("CancelAutopayResult"),
]


@strawberry.type
class AutopayMutations:
    @described_mutation("Pay an account's bills automatically with a saved method.")
    async def enroll_autopay(
        self, info: GatewayInfo, input: EnrollAutopayInput
    ) -> EnrollAutopayResult:
        context = info.context
        outcome = await enrolling.enroll_autopay(
            access=context.access,
            store=context.store,
            request=enrolling.AutopayRequest(
                account_number=input.account_number,
                method_id=str(input.payment_method_id),
                rule=DraftRuleKind(input.draft.rule.value),
                days=input.draft.days,
                day_of_month=input.draft.day_of_month,
                max_amount=input.max_amount,
            ),
            zone=context.zone,
        )
        if isinstance(outcome, AccountHidden):
            return AccountNotFound(number=input.account_number)
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        if isinstance(outcome, enrolling.AlreadyEnrolled):
            return AlreadyEnrolledInAutopay(autopay=Autopay.of(outcome.enrollment, info))
        return AutopayEnrolled(autopay=Autopay.of(outcome, info))

    @described_mutation("Stop paying an account's bills automatically.")
    async def cancel_autopay(
        self, info: GatewayInfo, input: CancelAutopayInput
    ) -> CancelAutopayResult:
        context = info.context
        outcome = await enrolling.cancel_autopay(
            access=context.access, store=context.store, account_number=input.account_number
        )
        number = input.account_number.strip()
        if isinstance(outcome, AccountHidden):
            return AccountNotFound(number=input.account_number)
        if isinstance(outcome, enrolling.NotEnrolled):
            return NotEnrolledInAutopay(account_number=number)
        return AutopayCancelled(account_number=number)
