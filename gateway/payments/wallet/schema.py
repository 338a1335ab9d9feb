"""The wallet in GraphQL: `viewer.paymentMethods` and the mutations that change it."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import ValidationError
from gateway.core.clock import utc_now
from gateway.core.outcomes import FieldProblem
from gateway.payments.methods import method_label
from gateway.payments.schema import PaymentMethodKind
from gateway.payments.wallet import service as wallet
from gateway.payments.wallet.store import SavedMethod


@strawberry.type(
    description="A payment method saved in the viewer's wallet: never more than the last four."
)
class SavedPaymentMethod:
    id: strawberry.ID = strawberry.field(
        description="Pay with it as `payBill(input: {method: {savedMethodId: id}})`."
    )
    kind: PaymentMethodKind
    label: str  # "Visa ending 4242"
    nickname: str | None
    brand: str | None
    last4: str
    exp_month: int | None
    exp_year: int | None
    bank_name: str | None
    is_default: bool
    expired: bool = strawberry.field(
        description="A card past its expiry month (in the co-op's time zone): it cannot pay."
    )

    @classmethod
    def of(cls, method: SavedMethod, zone: ZoneInfo) -> SavedPaymentMethod:
        return cls(
            id=strawberry.ID(method.id),
            kind=PaymentMethodKind(method.kind.value),
            label=method_label(method.as_processor_method()),
            nickname=method.nickname,
            brand=method.brand,
            last4=method.last4,
            exp_month=method.exp_month,
            exp_year=method.exp_year,
            bank_name=method.bank_name,
            is_default=method.is_default,
            expired=method.expired(utc_now().astimezone(zone).date()),
        )


async def payment_methods(info: GatewayInfo, user_id: int) -> list[SavedPaymentMethod]:
    """For `Viewer.paymentMethods`."""
    methods = await wallet.list_methods(store=info.context.store, user_id=user_id)
    return [SavedPaymentMethod.of(m, info.context.zone) for m in methods]


@strawberry.input
class AddPaymentMethodInput:
    token: str = strawberry.field(description="A single-use token from the processor.")
    nickname: str | None = None
    make_default: bool = strawberry.field(
        default=False, description="The first saved method is the default whatever this says."
    )


@strawberry.input
class PaymentMethodIdInput:
    id: strawberry.ID


@strawberry.type(description="The method is in the wallet.")
class PaymentMethodSaved:
    payment_method: SavedPaymentMethod


@strawberry.type(description="The method is out of the wallet and gone from the processor.")
class PaymentMethodRemoved:
    id: strawberry.ID


@strawberry.type(description="No such method in the viewer's wallet.")
class PaymentMethodNotFound:
    id: strawberry.ID
    message: str = "No such saved payment method."


@strawberry.type(
    description="Autopay drafts with this method: cancel autopay on these accounts, or"
    " enroll them with another method, first."
)
class PaymentMethodInUse:
    id: strawberry.ID
    account_numbers: list[str]
    message: str = "Autopay uses this payment method."


AddPaymentMethodResult = Annotated[
    PaymentMethodSaved | ValidationError, strawberry.union("AddPaymentMethodResult")
]
RemovePaymentMethodResult = Annotated[
    PaymentMethodRemoved | PaymentMethodNotFound | PaymentMethodInUse,
    strawberry.union("RemovePaymentMethodResult"),
]
SetDefaultPaymentMethodResult = Annotated[
    PaymentMethodSaved | PaymentMethodNotFound, strawberry.union("SetDefaultPaymentMethodResult")
]


@strawberry.type
class WalletMutations:
    @described_mutation(
        "Save a card or bank account to the viewer's wallet from the processor's single-use token."
    )
    async def add_payment_method(
        self, info: GatewayInfo, input: AddPaymentMethodInput
    ) -> AddPaymentMethodResult:
        context = info.context
        user = await context.access.require_user()
        outcome = await wallet.add_method(
            store=context.store,
            processor=context.adapters.payments,
            user_id=user.id,
            token=input.token,
            nickname=input.nickname,
            make_default=input.make_default,
        )
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        return PaymentMethodSaved(payment_method=SavedPaymentMethod.of(outcome, context.zone))

    @described_mutation("Remove a method from the viewer's wallet (and from the processor).")
    async def remove_payment_method(
        self, info: GatewayInfo, input: PaymentMethodIdInput
    ) -> RemovePaymentMethodResult:
        context = info.context
        user = await context.access.require_user()
        outcome = await wallet.remove_method(
            store=context.store,
            processor=context.adapters.payments,
            user_id=user.id,
            method_id=str(input.id),
        )
        if isinstance(outcome, wallet.MethodNotSaved):
            return PaymentMethodNotFound(id=input.id)
        if isinstance(outcome, wallet.MethodUsedByAutopay):
            return PaymentMethodInUse(id=input.id, account_numbers=list(outcome.account_numbers))
        return PaymentMethodRemoved(id=input.id)

    @described_mutation("Make a saved method the one the viewer's payments start with.")
    async def set_default_payment_method(
        self, info: GatewayInfo, input: PaymentMethodIdInput
    ) -> SetDefaultPaymentMethodResult:
        context = info.context
        user = await context.access.require_user()
        outcome = await wallet.make_default(
            store=context.store, user_id=user.id, method_id=str(input.id)
        )
        if isinstance(outcome, wallet.MethodNotSaved):
            return PaymentMethodNotFound(id=input.id)
        return PaymentMethodSaved(payment_method=SavedPaymentMethod.of(outcome, context.zone))
