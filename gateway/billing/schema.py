"""Balances and bills of an account."""

from __future__ import annotations

from datetime import date

import strawberry

from adapters.cis import port
from gateway.api.context import GatewayInfo
from gateway.api.fields import described_field
from gateway.api.pagination import PageInfo
from gateway.api.scalars import Money, money
from gateway.billing.bills import BillPage
from gateway.documents.schema import bill_pdf_url


@strawberry.type
class Payment:
    amount: Money
    date: date


@strawberry.type
class Balance:
    amount_due: Money
    current_amount: Money
    past_due_amount: Money
    due_date: date | None
    is_past_due: bool
    last_payment: Payment | None
    disconnect_date: date | None

    @classmethod
    def of(cls, balance: port.Balance) -> Balance:
        last_payment = None
        if balance.last_payment_amount is not None and balance.last_payment_date is not None:
            last_payment = Payment(
                amount=money(balance.last_payment_amount), date=balance.last_payment_date
            )
        return cls(
            amount_due=money(balance.amount_due),
            current_amount=money(balance.current_amount),
            past_due_amount=money(balance.past_due_amount),
            due_date=balance.due_date,
            is_past_due=balance.past_due_amount > 0,
            last_payment=last_payment,
            disconnect_date=balance.disconnect_date,
        )


@strawberry.type
class ServicePeriod:
    start: date
    end: date


@strawberry.type
class BillLineItem:
    description: str
    amount: Money
    service_location_id: str | None = strawberry.field(
        description="The service location the line bills (`ServiceLocation.id`); null for"
        " the account's own lines (taxes, fees)."
    )

    @classmethod
    def of(cls, line: port.ChargeLine) -> BillLineItem:
        return cls(
            description=line.description,
            amount=money(line.amount),
            service_location_id=line.location_id,
        )


@strawberry.type(
    description="A bill's line items for one service location, or the account's own"
    " (taxes, fees) when `serviceLocationId` is null."
)
class BillLocationCharges:
    service_location_id: str | None
    amount: Money
    line_items: list[BillLineItem]

    @classmethod
    def of(cls, group: port.LocationCharges) -> BillLocationCharges:
        return cls(
            service_location_id=group.location_id,
            amount=money(group.amount),
            line_items=[BillLineItem.of(line) for line in group.lines],
        )


@strawberry.type(description="Register reads and kWh billed for one meter on one bill.")
class BilledMeterUsage:
    meter_no: str | None
    service_location_id: str | None
    previous_reading: float
    present_reading: float
    multiplier: float
    kwh: float
    service_period: ServicePeriod

    @classmethod
    def of(cls, usage: port.BilledUsage) -> BilledMeterUsage:
        return cls(
            meter_no=usage.meter_no,
            service_location_id=usage.location_id,
            previous_reading=float(usage.previous_reading),
            present_reading=float(usage.present_reading),
            multiplier=float(usage.multiplier),
            kwh=float(usage.kwh),
            service_period=ServicePeriod(start=usage.period_start, end=usage.period_end),
        )


@strawberry.type
class Bill:
    bill_date: date
    service_period: ServicePeriod
    due_date: date
    amount: Money
    kwh: float
    prior_balance: Money
    payments_received: Money
    balance_after_billing: Money
    # The bill's details are built only when asked for: a page of bills is mostly
    # listed by date, amount and kWh.
    source: strawberry.Private[port.Bill]

    @strawberry.field
    def line_items(self) -> list[BillLineItem]:
        return [BillLineItem.of(line) for line in self.source.charges]

    @described_field(
        "The line items grouped per service location, in the order the locations were"
        " billed, with the account's own lines last."
    )
    def line_items_by_location(self) -> list[BillLocationCharges]:
        return [BillLocationCharges.of(group) for group in self.source.charges_by_location()]

    @strawberry.field
    def usage(self) -> list[BilledMeterUsage]:
        return [BilledMeterUsage.of(item) for item in self.source.usage]

    @described_field(
        "A link to the bill as a PDF, for the viewer's sign-in only, good for five minutes."
    )
    def pdf_url(self, info: GatewayInfo) -> str:
        return bill_pdf_url(info.context, self.source)

    @classmethod
    def of(cls, bill: port.Bill) -> Bill:
        return cls(
            bill_date=bill.bill_date,
            service_period=ServicePeriod(start=bill.period_start, end=bill.period_end),
            due_date=bill.due_date,
            amount=money(bill.amount),
            kwh=float(bill.kwh),
            prior_balance=money(bill.prior_balance),
            payments_received=money(bill.payments_received),
            balance_after_billing=money(bill.balance_after_billing),
            source=bill,
        )


@strawberry.type
class BillEdge:
    cursor: str
    node: Bill


@strawberry.type(description="An account's bills, newest first; the cursor is the bill date.")
class BillConnection:
    edges: list[BillEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: BillPage) -> BillConnection:
        edges = [BillEdge(cursor=b.bill_date.isoformat(), node=Bill.of(b)) for b in page.bills]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
