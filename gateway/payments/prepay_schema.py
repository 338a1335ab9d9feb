"""`account.prepay`: a prepay account's credit, its average daily cost and days left.

Each field reads its own backends through the request's loaders (which ask each thing
once), so a meter store that is down costs `averageDailyCost` and `daysRemaining`, not
the credit. Top-ups are `payBill`.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_field
from gateway.api.scalars import Money, money
from gateway.core.clock import utc_now
from gateway.payments import prepay


@strawberry.type(description="A prepay account's credit; add to it with `payBill`.")
class Prepay:
    account_number: strawberry.Private[str]

    @described_field("What is left to use, as the CIS reports it; negative when it owes.")
    async def balance(self, info: GatewayInfo) -> Money:
        return money(await _balance(self.account_number, info))

    @described_field(
        "The last 30 days' use per day at the rate of the latest bill (its charges per"
        " kWh); null without reads or a bill to rate them."
    )
    async def average_daily_cost(self, info: GatewayInfo) -> Money | None:
        cost = await _average_daily_cost(self.account_number, info)
        return None if cost is None else money(cost)

    @described_field("Whole days the balance lasts at the average daily cost; 0 once used up.")
    async def days_remaining(self, info: GatewayInfo) -> int | None:
        balance, cost = await asyncio.gather(
            _balance(self.account_number, info), _average_daily_cost(self.account_number, info)
        )
        return prepay.days_remaining(balance, cost)


async def account_prepay(info: GatewayInfo, account_number: str) -> Prepay | None:
    """For `Account.prepay`: the account was authorized when it was opened."""
    found = await prepay.prepay_account(loaders=info.context.loaders, account_number=account_number)
    return None if found is None else Prepay(account_number=found.account_number)


async def _balance(account_number: str, info: GatewayInfo) -> Decimal:
    credit = await prepay.prepay_balance(
        loaders=info.context.loaders, account_number=account_number
    )
    return credit.balance


async def _average_daily_cost(account_number: str, info: GatewayInfo) -> Decimal | None:
    context = info.context
    return await prepay.average_daily_cost(
        loaders=context.loaders,
        account_number=account_number,
        today=utc_now().astimezone(context.zone).date(),
    )
