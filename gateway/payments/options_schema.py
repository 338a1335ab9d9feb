"""`Account.paymentOptions`: what the payment form offers, by the rules payBill enforces."""

from __future__ import annotations

from datetime import date

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.scalars import Money, money
from gateway.core.clock import utc_now
from gateway.payments import options
from gateway.payments.schema import PaymentMethodKind


@strawberry.type(description="A method the member may pay this account with, and its fee.")
class PaymentMethodOption:
    kind: PaymentMethodKind
    flat_fee: Money = strawberry.field(description="Added to every payment by this method.")
    percent_fee: str = strawberry.field(
        description='Percent of the amount added on top of the flat fee, as a decimal ("2.5").'
    )
    fee_on_amount_due: Money | None = strawberry.field(
        description="The whole fee when paying the amount due; null when nothing is due."
    )

    @classmethod
    def of(cls, option: options.MethodOption) -> PaymentMethodOption:
        return cls(
            kind=PaymentMethodKind(option.kind.value),
            flat_fee=money(option.fee.flat),
            percent_fee=str(option.fee.percent.normalize()),
            fee_on_amount_due=None
            if option.fee_on_amount_due is None
            else money(option.fee_on_amount_due),
        )


@strawberry.type(description="What may be paid on the account, and how.")
class PaymentOptions:
    amount_due: Money
    minimum_amount: Money
    maximum_amount: Money
    methods: list[PaymentMethodOption]
    latest_scheduled_date: date = strawberry.field(
        description="The last day `payBill(scheduledFor:)` accepts, in the co-op's time zone."
    )

    @classmethod
    def of(cls, chosen: options.PaymentOptions) -> PaymentOptions:
        return cls(
            amount_due=money(chosen.amount_due),
            minimum_amount=money(chosen.min_amount),
            maximum_amount=money(chosen.max_amount),
            methods=[PaymentMethodOption.of(option) for option in chosen.methods],
            latest_scheduled_date=chosen.latest_scheduled_date,
        )


async def account_payment_options(info: GatewayInfo, *, account_number: str) -> PaymentOptions:
    """For `Account.paymentOptions`: the account was authorized when it was opened."""
    balance = await info.context.loaders.balance.load(account_number)
    today = utc_now().astimezone(info.context.zone).date()
    return PaymentOptions.of(
        options.payment_options(balance=balance, rules=info.context.payment_rules, today=today)
    )
