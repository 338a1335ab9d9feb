"""The customer information and billing system (CIS), as the rest of the world sees it.

Only domain dataclasses cross this port: no zeep objects, no XML. Money is `Decimal`
quantized to cents, dates are `date`, instants are aware `datetime`s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from adapters.errors import AdapterError, BackendFault, BackendUnavailable, NotFound


class CisError(AdapterError):
    system = "cis"


class CisUnavailable(CisError, BackendUnavailable):
    pass


class CisNotFound(CisError, NotFound):
    pass


class CisFault(CisError, BackendFault):
    pass


@dataclass(frozen=True, slots=True)
class PostalAddress:
    line1: str
    city: str
    state: str  # two-letter USPS code
    zip_code: str  # 5 or 9 digits ("87031" or "87031-1234")
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    customer_id: str
    first_name: str
    last_name: str
    billing_address: PostalAddress
    middle_name: str | None = None
    business_name: str | None = None
    home_phone: str | None = None  # ten digits
    mobile_phone: str | None = None  # ten digits
    email: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceLocation:
    location_id: str
    account_number: str
    customer_id: str
    address: PostalAddress
    rate_class: str  # "residential" | "commercial" (MultiSpeak revenueClass)
    service_status: str  # "active", "inactive"
    is_prepay: bool
    billing_cycle: str  # the CIS's cycle code: the day of month bills are cut ("05")
    last_bill_date: date | None
    substation: str | None
    feeder: str | None


@dataclass(frozen=True, slots=True)
class Meter:
    meter_no: str
    serial_number: str | None
    manufacturer: str | None
    meter_type: str | None
    location_id: str | None


@dataclass(frozen=True, slots=True)
class MeterMatch:
    """A meter a free-text search found, with the account and customer it serves."""

    meter: Meter
    account_number: str
    customer_id: str


@dataclass(frozen=True, slots=True)
class ChargeLine:
    description: str
    amount: Decimal
    # The service location the line bills (its `billingDetail`'s `servLoc`); None for
    # the account's own lines (taxes, fees) and where the CIS does not say.
    location_id: str | None = None


@dataclass(frozen=True, slots=True)
class LocationCharges:
    """A bill's lines for one service location, or the account's own (`location_id` None)."""

    location_id: str | None
    lines: tuple[ChargeLine, ...]

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class BilledUsage:
    """Register reads and kWh billed for one meter on one bill."""

    meter_no: str | None
    location_id: str | None
    previous_reading: Decimal
    present_reading: Decimal
    multiplier: Decimal
    period_start: date
    period_end: date

    @property
    def kwh(self) -> Decimal:
        return (self.present_reading - self.previous_reading) * self.multiplier


@dataclass(frozen=True, slots=True)
class Bill:
    """One bill cut for an account (all of its service locations together)."""

    account_number: str
    bill_date: date
    period_start: date
    period_end: date
    due_date: date
    prior_balance: Decimal
    payments_received: Decimal
    charges: tuple[ChargeLine, ...]
    usage: tuple[BilledUsage, ...]
    balance_after_billing: Decimal

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.charges), Decimal("0.00"))

    @property
    def kwh(self) -> Decimal:
        return sum((item.kwh for item in self.usage), Decimal("0"))

    def charges_by_location(self) -> tuple[LocationCharges, ...]:
        """The lines grouped by service location, in the order the locations first
        appear, with the account's own lines last."""
        grouped: dict[str | None, list[ChargeLine]] = {}
        for line in self.charges:
            if line.location_id is not None:
                grouped.setdefault(line.location_id, []).append(line)
        account_lines = tuple(line for line in self.charges if line.location_id is None)
        groups = [LocationCharges(where, tuple(lines)) for where, lines in grouped.items()]
        if account_lines:
            groups.append(LocationCharges(None, account_lines))
        return tuple(groups)


@dataclass(frozen=True, slots=True)
class Balance:
    account_number: str
    current_amount: Decimal
    past_due_amount: Decimal
    due_date: date | None
    last_payment_amount: Decimal | None
    last_payment_date: date | None
    disconnect_date: date | None

    @property
    def amount_due(self) -> Decimal:
        return self.current_amount + self.past_due_amount


@dataclass(frozen=True, slots=True)
class ChangePage:
    """What the CIS reports changed since a cursor: the ids involved, not the data.

    `customer_ids` are the customers whose record, or one of whose service locations,
    changed; `account_numbers` and `location_ids` those of the changed service
    locations. Each is sorted, without repeats. `more`: the CIS has more changes
    waiting; ask again with `next_cursor` straight away.
    """

    customer_ids: tuple[str, ...]
    account_numbers: tuple[str, ...]
    location_ids: tuple[str, ...]
    next_cursor: str
    more: bool

    @property
    def is_empty(self) -> bool:
        return not (self.customer_ids or self.account_numbers or self.location_ids)


@dataclass(frozen=True, slots=True)
class ServiceLocationPage:
    """One answer of the CIS's list of every service location, in location id order.

    `next_cursor` continues the list (opaque: the last location id sent); `None` when
    the CIS says nothing remains.
    """

    locations: tuple[ServiceLocation, ...]
    next_cursor: str | None


class CisPort(Protocol):
    """Reads and contact changes against the co-op's CIS. (Payments are a protocol of
    their own, `adapters.cis.payments.CisPayments`.)

    `NotFound` is raised for an unknown id; list-returning methods return an empty
    sequence only when the system says "none" for a key it knows. Searches
    (`find_*`, `search_*`) return an empty sequence when nothing matches.
    """

    async def get_methods(self) -> Sequence[str]: ...

    async def get_customer(self, customer_id: str) -> Customer: ...

    async def find_customers_by_name(
        self, *, first_name: str | None, last_name: str | None
    ) -> Sequence[Customer]: ...

    async def get_customer_by_home_phone(self, phone: str) -> Customer:
        """The customer with this home phone (ten digits); `NotFound` for nobody."""
        ...

    async def get_service_location_by_meter(self, meter_no: str) -> ServiceLocation:
        """Where the meter is installed; `NotFound` for an unknown meter."""
        ...

    async def search_meters(self, text: str) -> Sequence[MeterMatch]:
        """Meters whose service address, or whose customer's phone, matches `text`.

        The CIS's free-text search (MultiSpeak `GetMetersBySearchString`); a blank
        `text` is a fault.
        """
        ...

    async def get_service_locations_by_account(
        self, account_number: str
    ) -> Sequence[ServiceLocation]: ...

    async def get_service_locations_by_customer(
        self, customer_id: str
    ) -> Sequence[ServiceLocation]: ...

    async def service_locations_page(self, cursor: str | None) -> ServiceLocationPage:
        """Every service location the CIS has, a page at a time (MultiSpeak
        GetAllServiceLocations): for jobs that look at the whole co-op, never for a
        member's request. `None` asks for the first page; pass each page's
        `next_cursor` for the next one until it is `None`
        (`adapters.cis.listing.all_service_locations` does).
        """
        ...

    async def get_meters_by_account(self, account_number: str) -> Sequence[Meter]: ...

    async def get_bill(self, account_number: str, bill_date: date) -> Bill: ...

    async def get_balance(self, account_number: str) -> Balance: ...

    async def update_contact(
        self,
        customer_id: str,
        *,
        home_phone: str | None,
        mobile_phone: str | None,
        email: str | None,
        billing_address: PostalAddress | None = None,
    ) -> Customer:
        """Replace the phones and email (None clears one), and the billing address when
        given; the customer as the CIS keeps it afterwards. `Fault` when refused."""
        ...

    async def changes_since(self, cursor: str | None) -> ChangePage:
        """The CIS's change feed (MultiSpeak GetModifiedCustomers and
        GetModifiedServiceLocations), from `cursor` on.

        `None` starts from now: no changes, just the cursor of the CIS's present
        position. A cursor is opaque: pass back only what a `ChangePage` gave. One that
        is not a cursor at all is a `ValueError`; one the CIS no longer knows (its
        change log was reset) a `CisFault`, after which the caller starts from now.
        """
        ...

    async def aclose(self) -> None: ...
