"""Accounts and what hangs off them: the customer, service locations, meters, and the
account's bills, usage and outage status.

An `Account` object is made only by `open_account`, after the authorization policy
said yes, so every field below it may assume the viewer is allowed to see it. Fields
that need a backend are nullable: when that system is down, only they are null.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Annotated

import strawberry

from adapters.cis import port
from gateway.api.context import GatewayContext, GatewayInfo
from gateway.api.fields import described_field
from gateway.api.results import AccountNotFound
from gateway.audit.reads import audited_fields
from gateway.billing import bills
from gateway.billing.schema import Balance, BillConnection
from gateway.documents.schema import (
    BillChange,
    GreenButtonFormat,
    GreenButtonInterval,
    PeakDemand,
    ProjectedBill,
    account_bill_change,
    account_peak_demand,
    account_projected_bill,
    green_button_url,
)
from gateway.notifications.consent_schema import SmsConsentEntry, account_sms_consent_log
from gateway.notifications.deliveries_schema import (
    NotificationDeliveryConnection,
    account_notifications,
)
from gateway.notifications.preferences_schema import (
    NotificationPreference,
    account_notification_preferences,
)
from gateway.outages.schema import LocationOutageStatus
from gateway.payments.autopay.schema import Autopay, account_autopay
from gateway.payments.options_schema import PaymentOptions, account_payment_options
from gateway.payments.prepay_schema import Prepay, account_prepay
from gateway.payments.schema import AccountPaymentConnection, account_payments
from gateway.similar_homes.schema import SimilarHomesResult, account_similar_homes
from gateway.usage import comparison_service as comparison
from gateway.usage.schema import UsageComparison, UsageInterval, UsageSeries
from gateway.usage.service import usage_series

FromDate = Annotated[date, strawberry.argument(name="from", description="Local date, included.")]
ToDate = Annotated[date, strawberry.argument(description="Local date, included.")]


@strawberry.type
class PostalAddress:
    line1: str
    line2: str | None
    city: str
    state: str
    zip: str

    @classmethod
    def of(cls, address: port.PostalAddress) -> PostalAddress:
        return cls(
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            state=address.state,
            zip=address.zip_code,
        )


@strawberry.type
class Customer:
    customer_id: str
    first_name: str
    last_name: str
    business_name: str | None
    email: str | None
    home_phone: str | None
    mobile_phone: str | None
    billing_address: PostalAddress

    @classmethod
    def of(cls, customer: port.Customer) -> Customer:
        return cls(
            customer_id=customer.customer_id,
            first_name=customer.first_name,
            last_name=customer.last_name,
            business_name=customer.business_name,
            email=customer.email,
            home_phone=customer.home_phone,
            mobile_phone=customer.mobile_phone,
            billing_address=PostalAddress.of(customer.billing_address),
        )


@strawberry.type
class Meter:
    meter_no: str
    manufacturer: str | None
    meter_type: str | None
    serial_number: str | None

    @classmethod
    def of(cls, meter: port.Meter) -> Meter:
        return cls(
            meter_no=meter.meter_no,
            manufacturer=meter.manufacturer,
            meter_type=meter.meter_type,
            serial_number=meter.serial_number,
        )


@strawberry.type
class ServiceLocation:
    id: str
    address: PostalAddress
    rate_class: str
    service_status: str
    is_prepay: bool
    account_number: strawberry.Private[str]

    @classmethod
    def of(cls, location: port.ServiceLocation) -> ServiceLocation:
        return cls(
            id=location.location_id,
            address=PostalAddress.of(location.address),
            rate_class=location.rate_class,
            service_status=location.service_status,
            is_prepay=location.is_prepay,
            account_number=location.account_number,
        )

    @strawberry.field
    async def meters(self, info: GatewayInfo) -> list[Meter] | None:
        return [Meter.of(m) for m in await self._meters(info.context)]

    @strawberry.field
    async def outage_status(self, info: GatewayInfo) -> LocationOutageStatus | None:
        status = await info.context.loaders.outage_status.load(self.id)
        return LocationOutageStatus.of(status, info.context.zone)

    @described_field("This location's meters; temperature at its weather station.")
    async def usage(
        self, info: GatewayInfo, from_: FromDate, to: ToDate, interval: UsageInterval
    ) -> UsageSeries | None:
        meters = await self._meters(info.context)
        series = await usage_series(
            loaders=info.context.loaders,
            zone=info.context.zone,
            meter_nos=[m.meter_no for m in meters],
            weather_location_id=self.id,
            start=from_,
            end=to,
            interval=interval.domain,
        )
        return UsageSeries.of(series)

    async def _meters(self, context: GatewayContext) -> list[port.Meter]:
        meters = await context.loaders.meters.load(self.account_number)
        return [m for m in meters if m.location_id == self.id]


@audited_fields  # staff reads of any field are written to the audit log
@strawberry.type
class Account:
    number: str

    @strawberry.field
    async def customer(self, info: GatewayInfo) -> Customer | None:
        # The CIS has no "get account": the account's customer is its locations' customer.
        locations = await info.context.loaders.service_locations.load(self.number)
        if not locations:
            return None
        return Customer.of(await info.context.loaders.customer.load(locations[0].customer_id))

    @strawberry.field
    async def service_locations(self, info: GatewayInfo) -> list[ServiceLocation] | None:
        locations = await info.context.loaders.service_locations.load(self.number)
        return [ServiceLocation.of(loc) for loc in locations]

    @strawberry.field
    async def balance(self, info: GatewayInfo) -> Balance | None:
        return Balance.of(await info.context.loaders.balance.load(self.number))

    @described_field("Newest first, at most 36 back; the cursor is the bill date.")
    async def bills(
        self, info: GatewayInfo, first: int = 12, after: str | None = None
    ) -> BillConnection | None:
        page = await bills.bill_page(
            loaders=info.context.loaders, account_number=self.number, first=first, after=after
        )
        return BillConnection.of(page)

    @described_field(
        "Payments made through the gateway, newest first, with where each stands;"
        " the cursor is the payment id."
    )
    async def payments(
        self, info: GatewayInfo, first: int = 10, after: str | None = None
    ) -> AccountPaymentConnection | None:
        return await account_payments(info, account_number=self.number, first=first, after=after)

    @described_field(
        "The account's autopay while it is on (null when off): its method, when it"
        " drafts next, how much, and why a bill is not drafted."
    )
    async def autopay(self, info: GatewayInfo) -> Autopay | None:
        return await account_autopay(info, self.number)

    @described_field(
        "What the payment form offers: the amount due, the smallest and largest payment,"
        " and the methods accepted with their convenience fees."
    )
    async def payment_options(self, info: GatewayInfo) -> PaymentOptions | None:
        return await account_payment_options(info, account_number=self.number)

    @described_field(
        "A prepay account's credit and how long it lasts; null for an account billed the usual way."
    )
    async def prepay(self, info: GatewayInfo) -> Prepay | None:
        return await account_prepay(info, self.number)

    @described_field(
        "All of the account's meters summed per point; temperature at the weather"
        " station of its first service location."
    )
    async def usage(
        self, info: GatewayInfo, from_: FromDate, to: ToDate, interval: UsageInterval
    ) -> UsageSeries | None:
        context = info.context
        meters, locations = await asyncio.gather(
            context.loaders.meters.load(self.number),
            context.loaders.service_locations.load(self.number),
        )
        series = await usage_series(
            loaders=context.loaders,
            zone=context.zone,
            meter_nos=[m.meter_no for m in meters],
            weather_location_id=locations[0].location_id if locations else None,
            start=from_,
            end=to,
            interval=interval.domain,
        )
        return UsageSeries.of(series)

    @described_field(
        "Two billing periods compared, named by the month their bill was cut"
        ' ("2026-10"). Defaults: the latest bill, and the bill before `month`.'
    )
    async def usage_comparison(
        self, info: GatewayInfo, month: str | None = None, compare_to: str | None = None
    ) -> UsageComparison | None:
        result = await comparison.compare_bills(
            loaders=info.context.loaders,
            account_number=self.number,
            month=month,
            compare_to=compare_to,
        )
        return UsageComparison.of(result)

    @described_field(
        "A link to Green Button data (Download My Data) of all the account's meters:"
        " ESPI XML or CSV, for the viewer's sign-in only, good for five minutes. At most"
        " a year of hours, or three of days."
    )
    def green_button_url(
        self,
        info: GatewayInfo,
        from_: FromDate,
        to: ToDate,
        interval: GreenButtonInterval,
        format: GreenButtonFormat = GreenButtonFormat.XML,
    ) -> str | None:
        return green_button_url(
            info.context,
            account_number=self.number,
            start=from_,
            end=to,
            interval=interval,
            download=format,
        )

    @described_field(
        "Why a bill changed from an earlier one (weather, days, rates, remainder), named"
        ' by the months their bills were cut ("2026-10"). Defaults: the latest bill, and'
        " the bill before `month`."
    )
    async def bill_change(
        self, info: GatewayInfo, month: str | None = None, compare_to: str | None = None
    ) -> BillChange | None:
        return await account_bill_change(
            info.context, account_number=self.number, month=month, compare_to=compare_to
        )

    @described_field(
        "The likely bill for the period still open, with a range and its confidence, and"
        " the date it was computed."
    )
    async def projected_bill(self, info: GatewayInfo) -> ProjectedBill | None:
        return await account_projected_bill(info, account_number=self.number)

    @described_field(
        "The peak hour of each of the last `periods` billing periods (at most 13), the five"
        " highest hours, and the average weekday's and weekend day's use by hour."
    )
    async def peak_demand(self, info: GatewayInfo, periods: int = 12) -> PeakDemand | None:
        return await account_peak_demand(info, account_number=self.number, periods=periods)

    @described_field(
        "Where the account stands among homes with the same rate class and weather station,"
        ' by kWh per day in a calendar month that has ended ("2026-10"; default: the'
        " latest one compared). Groups under 20 homes are never compared."
    )
    async def similar_homes(
        self, info: GatewayInfo, month: str | None = None
    ) -> SimilarHomesResult | None:
        return await account_similar_homes(info, account_number=self.number, month=month)

    @strawberry.field
    async def outage_status(self, info: GatewayInfo) -> list[LocationOutageStatus] | None:
        context = info.context
        locations = await context.loaders.service_locations.load(self.number)
        statuses = await context.loaders.outage_status.load_many(
            [loc.location_id for loc in locations]
        )
        return [LocationOutageStatus.of(status, context.zone) for status in statuses]

    @described_field(
        "What the viewer is told about this account, per kind of notification, and where;"
        " null for staff (only the account's logins choose)."
    )
    async def notification_preferences(
        self, info: GatewayInfo
    ) -> list[NotificationPreference] | None:
        return await account_notification_preferences(info, self.number)

    @described_field(
        "Staff only: every change of consent to texts by the account's logins or to their"
        " numbers (who, when, how, from where, the words), newest first."
    )
    async def sms_consent_log(self, info: GatewayInfo) -> list[SmsConsentEntry] | None:
        return await account_sms_consent_log(info, self.number)

    @described_field(
        "Notifications about this account, newest first, with their status: staff see"
        " every one (audited as any read of the account); a member, those sent to them."
    )
    async def notifications(
        self, info: GatewayInfo, first: int = 20, after: str | None = None
    ) -> NotificationDeliveryConnection:
        return await account_notifications(info, self.number, first=first, after=after)


AccountResult = Annotated[Account | AccountNotFound, strawberry.union("AccountResult")]


async def open_account(context: GatewayContext, number: str) -> Account | AccountNotFound:
    """The only way to an `Account`: through the authorization policy."""
    if await context.access.can_see(number):
        return Account(number=number)
    return AccountNotFound(number=number)


async def open_accounts(context: GatewayContext, numbers: Sequence[str]) -> list[Account]:
    return [a for a in [await open_account(context, n) for n in numbers] if isinstance(a, Account)]


@strawberry.type
class AccountQueries:
    @described_field("An account the viewer may see; anything else is `AccountNotFound`.")
    async def account(self, info: GatewayInfo, number: str) -> AccountResult:
        return await open_account(info.context, number.strip())
