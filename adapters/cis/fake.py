"""An in-memory CIS that answers exactly as `SoapCis` does against the CIS stand-in.

It starts from `FakeCisData`, the records as the port returns them, and applies the
rules the stand-in follows on the wire (name search by case-insensitive prefix, the
free-text search of `adapters.cis.search`, contact changes kept as the CIS keeps
them, payments as `adapters.cis.fake_payments` describes), which the contract suites
(`adapters.cis.contract*`) hold both to. It records every call in `calls` as
`(method name, arguments)`, and every change it makes in `change_log`, which
`changes_since` reads (all in one page: the fake does not page).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Self, TypeVar

from adapters.cis import search
from adapters.cis.fake_payments import FakeCisPayments, FakePaymentBook
from adapters.cis.port import (
    Balance,
    Bill,
    ChangePage,
    CisFault,
    CisNotFound,
    Customer,
    Meter,
    MeterMatch,
    PostalAddress,
    ServiceLocation,
    ServiceLocationPage,
)
from adapters.rules.numbers import digits_of, parse_natural

T = TypeVar("T")
PHONE_DIGITS = 10

# The operations the CIS stand-in reports from GetMethods.
METHODS: tuple[str, ...] = (
    "GetMethods",
    "GetCustomerByCustId",
    "GetCustomerByName",
    "GetCustomerByHomePhone",
    "GetServiceLocationByAccountNumber",
    "GetServiceLocationByCustId",
    "GetServiceLocationByMeterNo",
    "GetAllServiceLocations",
    "GetMeterByAccountNumber",
    "GetMetersBySearchString",
    "GetBillingDetail",
    "GetBilledUsage",
    "GetPayableItemsList",
    "GetModifiedCustomers",
    "GetModifiedServiceLocations",
    "ModifyCBDataForCustomer",
    "ModifyCBDataForServiceLocation",
    "ProcessPaymentTransaction",
    "CommitPaymentTransaction",
    "RequestPaymentExtension",
    "ExtendPayment",
    "GetPPMCustomer",
)


@dataclass(frozen=True, slots=True)
class FakeCisData:
    """What a fake CIS holds when it starts: every record exactly as the port returns it.

    Order matters where the CIS has one: `locations` in each account's own order, and
    `meters` in the order of their service locations (the fake answers in this order).
    Every meter is installed at one of the `locations`.
    """

    customers: tuple[Customer, ...] = ()
    locations: tuple[ServiceLocation, ...] = ()
    meters: tuple[Meter, ...] = ()
    bills: tuple[Bill, ...] = ()
    balances: tuple[Balance, ...] = ()


@dataclass
class FakeCis(FakeCisPayments):
    customers: dict[str, Customer]
    locations: dict[str, tuple[ServiceLocation, ...]]  # by account number, in account order
    meters: dict[str, tuple[Meter, ...]]  # by account number
    bills: dict[tuple[str, date], Bill]
    balances: dict[str, Balance]
    methods: tuple[str, ...] = METHODS
    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    # Each change as the (customer ids, account numbers, location ids) it touched.
    change_log: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=list
    )
    # Payments (see `adapters.cis.fake_payments`): postings, reversals, extensions.
    payment_book: FakePaymentBook = field(default_factory=FakePaymentBook)
    # How many service locations one `service_locations_page` holds at most.
    page_size: int = 100

    @classmethod
    def from_data(cls, data: FakeCisData) -> Self:
        """A fake holding `data`; raises `ValueError` for a meter at no known location."""
        account_of_location = {loc.location_id: loc.account_number for loc in data.locations}
        locations: dict[str, list[ServiceLocation]] = {}
        for location in data.locations:
            locations.setdefault(location.account_number, []).append(location)
        meters: dict[str, list[Meter]] = {}
        for meter in data.meters:
            account_number = account_of_location.get(meter.location_id or "")
            if account_number is None:
                raise ValueError(f"meter {meter.meter_no} is at no known service location")
            meters.setdefault(account_number, []).append(meter)
        return cls(
            customers={c.customer_id: c for c in data.customers},
            locations={number: tuple(located) for number, located in locations.items()},
            meters={number: tuple(installed) for number, installed in meters.items()},
            bills={(b.account_number, b.bill_date): b for b in data.bills},
            balances={b.account_number: b for b in data.balances},
        )

    def _record(self, method: str, *arguments: object) -> None:
        self.calls.append((method, arguments))

    async def get_methods(self) -> Sequence[str]:
        self._record("get_methods")
        return self.methods

    async def get_customer(self, customer_id: str) -> Customer:
        self._record("get_customer", customer_id)
        try:
            return self.customers[customer_id]
        except KeyError:
            raise CisNotFound(f"no customer {customer_id!r}") from None

    async def find_customers_by_name(
        self, *, first_name: str | None, last_name: str | None
    ) -> Sequence[Customer]:
        self._record("find_customers_by_name", first_name, last_name)
        first, last = (first_name or "").strip(), (last_name or "").strip()
        if not first and not last:
            raise CisFault(
                "GetCustomerByName failed: GetCustomerByName needs a firstName or a lastName"
            )
        found = [
            c
            for c in self.customers.values()
            if c.first_name.casefold().startswith(first.casefold())
            and c.last_name.casefold().startswith(last.casefold())
        ]
        return tuple(sorted(found, key=lambda c: (c.last_name, c.first_name, c.customer_id)))

    async def get_customer_by_home_phone(self, phone: str) -> Customer:
        self._record("get_customer_by_home_phone", phone)
        digits = digits_of(phone)
        if len(digits) != PHONE_DIGITS:
            raise ValueError(f"a home phone has {PHONE_DIGITS} digits")
        for customer_id in sorted(self.customers):
            if self.customers[customer_id].home_phone == digits:
                return self.customers[customer_id]
        raise CisNotFound("no customer with this home phone")

    async def get_service_location_by_meter(self, meter_no: str) -> ServiceLocation:
        self._record("get_service_location_by_meter", meter_no)
        for number in sorted(self.locations):
            for meter in self.meters.get(number, ()):
                if meter.meter_no == meter_no:
                    return next(
                        loc
                        for loc in self.locations[number]
                        if loc.location_id == meter.location_id
                    )
        raise CisNotFound(f"no meter {meter_no!r}")

    async def search_meters(self, text: str) -> Sequence[MeterMatch]:
        self._record("search_meters", text)
        if not text.strip():
            raise CisFault(
                "GetMetersBySearchString failed: GetMetersBySearchString needs a searchString"
            )
        found = []
        for number in sorted(self.locations):
            located = {loc.location_id: loc for loc in self.locations[number]}
            for meter in self.meters.get(number, ()):
                location = located[meter.location_id or ""]
                customer = self.customers[location.customer_id]
                if search.matches(
                    text,
                    address_lines=(location.address.line1, location.address.line2),
                    phones=(customer.home_phone, customer.mobile_phone),
                ):
                    found.append(MeterMatch(meter, number, location.customer_id))
        return tuple(found)

    async def get_service_locations_by_account(
        self, account_number: str
    ) -> Sequence[ServiceLocation]:
        self._record("get_service_locations_by_account", account_number)
        return _found(self.locations.get(account_number), f"no account {account_number!r}")

    async def get_service_locations_by_customer(
        self, customer_id: str
    ) -> Sequence[ServiceLocation]:
        self._record("get_service_locations_by_customer", customer_id)
        owned = tuple(
            loc
            for number in sorted(self.locations)
            for loc in self.locations[number]
            if loc.customer_id == customer_id
        )
        return _found(owned, f"no service locations for customer {customer_id!r}")

    async def service_locations_page(self, cursor: str | None) -> ServiceLocationPage:
        self._record("service_locations_page", cursor)
        after = cursor or ""
        remaining = sorted(
            (
                loc
                for located in self.locations.values()
                for loc in located
                if loc.location_id > after
            ),
            key=lambda loc: loc.location_id,
        )
        page = tuple(remaining[: self.page_size])
        more = len(remaining) > len(page)
        return ServiceLocationPage(page, next_cursor=page[-1].location_id if more else None)

    async def get_meters_by_account(self, account_number: str) -> Sequence[Meter]:
        self._record("get_meters_by_account", account_number)
        return _found(self.meters.get(account_number), f"no meters for account {account_number!r}")

    async def get_bill(self, account_number: str, bill_date: date) -> Bill:
        self._record("get_bill", account_number, bill_date)
        try:
            return self.bills[(account_number, bill_date)]
        except KeyError:
            raise CisNotFound(
                f"no bill dated {bill_date.isoformat()} for {account_number!r}"
            ) from None

    async def update_contact(
        self,
        customer_id: str,
        *,
        home_phone: str | None,
        mobile_phone: str | None,
        email: str | None,
        billing_address: PostalAddress | None = None,
    ) -> Customer:
        self._record(
            "update_contact", customer_id, home_phone, mobile_phone, email, billing_address
        )
        current = await self.get_customer(customer_id)
        self.calls.pop()  # the lookup above is part of this call, not a call of its own
        try:
            home, mobile = _phone(home_phone), _phone(mobile_phone)
            address = (
                current.billing_address
                if billing_address is None
                else _billing_address(billing_address)
            )
        except ValueError as exc:
            raise CisFault(f"ModifyCBDataForCustomer refused: {exc}") from None
        updated = replace(
            current,
            home_phone=home,
            mobile_phone=mobile,
            email=(email or "").strip() or None,
            billing_address=address,
        )
        self.customers[customer_id] = updated
        self.change_log.append(((customer_id,), (), ()))
        return updated

    def change_service_location(
        self,
        location_id: str,
        *,
        address: PostalAddress | None = None,
        service_status: str | None = None,
    ) -> ServiceLocation:
        """What ModifyCBDataForServiceLocation does in the CIS stand-in (not a port
        method: the gateway never changes a location; tests change one behind its back)."""
        for number, located in self.locations.items():
            for index, location in enumerate(located):
                if location.location_id == location_id:
                    changed = replace(
                        location,
                        address=address or location.address,
                        service_status=(service_status or location.service_status).lower(),
                    )
                    self.locations[number] = (*located[:index], changed, *located[index + 1 :])
                    self.change_log.append(((changed.customer_id,), (number,), (location_id,)))
                    return changed
        raise CisNotFound(f"no service location {location_id!r}")

    async def changes_since(self, cursor: str | None) -> ChangePage:
        self._record("changes_since", cursor)
        start = len(self.change_log) if cursor is None else _log_position(cursor)
        if start > len(self.change_log):
            raise CisFault(f"GetModifiedCustomers failed: {cursor!r} is not a session it issued")
        changes = self.change_log[start:]
        return ChangePage(
            customer_ids=_sorted_ids(ids for ids, _, _ in changes),
            account_numbers=_sorted_ids(numbers for _, numbers, _ in changes),
            location_ids=_sorted_ids(locations for _, _, locations in changes),
            next_cursor=str(len(self.change_log)),
            more=False,
        )

    async def get_balance(self, account_number: str) -> Balance:
        self._record("get_balance", account_number)
        try:
            return self.balances[account_number]
        except KeyError:
            raise CisNotFound(f"no account {account_number!r}") from None

    async def aclose(self) -> None:
        self._record("aclose")


def _phone(text: str | None) -> str | None:
    """A phone number as the CIS keeps it: ten digits, punctuation dropped."""
    digits = digits_of(text or "")
    if not digits:
        return None
    if len(digits) != PHONE_DIGITS:
        raise ValueError(f"phone numbers need {PHONE_DIGITS} digits, got {len(digits)}")
    return digits


def _billing_address(address: PostalAddress) -> PostalAddress:
    """The address as the CIS stores it: trimmed, with its required parts present."""
    required = {
        "billAddr1": address.line1,
        "billCity": address.city,
        "billState": address.state,
        "billZip": address.zip_code,
    }
    for element, value in required.items():
        if not value.strip():
            raise ValueError(f"{element} must not be empty")
    return PostalAddress(
        line1=address.line1.strip(),
        city=address.city.strip(),
        state=address.state.strip(),
        zip_code=address.zip_code.strip(),
        line2=(address.line2 or "").strip() or None,
    )


def _log_position(cursor: str) -> int:
    position = parse_natural(cursor)
    if position is None:
        raise ValueError("not a CIS change cursor")
    return position


def _sorted_ids(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(sorted({value for group in groups for value in group}))


def _found(found: Iterable[T] | None, message: str) -> tuple[T, ...]:
    result = tuple(found or ())
    if not result:
        raise CisNotFound(message)
    return result
