"""Payments in GraphQL: `payBill`, and an account's payments made through the gateway.

The type is `AccountPayment`: `Payment` already names the CIS's last payment on a
balance (`Balance.lastPayment`), and renaming that would break clients.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.pagination import PageInfo
from gateway.api.results import AccountNotFound, ValidationError
from gateway.api.scalars import Money, local, local_or_none, money
from gateway.core.errors import BadUserInput
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.payments import pay_bill as paying
from gateway.payments import store as payments_store
from gateway.payments.autopay.pending import pending_draft_finder
from gateway.payments.methods import MethodChoice
from gateway.payments.store import PaymentPage, StoredPayment
from gateway.payments.wallet import service as wallet

MAX_PAYMENTS_PAGE = 100


@strawberry.enum
class PaymentStatus(Enum):
    SCHEDULED = "scheduled"
    PROCESSING = "processing"
    POSTED = "posted"
    DECLINED = "declined"
    RETURNED = "returned"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    NEEDS_ATTENTION = "needs_attention"


@strawberry.enum
class PaymentMethodKind(Enum):
    CARD = "card"
    BANK_ACCOUNT = "bank_account"


@strawberry.type(description="What a payment was made with; never more than the last four.")
class MaskedPaymentMethod:
    kind: PaymentMethodKind
    label: str  # "Visa ending 4242"
    last4: str


@strawberry.type(description="A payment made through the gateway.")
class AccountPayment:
    id: strawberry.ID
    account_number: str
    amount: Money
    fee: Money
    total: Money
    status: PaymentStatus
    method: MaskedPaymentMethod
    confirmation_number: str | None = strawberry.field(
        description="The CIS's receipt, once the payment is posted."
    )
    created_at: datetime
    posted_at: datetime | None = strawberry.field(
        description="When the CIS booked it on the account."
    )
    decline_reason: str | None
    by_autopay: bool = strawberry.field(description="Drafted by the account's autopay.")
    scheduled_for: date | None = strawberry.field(
        default=None, description="The day a SCHEDULED payment waits for."
    )

    @classmethod
    def of(cls, payment: StoredPayment, zone: ZoneInfo) -> AccountPayment:
        return cls(
            id=strawberry.ID(payment.id),
            account_number=payment.account_number,
            amount=money(payment.amount),
            fee=money(payment.fee),
            total=money(payment.total),
            status=PaymentStatus(payment.status.value),
            method=MaskedPaymentMethod(
                kind=PaymentMethodKind(payment.method_kind.value),
                label=payment.method_label,
                last4=payment.method_last4,
            ),
            confirmation_number=payment.confirmation,
            created_at=local(payment.created_at, zone),
            posted_at=local_or_none(payment.posted_at, zone),
            decline_reason=payment.decline_reason,
            by_autopay=payment.by_autopay,
            scheduled_for=payment.scheduled_for,
        )


@strawberry.type
class AccountPaymentEdge:
    cursor: str
    node: AccountPayment


@strawberry.type(description="An account's payments through the gateway, newest first.")
class AccountPaymentConnection:
    edges: list[AccountPaymentEdge]
    page_info: PageInfo

    @classmethod
    def of(
        cls, page: PaymentPage, zone: ZoneInfo, *, after: str | None
    ) -> AccountPaymentConnection:
        edges = [
            AccountPaymentEdge(cursor=p.id, node=AccountPayment.of(p, zone)) for p in page.payments
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


async def account_payments(
    info: GatewayInfo, *, account_number: str, first: int, after: str | None
) -> AccountPaymentConnection:
    """For `Account.payments`: the account was authorized when it was opened."""
    if not 0 <= first <= MAX_PAYMENTS_PAGE:
        raise BadUserInput(f"`first` must be between 0 and {MAX_PAYMENTS_PAGE}.")
    page = await payments_store.account_payments(
        info.context.store, account_number=account_number, first=first, after=after
    )
    return AccountPaymentConnection.of(page, info.context.zone, after=after)


@strawberry.input(
    description="Exactly one: a single-use token from the processor, or a saved method."
)
class PaymentMethodInput:
    token: str | None = None
    saved_method_id: str | None = None


@strawberry.input
class PayBillInput:
    account_number: str
    amount: Money
    method: PaymentMethodInput
    idempotency_key: str = strawberry.field(
        description="Made by the client per payment: the same key from the same login"
        " answers the first payment instead of paying again."
    )
    confirm_duplicate: bool = strawberry.field(
        default=False,
        description="Pay although DuplicatePaymentWarning said another payment was made lately.",
    )
    save_method: bool = strawberry.field(
        default=False,
        description="Paying with a token: also save the card or bank account to the wallet.",
    )
    scheduled_for: date | None = strawberry.field(
        default=None,
        description="A later day (in the co-op's time zone) to pay on: the payment waits"
        " SCHEDULED until that day starts, and can be cancelled until then. Absent or today:"
        " at once. At most `paymentOptions.latestScheduledDate`.",
    )


@strawberry.type(description="The payment is recorded and on its way to the CIS.")
class PaymentAccepted:
    payment: AccountPayment


@strawberry.type(description="The processor declined the payment; nothing was charged.")
class PaymentDeclined:
    reason: str
    payment: AccountPayment


@strawberry.type(
    description="Another payment to this account was made in the last few days; nothing"
    " was charged. Send the request again with `confirmDuplicate: true` to pay anyway."
)
class DuplicatePaymentWarning:
    message: str
    recent_payment: AccountPayment


@strawberry.type(
    description="Autopay will draft this account's current bill; nothing was charged. Send"
    " the request again with `confirmDuplicate: true` to pay anyway."
)
class AutopayDraftPendingWarning:
    message: str
    draft_date: date
    amount: Money


PayBillResult = Annotated[
    PaymentAccepted
    | PaymentDeclined
    | DuplicatePaymentWarning
    | AutopayDraftPendingWarning
    | ValidationError
    | AccountNotFound,
    strawberry.union("PayBillResult"),
]


@strawberry.type
class PaymentMutations:
    @described_mutation(
        "Pay toward an account's bill. The answer comes before the charge: follow the"
        " payment's status in `account.payments`."
    )
    async def pay_bill(self, info: GatewayInfo, input: PayBillInput) -> PayBillResult:
        context = info.context
        outcome = await paying.pay_bill(
            access=context.access,
            store=context.store,
            processor=context.adapters.payments,
            request=paying.BillPayment(
                account_number=input.account_number,
                amount=input.amount,
                method=MethodChoice(
                    token=input.method.token, saved_method_id=input.method.saved_method_id
                ),
                idempotency_key=input.idempotency_key,
                confirm_duplicate=input.confirm_duplicate,
                scheduled_for=input.scheduled_for,
            ),
            request_id=context.request_id,
            pending_draft=pending_draft_finder(
                store=context.store, balance_of=context.loaders.balance.load, zone=context.zone
            ),
            rules=context.payment_rules,
            zone=context.zone,
        )
        if isinstance(outcome, AccountHidden):
            return AccountNotFound(number=input.account_number)
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        if isinstance(outcome, paying.DuplicateSuspected):
            return DuplicatePaymentWarning(
                message="A payment to this account was made in the last few days.",
                recent_payment=AccountPayment.of(outcome.recent, context.zone),
            )
        if isinstance(outcome, paying.AutopayDraftPending):
            return AutopayDraftPendingWarning(
                message="Autopay will pay this bill.",
                draft_date=outcome.draft_date,
                amount=money(outcome.amount),
            )
        payment = AccountPayment.of(outcome.payment, context.zone)
        if isinstance(outcome, paying.PaymentWasDeclined):
            return PaymentDeclined(reason=outcome.payment.decline_reason or "", payment=payment)
        processor = context.adapters.payments
        if input.save_method and input.method.token is not None and processor is not None:
            # The method the token became, made for this login by pay_bill.
            await wallet.save_paid_method(
                store=context.store,
                processor=processor,
                user_id=outcome.payment.user_id,
                method_id=outcome.payment.processor_method_id,
            )
        return PaymentAccepted(payment=payment)
