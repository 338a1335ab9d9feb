"""The CIS port over MultiSpeak 3.0 CB_Server (SOAP 1.1), with zeep.

Vendor settings: `payment_terms_days` dates a bill's due date (bill date plus the
terms), because `billingDetail` carries no due date; `commit_payments` posts payments
in two steps (see `adapters.cis.soap_payments`, which holds the payment calls).
MultiSpeak answers an unknown key with an empty result; this adapter raises
`CisNotFound` for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar

import httpx

from adapters.cis import feed, wire
from adapters.cis.port import (
    Balance,
    Bill,
    ChangePage,
    CisFault,
    CisNotFound,
    CisUnavailable,
    Customer,
    Meter,
    MeterMatch,
    PostalAddress,
    ServiceLocation,
    ServiceLocationPage,
)
from adapters.cis.soap_payments import SoapCisPayments
from adapters.multispeak import (
    MultiSpeakClient,
    MultiSpeakEndpoint,
    Reply,
    call,
    exchange,
    load_wsdl_client,
)
from adapters.rules.numbers import digits_of

# A copy of the MultiSpeak 3.0ac CB_Server WSDL with the standard "Get" names restored
# (see the project's reference notes); shipped with the package, never fetched.
CB_SERVER_WSDL: Final = Path(__file__).with_name("CB_Server.wsdl")

T = TypeVar("T")
AREA_CODE_DIGITS: Final = 3
PHONE_DIGITS: Final = 10


def _wire_date(day: date) -> datetime:
    return datetime.combine(day, time())


class SoapCis(SoapCisPayments):
    """`CisPort` and `CisPayments` against a MultiSpeak 3.0 CB server."""

    def __init__(
        self,
        client: MultiSpeakClient,
        *,
        payment_terms_days: int = 20,
        commit_payments: bool = False,
    ) -> None:
        self._client = client
        self._payment_terms = timedelta(days=payment_terms_days)
        self._commit_payments = commit_payments

    @classmethod
    async def create(
        cls,
        *,
        endpoint: MultiSpeakEndpoint,
        http: httpx.AsyncBaseTransport | None = None,
        payment_terms_days: int = 20,
        commit_payments: bool = False,
    ) -> SoapCis:
        """Parse the WSDL (in a thread: it takes a while) and bind it to `endpoint`."""
        client = await asyncio.to_thread(load_wsdl_client, CB_SERVER_WSDL, endpoint, http)
        return cls(client, payment_terms_days=payment_terms_days, commit_payments=commit_payments)

    def __repr__(self) -> str:
        return f"SoapCis({self._client!r})"

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, operation: str, arguments: Mapping[str, Any] | None = None) -> Any:
        return await call(
            self._client, operation, arguments, unavailable=CisUnavailable, fault=CisFault
        )

    async def get_methods(self) -> Sequence[str]:
        result = await self._call("GetMethods")
        return tuple(name for name in (result or {}).get("string") or () if name)

    async def get_customer(self, customer_id: str) -> Customer:
        result = await self._call("GetCustomerByCustId", {"custId": customer_id})
        if not result:
            raise CisNotFound(f"no customer {customer_id!r}")
        return _read(wire.customer, result)

    async def find_customers_by_name(
        self, *, first_name: str | None, last_name: str | None
    ) -> Sequence[Customer]:
        result = await self._call(
            "GetCustomerByName", {"firstName": first_name, "lastName": last_name}
        )
        return tuple(_read(wire.customer, c) for c in wire.items(result, "customer"))

    async def get_customer_by_home_phone(self, phone: str) -> Customer:
        digits = digits_of(phone)
        if len(digits) != PHONE_DIGITS:
            raise ValueError(f"a home phone has {PHONE_DIGITS} digits")
        result = await self._call(
            "GetCustomerByHomePhone",
            {"homeAc": digits[:AREA_CODE_DIGITS], "homePhone": digits[AREA_CODE_DIGITS:]},
        )
        if not result:
            raise CisNotFound("no customer with this home phone")
        return _read(wire.customer, result)

    async def get_service_location_by_meter(self, meter_no: str) -> ServiceLocation:
        result = await self._call("GetServiceLocationByMeterNo", {"meterNo": meter_no})
        if not result:
            raise CisNotFound(f"no meter {meter_no!r}")
        return _read(wire.service_location, result)

    async def search_meters(self, text: str) -> Sequence[MeterMatch]:
        result = await self._call("GetMetersBySearchString", {"searchString": text})
        return tuple(_read(wire.meter_match, m) for m in wire.items(result, "meter"))

    async def get_service_locations_by_account(
        self, account_number: str
    ) -> Sequence[ServiceLocation]:
        result = await self._call(
            "GetServiceLocationByAccountNumber", {"accountNumber": account_number}
        )
        locations = wire.items(result, "serviceLocation")
        if not locations:
            raise CisNotFound(f"no account {account_number!r}")
        return tuple(_read(wire.service_location, loc) for loc in locations)

    async def get_service_locations_by_customer(
        self, customer_id: str
    ) -> Sequence[ServiceLocation]:
        result = await self._call("GetServiceLocationByCustId", {"custId": customer_id})
        locations = wire.items(result, "serviceLocation")
        if not locations:
            raise CisNotFound(f"no service locations for customer {customer_id!r}")
        return tuple(_read(wire.service_location, loc) for loc in locations)

    async def service_locations_page(self, cursor: str | None) -> ServiceLocationPage:
        """One GetAllServiceLocations answer; its header's ObjectsRemaining says whether
        more follow (a server that sends none is asked again until a page is empty)."""
        reply: Reply = await exchange(
            self._client,
            "GetAllServiceLocations",
            {"lastReceived": cursor or ""},
            unavailable=CisUnavailable,
            fault=CisFault,
        )
        locations = tuple(
            _read(wire.service_location, loc) for loc in wire.items(reply.result, "serviceLocation")
        )
        remaining = reply.header.get("ObjectsRemaining")
        more = bool(locations) if remaining is None else _count(remaining) > 0
        if not more:
            return ServiceLocationPage(locations, next_cursor=None)
        last_sent = reply.header.get("LastSent") or (locations[-1].location_id if locations else "")
        if not last_sent:
            raise CisFault("GetAllServiceLocations: objects remain, but nothing says where")
        return ServiceLocationPage(locations, next_cursor=str(last_sent))

    async def get_meters_by_account(self, account_number: str) -> Sequence[Meter]:
        result = await self._call("GetMeterByAccountNumber", {"accountNumber": account_number})
        found = wire.items(result, "meter")
        if not found:
            raise CisNotFound(f"no meters for account {account_number!r}")
        return tuple(_read(wire.meter, m) for m in found)

    async def get_bill(self, account_number: str, bill_date: date) -> Bill:
        key = {"accountNumber": account_number, "cisBillDate": _wire_date(bill_date)}
        detail_result, usage_result = await asyncio.gather(
            self._call("GetBillingDetail", key), self._call("GetBilledUsage", key)
        )
        details = wire.items(detail_result, "billingDetail")
        if not details:
            raise CisNotFound(f"no bill dated {bill_date.isoformat()} for {account_number!r}")
        try:
            return self._bill(account_number, bill_date, details, usage_result)
        except (ValueError, TypeError, AttributeError) as exc:
            raise CisFault(f"GetBillingDetail: unreadable answer ({exc})") from None

    def _bill(
        self, account_number: str, bill_date: date, details: Sequence[wire.Wire], usage: Any
    ) -> Bill:
        figures = details[0]
        lines = wire.billed_usage(details, usage)
        return Bill(
            account_number=account_number,
            bill_date=bill_date,
            # A bill without metered usage has no read dates to bound its period.
            period_start=min((u.period_start for u in lines), default=bill_date),
            period_end=max((u.period_end for u in lines), default=bill_date),
            due_date=bill_date + self._payment_terms,
            prior_balance=wire.amount(figures.get("priorBalance"), "priorBalance"),
            payments_received=wire.amount(figures.get("payment"), "payment"),
            charges=wire.charge_lines(details),
            usage=lines,
            balance_after_billing=wire.amount(
                figures.get("CISBalanceAfterBilling"), "CISBalanceAfterBilling"
            ),
        )

    async def update_contact(
        self,
        customer_id: str,
        *,
        home_phone: str | None,
        mobile_phone: str | None,
        email: str | None,
        billing_address: PostalAddress | None = None,
    ) -> Customer:
        """Replace a member's phone numbers and email (None clears one); the result.

        The billing address is changed only when given. Sent as one
        ModifyCBDataForCustomer; the CIS checks the numbers (ten digits).
        """
        change = wire.contact_change(
            customer_id,
            home_phone=home_phone,
            mobile_phone=mobile_phone,
            email=email,
            billing_address=billing_address,
        )
        result = await self._call(
            "ModifyCBDataForCustomer", {"customerData": {"customer": [change]}}
        )
        errors = wire.items(result, "errorObject")
        if errors:
            await self.get_customer(customer_id)  # CisNotFound for an unknown member
            reason = errors[0].get("errorString") or "no reason given"
            raise CisFault(f"ModifyCBDataForCustomer refused: {reason}")
        return await self.get_customer(customer_id)

    async def changes_since(self, cursor: str | None) -> ChangePage:
        """Both MultiSpeak change feeds, one page of each, read side by side.

        From `None`, each feed is asked once with no previousSessionID; only the
        SessionID of the answer is kept (its objects are what came before now).
        """
        if cursor is None:
            positions = {name: feed.FeedPosition(previous=None) for name in feed.FEEDS}
        else:
            positions = feed.decode(cursor)
        pages = await asyncio.gather(
            *(self._feed_page(name, positions[name]) for name in feed.FEEDS)
        )
        found = dict(zip(feed.FEEDS, (objects for objects, _ in pages), strict=True))
        moved = dict(zip(feed.FEEDS, (position for _, position in pages), strict=True))
        next_cursor = feed.encode(moved)
        if cursor is None:
            return ChangePage((), (), (), next_cursor, more=False)
        changed_customers = [_read(wire.customer, c) for c in found[feed.CUSTOMERS]]
        changed_locations = [
            _read(wire.service_location, loc) for loc in found[feed.SERVICE_LOCATIONS]
        ]
        return ChangePage(
            customer_ids=_ids(
                [c.customer_id for c in changed_customers]
                + [loc.customer_id for loc in changed_locations]
            ),
            account_numbers=_ids([loc.account_number for loc in changed_locations]),
            location_ids=_ids([loc.location_id for loc in changed_locations]),
            next_cursor=next_cursor,
            more=any(position.paging for position in moved.values()),
        )

    async def _feed_page(
        self, operation: str, position: feed.FeedPosition
    ) -> tuple[list[wire.Wire], feed.FeedPosition]:
        arguments, header = position.request()
        reply: Reply = await exchange(
            self._client,
            operation,
            arguments,
            header=header,
            unavailable=CisUnavailable,
            fault=CisFault,
        )
        try:
            return wire.items(reply.result, feed.NOUNS[operation]), position.after(reply.header)
        except ValueError as exc:
            raise CisFault(f"{operation}: unreadable answer ({exc})") from None

    async def get_balance(self, account_number: str) -> Balance:
        result = await self._call("GetPayableItemsList", {"accountNumber": account_number})
        payables = wire.items(result, "payableItem")
        if not payables:
            raise CisNotFound(f"no account {account_number!r}")
        return _read(lambda value: wire.balance(account_number, value), payables[0])


def _count(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CisFault(f"unreadable ObjectsRemaining {value!r}") from None


def _ids(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({value for value in values if value}))


def _read(convert: Callable[[wire.Wire], T], value: wire.Wire) -> T:
    try:
        return convert(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise CisFault(f"unreadable answer ({exc})") from None
