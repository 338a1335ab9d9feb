"""The CIS stand-in's own database (SQLAlchemy Core; a SQLite file or any async URL).

A real CIS is the system of record for members, accounts, premises, meters, bills and
balances; this is its schema, loaded from the shared `World`. Money is stored as whole
cents in integers: exact everywhere, and free of SQLite's lossy DECIMAL emulation.
Register readings are `xsd:float` on the wire, so they are floats here too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.rules.money import whole_cents
from simulators.world import World, WorldBill

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(32), primary_key=True),
    Column("first_name", String(64), nullable=False),
    Column("last_name", String(64), nullable=False),
    # Case-folded names, so name searches match the way the fake CIS matches them.
    Column("first_name_key", String(64), nullable=False, index=True),
    Column("last_name_key", String(64), nullable=False, index=True),
    Column("middle_name", String(64)),
    Column("business_name", String(128)),
    Column("home_phone", String(10)),  # ten digits
    Column("mobile_phone", String(10)),
    Column("email", String(254)),
    Column("bill_line1", String(128), nullable=False),
    Column("bill_line2", String(128)),
    Column("bill_city", String(64), nullable=False),
    Column("bill_state", String(2), nullable=False),
    Column("bill_zip", String(10), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("account_number", String(32), primary_key=True),
    Column("customer_id", String(32), ForeignKey("customers.customer_id"), nullable=False),
    Column("cycle_day", Integer, nullable=False),
    Column("is_prepay", Boolean, nullable=False),
)

service_locations = Table(
    "service_locations",
    metadata,
    Column("location_id", String(32), primary_key=True),
    Column(
        "account_number",
        String(32),
        ForeignKey("accounts.account_number"),
        nullable=False,
        index=True,
    ),
    Column(
        "customer_id", String(32), ForeignKey("customers.customer_id"), nullable=False, index=True
    ),
    Column("position", Integer, nullable=False),  # order on the account
    Column("line1", String(128), nullable=False),
    Column("line2", String(128)),
    Column("city", String(64), nullable=False),
    Column("state", String(2), nullable=False),
    Column("zip_code", String(10), nullable=False),
    Column("rate_class", String(16), nullable=False),
    Column("service_status", String(16), nullable=False),
    Column("substation", String(64), nullable=False),
    Column("feeder", String(32), nullable=False),
    Column("connected_on", Date, nullable=False),
)

meters = Table(
    "meters",
    metadata,
    Column("meter_no", String(32), primary_key=True),
    Column(
        "location_id",
        String(32),
        ForeignKey("service_locations.location_id"),
        nullable=False,
        index=True,
    ),
    Column("position", Integer, nullable=False),  # order at the location
    Column("serial_number", String(32)),
    Column("manufacturer", String(64)),
    Column("meter_type", String(64)),
    Column("installed_on", Date, nullable=False),
)

bills = Table(
    "bills",
    metadata,
    Column("account_number", String(32), ForeignKey("accounts.account_number"), primary_key=True),
    Column("bill_date", Date, primary_key=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("prior_balance_cents", Integer, nullable=False),
    Column("payments_received_cents", Integer, nullable=False),
    Column("balance_after_cents", Integer, nullable=False),
)

bill_charges = Table(
    "bill_charges",
    metadata,
    Column("account_number", String(32), primary_key=True),
    Column("bill_date", Date, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("location_id", String(32)),  # NULL for account-level lines (taxes, fees)
    Column("description", String(256), nullable=False),
    Column("amount_cents", Integer, nullable=False),
)

bill_usage = Table(
    "bill_usage",
    metadata,
    Column("account_number", String(32), primary_key=True),
    Column("bill_date", Date, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("location_id", String(32), nullable=False),
    Column("meter_no", String(32), nullable=False),
    Column("previous_reading", Float, nullable=False),
    Column("present_reading", Float, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", Integer, primary_key=True, autoincrement=True),
    Column(
        "account_number",
        String(32),
        ForeignKey("accounts.account_number"),
        nullable=False,
        index=True,
    ),
    Column("paid_on", Date, nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("method", String(32), nullable=False),
)

balances = Table(
    "balances",
    metadata,
    Column("account_number", String(32), ForeignKey("accounts.account_number"), primary_key=True),
    Column("current_cents", Integer, nullable=False),
    Column("past_due_cents", Integer, nullable=False),
    Column("due_date", Date),
    Column("last_payment_cents", Integer),
    Column("last_payment_date", Date),
    Column("disconnect_date", Date),
)

# Payments and reversals posted through ProcessPaymentTransaction / CommitPaymentTransaction,
# one row per financialTransactionID (unique: a repeated id is answered from its row).
# A payment row keeps what it changed (the amounts it took off the past-due and the
# current figures, and the last payment and disconnect date it replaced) so that a
# reversal puts back exactly that. `status` is "pending" between the two steps of a
# CIS that wants payments committed, else "posted".
payment_postings = Table(
    "payment_postings",
    metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=True),
    Column("financial_transaction_id", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # "payment" | "reversal"
    Column("status", String(16), nullable=False),  # "pending" | "posted"
    Column(
        "account_number",
        String(32),
        ForeignKey("accounts.account_number"),
        nullable=False,
        index=True,
    ),
    Column("amount_cents", Integer, nullable=False),
    Column("fee_cents", Integer, nullable=False),
    Column("authorization_code", String(64)),
    Column("payment_element", String(32), nullable=False),  # creditCardPayment, ...
    Column("payment_mode", String(32)),
    Column("masked_number", String(32)),
    Column("paid_items", String(2000)),  # JSON: [[payable item id, cents], ...]
    Column("reverses", String(64)),  # a reversal: the payment's financialTransactionID
    Column("reason_code", String(16)),
    Column("reversed_by", String(64)),  # a payment: the reversal that took it back
    Column("posted_at", String(32)),  # ISO 8601, UTC; NULL while pending
    Column("applied_past_due_cents", Integer, nullable=False, default=0),
    Column("applied_current_cents", Integer, nullable=False, default=0),
    Column("previous_last_payment_cents", Integer),
    Column("previous_last_payment_date", Date),
    Column("previous_disconnect_date", Date),
    sqlite_autoincrement=True,
)

# Payment extensions taken up with ExtendPayment: one per account.
payment_extensions = Table(
    "payment_extensions",
    metadata,
    Column("account_number", String(32), ForeignKey("accounts.account_number"), primary_key=True),
    Column("extended_to", Date, nullable=False),
)

# Every write that changes a customer or a service location adds a row here, in the
# write's transaction: what GetModifiedCustomers / GetModifiedServiceLocations answer
# from (see `simulators.cis.feed`). AUTOINCREMENT: a sequence is never used twice.
change_log = Table(
    "change_log",
    metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=True),
    Column("noun", String(32), nullable=False),  # "customer" | "serviceLocation"
    Column("object_id", String(32), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("ix_change_log_noun_sequence", "noun", "sequence"),
    sqlite_autoincrement=True,
)


def name_key(name: str) -> str:
    return name.casefold()


def to_cents(amount: Decimal) -> int:
    """The amount as an integer count of cents; `ValueError` for a fraction of a cent."""
    return int(whole_cents(amount).scaleb(2))


def from_cents(cents: int) -> Decimal:
    return whole_cents(Decimal(cents).scaleb(-2))


def _optional_cents(amount: Decimal | None) -> int | None:
    return None if amount is None else to_cents(amount)


def _customer_rows(world: World) -> list[dict[str, Any]]:
    return [
        {
            "customer_id": c.customer_id,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "first_name_key": name_key(c.first_name),
            "last_name_key": name_key(c.last_name),
            "middle_name": c.middle_name,
            "business_name": c.business_name,
            "home_phone": c.home_phone,
            "mobile_phone": c.mobile_phone,
            "email": c.email,
            "bill_line1": c.billing_address.line1,
            "bill_line2": c.billing_address.line2,
            "bill_city": c.billing_address.city,
            "bill_state": c.billing_address.state,
            "bill_zip": c.billing_address.zip_code,
        }
        for c in world.customers
    ]


def _location_rows(world: World) -> list[dict[str, Any]]:
    position = {
        location_id: index
        for account in world.accounts
        for index, location_id in enumerate(account.location_ids)
    }
    return [
        {
            "location_id": loc.location_id,
            "account_number": loc.account_number,
            "customer_id": loc.customer_id,
            "position": position.get(loc.location_id, 0),
            "line1": loc.address.line1,
            "line2": loc.address.line2,
            "city": loc.address.city,
            "state": loc.address.state,
            "zip_code": loc.address.zip_code,
            "rate_class": loc.rate_class.value,
            "service_status": "Active",
            "substation": loc.substation,
            "feeder": loc.feeder,
            "connected_on": loc.connected_on,
        }
        for loc in world.locations
    ]


def _meter_rows(world: World) -> list[dict[str, Any]]:
    position = {
        meter_no: index for loc in world.locations for index, meter_no in enumerate(loc.meter_nos)
    }
    return [
        {
            "meter_no": m.meter_no,
            "location_id": m.location_id,
            "position": position.get(m.meter_no, 0),
            "serial_number": m.serial_number,
            "manufacturer": m.manufacturer,
            "meter_type": m.meter_type,
            "installed_on": m.installed_on,
        }
        for m in world.meters
    ]


def _bill_row(bill: WorldBill) -> dict[str, Any]:
    return {
        "account_number": bill.account_number,
        "bill_date": bill.bill_date,
        "period_start": bill.period_start,
        "period_end": bill.period_end,
        "due_date": bill.due_date,
        "prior_balance_cents": to_cents(bill.prior_balance),
        "payments_received_cents": to_cents(bill.payments_received),
        "balance_after_cents": to_cents(bill.balance_after_billing),
    }


def _charge_rows(world: World) -> list[dict[str, Any]]:
    return [
        {
            "account_number": bill.account_number,
            "bill_date": bill.bill_date,
            "line_no": line_no,
            "location_id": line.location_id,
            "description": line.description,
            "amount_cents": to_cents(line.amount),
        }
        for bill in world.bills
        for line_no, line in enumerate(bill.charges)
    ]


def _usage_rows(world: World) -> list[dict[str, Any]]:
    return [
        {
            "account_number": bill.account_number,
            "bill_date": bill.bill_date,
            "line_no": line_no,
            "location_id": item.location_id,
            "meter_no": item.meter_no,
            "previous_reading": float(item.previous_reading),
            "present_reading": float(item.present_reading),
        }
        for bill in world.bills
        for line_no, item in enumerate(bill.usage)
    ]


def _balance_rows(world: World) -> list[dict[str, Any]]:
    return [
        {
            "account_number": b.account_number,
            "current_cents": to_cents(b.current_amount),
            "past_due_cents": to_cents(b.past_due_amount),
            "due_date": b.due_date,
            "last_payment_cents": _optional_cents(b.last_payment_amount),
            "last_payment_date": b.last_payment_date,
            "disconnect_date": b.disconnect_date,
        }
        for b in world.balances
    ]


async def load_world(world: World, engine: AsyncEngine) -> None:
    """Replace whatever the database holds with `world`'s members, accounts and bills."""
    rows: list[tuple[Table, list[dict[str, Any]]]] = [
        (customers, _customer_rows(world)),
        (
            accounts,
            [
                {
                    "account_number": a.account_number,
                    "customer_id": a.customer_id,
                    "cycle_day": a.cycle_day,
                    "is_prepay": a.is_prepay,
                }
                for a in world.accounts
            ],
        ),
        (service_locations, _location_rows(world)),
        (meters, _meter_rows(world)),
        (bills, [_bill_row(bill) for bill in world.bills]),
        (bill_charges, _charge_rows(world)),
        (bill_usage, _usage_rows(world)),
        (
            payments,
            [
                {
                    "account_number": p.account_number,
                    "paid_on": p.paid_on,
                    "amount_cents": to_cents(p.amount),
                    "method": p.method,
                }
                for p in world.payments
            ],
        ),
        (balances, _balance_rows(world)),
    ]
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
        for table, table_rows in rows:
            if table_rows:
                await conn.execute(table.insert(), table_rows)
