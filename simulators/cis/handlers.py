"""The CB_Server operations the CIS stand-in implements, each reading its database.

Nothing is cached: every call queries the database, so writes (by this server or by
a test) are visible to the next call. Unknown keys give empty results, as MultiSpeak
servers answer them; the adapter turns those into `CisNotFound`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Select, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.cis import search
from simulators.cis import feed, listing, wire
from simulators.cis.payment_extensions import PaymentExtensionHandlers
from simulators.cis.payments import PaymentHandlers
from simulators.cis.prepay import PrepayHandlers
from simulators.cis.store import (
    accounts,
    balances,
    bill_charges,
    bill_usage,
    bills,
    customers,
    meters,
    name_key,
    service_locations,
)
from simulators.soap import Answer, Handler, HeaderHandler, SoapFault

# What `GetMethods` answers: the operations this CIS implements.
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
# How many objects one GetModifiedXXX answer holds at most (see `simulators.cis.feed`).
DEFAULT_CHANGE_PAGE_SIZE = 100
# How many service locations one GetAllServiceLocations answer holds at most.
DEFAULT_LIST_PAGE_SIZE = 100


def _bill_day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _locations_query() -> Select[Any]:
    last_bill = (
        select(func.max(bills.c.bill_date))
        .where(bills.c.account_number == service_locations.c.account_number)
        .scalar_subquery()
    )
    return (
        select(
            service_locations,
            accounts.c.cycle_day,
            accounts.c.is_prepay,
            last_bill.label("last_bill_date"),
        )
        .join(accounts, accounts.c.account_number == service_locations.c.account_number)
        .order_by(service_locations.c.account_number, service_locations.c.position)
    )


# The statements a member's dashboard runs, built once: on these small tables, building
# a statement and its cache key costs more than SQLite takes to run it.
_LOCATIONS_ON_ACCOUNT = _locations_query().where(
    service_locations.c.account_number == bindparam("account_number")
)
# A meter, with the facts of its location that a meter on the wire carries.
_METER_AT_LOCATION = (
    meters,
    service_locations.c.account_number,
    service_locations.c.customer_id,
    service_locations.c.substation,
    service_locations.c.feeder,
)
_METERS_ON_ACCOUNT = (
    select(*_METER_AT_LOCATION)
    .join(service_locations, service_locations.c.location_id == meters.c.location_id)
    .where(service_locations.c.account_number == bindparam("account_number"))
    .order_by(service_locations.c.position, meters.c.position)
)
_BILL = (
    select(bills, accounts.c.cycle_day)
    .join(accounts, accounts.c.account_number == bills.c.account_number)
    .where(
        (bills.c.account_number == bindparam("account_number"))
        & (bills.c.bill_date == bindparam("bill_date"))
    )
)
_BILL_LINES = {
    table: select(table)
    .where(
        (table.c.account_number == bindparam("account_number"))
        & (table.c.bill_date == bindparam("bill_date"))
    )
    .order_by(table.c.line_no)
    for table in (bill_charges, bill_usage)
}
_BALANCE = select(balances).where(balances.c.account_number == bindparam("account_number"))


class CbServerHandlers:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        payment_terms_days: int,
        change_page_size: int = DEFAULT_CHANGE_PAGE_SIZE,
        list_page_size: int = DEFAULT_LIST_PAGE_SIZE,
        payments_need_commit: bool = False,
    ) -> None:
        if change_page_size < 1 or list_page_size < 1:
            raise ValueError("page sizes must be at least 1")
        self._engine = engine
        self._payment_terms_days = payment_terms_days
        self._change_page_size = change_page_size
        self._list_page_size = list_page_size
        self._payments = PaymentHandlers(engine, needs_commit=payments_need_commit)
        self._extensions = PaymentExtensionHandlers(engine)
        self._prepay = PrepayHandlers(engine)

    def mapping(self) -> Mapping[str, Handler | HeaderHandler]:
        return {
            "GetMethods": self.get_methods,
            "GetCustomerByCustId": self.get_customer_by_cust_id,
            "GetCustomerByName": self.get_customer_by_name,
            "GetCustomerByHomePhone": self.get_customer_by_home_phone,
            "GetServiceLocationByMeterNo": self.get_service_location_by_meter_no,
            "GetMetersBySearchString": self.get_meters_by_search_string,
            "GetServiceLocationByAccountNumber": self.get_service_location_by_account_number,
            "GetServiceLocationByCustId": self.get_service_location_by_cust_id,
            "GetAllServiceLocations": self.get_all_service_locations,
            "GetMeterByAccountNumber": self.get_meter_by_account_number,
            "GetBillingDetail": self.get_billing_detail,
            "GetBilledUsage": self.get_billed_usage,
            "GetPayableItemsList": self.get_payable_items_list,
            "GetModifiedCustomers": HeaderHandler(self.get_modified_customers),
            "GetModifiedServiceLocations": HeaderHandler(self.get_modified_service_locations),
            "ModifyCBDataForCustomer": self.modify_cb_data_for_customer,
            "ModifyCBDataForServiceLocation": self.modify_cb_data_for_service_location,
            **self._payments.mapping(),
            **self._extensions.mapping(),
            **self._prepay.mapping(),
        }

    async def get_methods(self, request: Any) -> Any:
        return {"string": list(METHODS)}

    async def get_customer_by_cust_id(self, request: Any) -> Any:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(customers).where(customers.c.customer_id == request.custId)
                )
            ).one_or_none()
        return None if row is None else wire.customer(row)

    async def get_customer_by_name(self, request: Any) -> Any:
        first, last = request.firstName or "", request.lastName or ""
        if not first.strip() and not last.strip():
            raise SoapFault("GetCustomerByName needs a firstName or a lastName")
        query = select(customers)
        # Names match by case-insensitive prefix: "bac" finds "Baca".
        if first.strip():
            query = query.where(
                customers.c.first_name_key.startswith(name_key(first.strip()), autoescape=True)
            )
        if last.strip():
            query = query.where(
                customers.c.last_name_key.startswith(name_key(last.strip()), autoescape=True)
            )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        # Sorted here, not in SQL, so the order does not depend on the database's collation.
        ordered = sorted(rows, key=lambda r: (r.last_name, r.first_name, r.customer_id))
        return {"customer": [wire.customer(row) for row in ordered]}

    async def get_customer_by_home_phone(self, request: Any) -> Any:
        phone = "".join(
            ch for ch in (request.homeAc or "") + (request.homePhone or "") if ch.isdigit()
        )
        if not phone:
            raise SoapFault("GetCustomerByHomePhone needs a homePhone")
        # Several members may share a landline; the operation answers with one.
        query = (
            select(customers)
            .where(customers.c.home_phone == phone)
            .order_by(customers.c.customer_id)
            .limit(1)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        return None if row is None else wire.customer(row)

    async def get_service_location_by_meter_no(self, request: Any) -> Any:
        located = (
            select(meters.c.location_id).where(meters.c.meter_no == request.meterNo)
        ).scalar_subquery()
        found = await self._service_locations(service_locations.c.location_id == located)
        locations = found["serviceLocation"]
        return locations[0] if locations else None

    async def get_meters_by_search_string(self, request: Any) -> Any:
        text = request.searchString or ""
        if not text.strip():
            raise SoapFault("GetMetersBySearchString needs a searchString")
        query = (
            select(
                *_METER_AT_LOCATION,
                service_locations.c.line1,
                service_locations.c.line2,
                customers.c.home_phone,
                customers.c.mobile_phone,
            )
            .join(service_locations, service_locations.c.location_id == meters.c.location_id)
            .join(customers, customers.c.customer_id == service_locations.c.customer_id)
            .order_by(
                service_locations.c.account_number,
                service_locations.c.position,
                meters.c.position,
            )
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        # Matched here, not in SQL, so that case folding is Python's, as in the fake CIS.
        found = [
            row
            for row in rows
            if search.matches(
                text,
                address_lines=(row.line1, row.line2),
                phones=(row.home_phone, row.mobile_phone),
            )
        ]
        return {"meter": [wire.meter(row) for row in found]}

    async def _service_locations(self, condition: Any) -> Any:
        return await self._located(_locations_query().where(condition))

    async def _located(
        self, query: Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> Any:
        """The service locations a `_locations_query` finds, as MultiSpeak objects."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query, parameters)).all()
        return {
            "serviceLocation": [
                wire.service_location(
                    row,
                    last_bill_date=row.last_bill_date,
                    payment_terms_days=self._payment_terms_days,
                )
                for row in rows
            ]
        }

    async def get_service_location_by_account_number(self, request: Any) -> Any:
        return await self._located(_LOCATIONS_ON_ACCOUNT, {"account_number": request.accountNumber})

    async def get_service_location_by_cust_id(self, request: Any) -> Any:
        return await self._service_locations(service_locations.c.customer_id == request.custId)

    async def get_all_service_locations(self, request: Any) -> Answer:
        async with self._engine.connect() as conn:
            page = await listing.location_page(
                conn, request.lastReceived, page_size=self._list_page_size
            )
        located = await self._service_locations(
            service_locations.c.location_id.in_(page.object_ids)
        )
        by_id = {location["objectID"]: location for location in located["serviceLocation"]}
        found = [by_id[i] for i in page.object_ids if i in by_id]
        return Answer({"serviceLocation": found}, page.header())

    async def get_meter_by_account_number(self, request: Any) -> Any:
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(_METERS_ON_ACCOUNT, {"account_number": request.accountNumber})
            ).all()
        return {"meter": [wire.meter(row) for row in rows]}

    async def _bill(self, account_number: str, bill_date: date) -> wire.BillRows | None:
        key = {"account_number": account_number, "bill_date": bill_date}
        async with self._engine.connect() as conn:
            bill = (await conn.execute(_BILL, key)).one_or_none()
            if bill is None:
                return None
            charges = (await conn.execute(_BILL_LINES[bill_charges], key)).all()
            usage = (await conn.execute(_BILL_LINES[bill_usage], key)).all()
        return wire.BillRows(bill=bill, cycle_day=bill.cycle_day, charges=charges, usage=usage)

    async def get_billing_detail(self, request: Any) -> Any:
        rows = await self._bill(request.accountNumber, _bill_day(request.cisBillDate))
        return {"billingDetail": [] if rows is None else wire.billing_details(rows)}

    async def get_billed_usage(self, request: Any) -> Any:
        rows = await self._bill(request.accountNumber, _bill_day(request.cisBillDate))
        return None if rows is None else wire.billed_usage(rows)

    async def get_payable_items_list(self, request: Any) -> Any:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(_BALANCE, {"account_number": request.accountNumber})
            ).one_or_none()
        return {"payableItem": [] if row is None else [wire.payable_item(row)]}

    async def get_modified_customers(self, request: Any, header: Mapping[str, Any]) -> Answer:
        async with self._engine.connect() as conn:
            page = await feed.modified_page(
                conn,
                feed.CUSTOMER,
                feed.FeedRequest.of(request, header),
                page_size=self._change_page_size,
            )
            rows = (
                await conn.execute(
                    select(customers).where(customers.c.customer_id.in_(page.object_ids))
                )
            ).all()
        by_id = {row.customer_id: row for row in rows}
        found = [wire.customer(by_id[i]) for i in page.object_ids if i in by_id]
        return Answer({"customer": found}, page.header())

    async def get_modified_service_locations(
        self, request: Any, header: Mapping[str, Any]
    ) -> Answer:
        async with self._engine.connect() as conn:
            page = await feed.modified_page(
                conn,
                feed.SERVICE_LOCATION,
                feed.FeedRequest.of(request, header),
                page_size=self._change_page_size,
            )
        located = await self._service_locations(
            service_locations.c.location_id.in_(page.object_ids)
        )
        by_id = {location["objectID"]: location for location in located["serviceLocation"]}
        found = [by_id[i] for i in page.object_ids if i in by_id]
        return Answer({"serviceLocation": found}, page.header())

    async def modify_cb_data_for_customer(self, request: Any) -> Any:
        changes = request.customerData.customer if request.customerData is not None else []
        return await self._apply_changes(_CUSTOMERS, changes)

    async def modify_cb_data_for_service_location(self, request: Any) -> Any:
        data = request.serviceLocationData
        changes = data.serviceLocation if data is not None else []
        return await self._apply_changes(_SERVICE_LOCATIONS, changes)

    async def _apply_changes(self, kind: _Modifiable, changes: Sequence[Any]) -> Any:
        """All of one ModifyCBDataForXXX in one transaction; the refused ones as errorObjects."""
        errors: list[dict[str, Any]] = []
        async with self._engine.begin() as conn:
            for change in changes:
                error = await _apply_change(conn, kind, change)
                if error is not None:
                    errors.append(_error_object(change, error, kind.noun))
        return {"errorObject": errors}


def _error_object(change: Any, error: str, noun: str) -> dict[str, Any]:
    return {
        "objectID": getattr(change, "objectID", None),
        "errorString": error,
        "nounType": noun,
        "eventTime": datetime.now(UTC).replace(microsecond=0),
    }


@dataclass(frozen=True, slots=True)
class _Modifiable:
    """A noun the ModifyCBDataForXXX operations change, and where it is kept."""

    noun: str  # as MultiSpeak and the change feed name it
    called: str  # as error strings name it
    table: Table
    key: Column[str]
    changes: Callable[[Any], dict[str, Any]]  # the columns one change sets


_CUSTOMERS = _Modifiable(
    feed.CUSTOMER, "customer", customers, customers.c.customer_id, wire.customer_changes
)
_SERVICE_LOCATIONS = _Modifiable(
    feed.SERVICE_LOCATION,
    "service location",
    service_locations,
    service_locations.c.location_id,
    wire.service_location_changes,
)


async def _apply_change(conn: AsyncConnection, kind: _Modifiable, change: Any) -> str | None:
    """Apply one object of a ModifyCBDataForXXX; an error string if refused."""
    if change is None or not change.objectID:
        return f"a {kind.called} to modify needs its objectID"
    if change.verb not in (None, "Change"):
        return f"verb {change.verb} is not supported; only Change is"
    key = kind.key == change.objectID
    if (await conn.execute(select(kind.key).where(key))).first() is None:
        return f"unknown {kind.called} {change.objectID}"
    try:
        values = kind.changes(change)
    except ValueError as exc:
        return str(exc)
    if values:
        await conn.execute(update(kind.table).where(key).values(**values))
        await feed.record_change(conn, kind.noun, change.objectID)
    return None
