"""CIS database rows as MultiSpeak 3.0 objects (the dicts zeep serializes).

Choices a vendor's CIS would make, kept in one place:
- phone numbers split into area code and number (`homeAc` "505", `homePhone` "8641234");
  `contactInfo.phoneList` lists the home and mobile numbers whole, ten digits each;
- dates travel as `xsd:dateTime` at local midnight, with no offset;
- a bill is sent as one `billingDetail` per billed meter, in the bill's order, each
  naming its `servLoc` and `meterNo`. Each location's charge lines ride on its first
  detail, and account-level lines (taxes, fees) on one more detail at the end that
  names no location or meter, so reading the details in order gives the bill's lines
  in order and every line the location it bills. The account's figures (prior
  balance, payments, balance after billing) are repeated on every detail, as
  `billingDetail` has nowhere else to put them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row

from simulators.cis.store import from_cents, name_key

SERVICE_TYPE = "Electric"
USAGE_TYPE = "kWh"
AREA_CODE_DIGITS = 3


def wire_date(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time())


def split_phone(phone: str | None) -> tuple[str | None, str | None]:
    if not phone:
        return None, None
    return phone[:AREA_CODE_DIGITS], phone[AREA_CODE_DIGITS:]


def cycle_code(cycle_day: int) -> str:
    return f"{cycle_day:02d}"


def customer(row: Row[Any]) -> dict[str, Any]:
    home_ac, home_phone = split_phone(row.home_phone)
    day_ac, day_phone = split_phone(row.mobile_phone or row.home_phone)
    phones = [
        {"phone": number, "phoneType": kind, "priorityOrder": order}
        for order, (kind, number) in enumerate(
            (("Home", row.home_phone), ("Mobile", row.mobile_phone)), start=1
        )
        if number
    ]
    emails = (
        [
            {
                "eMail": row.email,
                "eMailType": "Business" if row.business_name else "Personal",
                "priorityOrder": 1,
            }
        ]
        if row.email
        else []
    )
    return {
        "objectID": row.customer_id,
        "lastName": row.last_name,
        "firstName": row.first_name,
        "mName": row.middle_name,
        "dBAName": row.business_name,
        "homeAc": home_ac,
        "homePhone": home_phone,
        "dayAc": day_ac,
        "dayPhone": day_phone,
        "billAddr1": row.bill_line1,
        "billAddr2": row.bill_line2,
        "billCity": row.bill_city,
        "billState": row.bill_state,
        "billZip": row.bill_zip,
        "contactInfo": {
            "phoneList": {"phoneNumber": phones} if phones else None,
            "eMailList": {"eMailAddress": emails} if emails else None,
        },
    }


def service_location(
    row: Row[Any], *, last_bill_date: date | None, payment_terms_days: int
) -> dict[str, Any]:
    due = last_bill_date + timedelta(days=payment_terms_days) if last_bill_date else None
    return {
        "objectID": row.location_id,
        "custID": row.customer_id,
        "accountNumber": row.account_number,
        "servAddr1": row.line1,
        "servAddr2": row.line2,
        "servCity": row.city,
        "servState": row.state,
        "servZip": row.zip_code,
        "servType": SERVICE_TYPE,
        "revenueClass": row.rate_class,
        "servStatus": row.service_status,
        "billingCycle": cycle_code(row.cycle_day),
        "paymentDueDate": wire_date(due),
        "billDate": wire_date(last_bill_date),
        "connectDate": wire_date(row.connected_on),
        "network": {"substationCode": row.substation, "feeder": row.feeder},
        "isPrePay": row.is_prepay,
        "billingTerms": f"Net {payment_terms_days} days",
    }


def meter(row: Row[Any]) -> dict[str, Any]:
    return {
        "objectID": row.meter_no,
        "inServiceDate": wire_date(row.installed_on),
        "meterNo": row.meter_no,
        "serialNumber": row.serial_number,
        "meterType": row.meter_type,
        "manufacturer": row.manufacturer,
        "utilityInfo": {
            "servLoc": row.location_id,
            "accountNumber": row.account_number,
            "custID": row.customer_id,
            "substationCode": row.substation,
            "feeder": row.feeder,
        },
    }


@dataclass(frozen=True, slots=True)
class BillRows:
    """One bill as the database holds it."""

    bill: Row[Any]
    cycle_day: int
    charges: Sequence[Row[Any]]  # in line order
    usage: Sequence[Row[Any]]  # in line order


def _charge_item(row: Row[Any]) -> dict[str, Any]:
    return {"amount": from_cents(row.amount_cents), "description": row.description}


def _charges_per_detail(rows: BillRows) -> list[list[dict[str, Any]]]:
    """The charge items of each detail: one per billed meter, then the account's own
    (lines of no location, or of a location with no meter billed) when there are any."""
    first_slot_of: dict[str, int] = {}
    for index, item in enumerate(rows.usage):
        first_slot_of.setdefault(item.location_id, index)
    per_detail: list[list[dict[str, Any]]] = [[] for _ in rows.usage]
    account_level: list[dict[str, Any]] = []
    for line in rows.charges:
        slot = first_slot_of.get(line.location_id) if line.location_id else None
        (account_level if slot is None else per_detail[slot]).append(_charge_item(line))
    if account_level or not per_detail:
        per_detail.append(account_level)
    return per_detail


def billing_details(rows: BillRows) -> list[dict[str, Any]]:
    bill = rows.bill
    per_detail = _charges_per_detail(rows)
    details = []
    for index, items in enumerate(per_detail):
        usage = rows.usage[index] if index < len(rows.usage) else None
        details.append(
            {
                "objectID": f"{bill.account_number}-{bill.bill_date:%Y%m%d}-{index + 1}",
                "accountNumber": bill.account_number,
                "serviceType": SERVICE_TYPE,
                "servLoc": usage.location_id if usage else None,
                "meterNo": usage.meter_no if usage else None,
                "revenueMonth": f"{bill.bill_date.month:02d}",
                "revenueYear": f"{bill.bill_date.year}",
                "cisBillDate": wire_date(bill.bill_date),
                "billingCycle": cycle_code(rows.cycle_day),
                "priorBalance": from_cents(bill.prior_balance_cents),
                "payment": from_cents(bill.payments_received_cents),
                "chargeItemList": {"chargeItem": items},
                "CISBalanceAfterBilling": from_cents(bill.balance_after_cents),
            }
        )
    return details


def billed_usage(rows: BillRows) -> dict[str, Any]:
    bill = rows.bill
    return {
        "objectID": f"{bill.account_number}-{bill.bill_date:%Y%m%d}",
        "accountNumber": bill.account_number,
        "serviceType": SERVICE_TYPE,
        "usageItemList": {
            "usageItem": [
                {
                    "usageType": USAGE_TYPE,
                    "multiplier": 1.0,
                    "previousReading": item.previous_reading,
                    "previousReadDate": wire_date(bill.period_start),
                    "presentReading": item.present_reading,
                    "presentReadingDate": wire_date(bill.period_end),
                }
                for item in rows.usage
            ]
        },
    }


def payable_item(row: Row[Any]) -> dict[str, Any]:
    return {
        "objectID": row.account_number,
        "pastDueAmount": from_cents(row.past_due_cents),
        "currentAmount": from_cents(row.current_cents),
        "description": "Electric service",
        "dueDate": wire_date(row.due_date),
        "disconnectDate": wire_date(row.disconnect_date),
        "lastPaymentAmount": (
            None if row.last_payment_cents is None else from_cents(row.last_payment_cents)
        ),
        "lastPaymentDate": wire_date(row.last_payment_date),
    }


REQUIRED_CUSTOMER_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "billAddr1": "bill_line1",
    "billCity": "bill_city",
    "billState": "bill_state",
    "billZip": "bill_zip",
}
OPTIONAL_CUSTOMER_FIELDS = {
    "mName": "middle_name",
    "dBAName": "business_name",
    "billAddr2": "bill_line2",
}
PHONE_DIGITS = 10


def _phone(text: str | None) -> str | None:
    digits = "".join(ch for ch in text or "" if ch.isdigit())
    if not digits:
        return None
    if len(digits) != PHONE_DIGITS:
        raise ValueError(f"phone numbers need {PHONE_DIGITS} digits, got {len(digits)}")
    return digits


def customer_changes(change: Any) -> dict[str, Any]:
    """The customer columns a `ModifyCBDataForCustomer` customer sets.

    Elements left out are left alone; an empty optional element clears its field. A
    `phoneList` or `eMailList` with entries replaces the numbers or address on file,
    so an entry without a number clears that kind. (An empty list cannot clear: zeep,
    like many SOAP stacks, reads `<phoneList/>` as no list at all.)
    """
    values: dict[str, Any] = {}
    for element, column in REQUIRED_CUSTOMER_FIELDS.items():
        value = getattr(change, element)
        if value is not None:
            if not value.strip():
                raise ValueError(f"{element} must not be empty")
            values[column] = value.strip()
    for element, column in OPTIONAL_CUSTOMER_FIELDS.items():
        value = getattr(change, element)
        if value is not None:
            values[column] = value.strip() or None
    for column in ("first_name", "last_name"):
        if column in values:
            values[f"{column}_key"] = name_key(values[column])
    contact = change.contactInfo
    if contact is not None and contact.phoneList is not None:
        numbers = {p.phoneType: p.phone for p in contact.phoneList.phoneNumber}
        values["home_phone"] = _phone(numbers.get("Home"))
        values["mobile_phone"] = _phone(numbers.get("Mobile"))
    if change.homePhone is not None:
        values["home_phone"] = _phone((change.homeAc or "") + change.homePhone)
    if contact is not None and contact.eMailList is not None:
        addresses = [e.eMail for e in contact.eMailList.eMailAddress if e.eMail]
        values["email"] = (addresses[0].strip() or None) if addresses else None
    return values


REQUIRED_LOCATION_FIELDS = {
    "servAddr1": "line1",
    "servCity": "city",
    "servState": "state",
    "servZip": "zip_code",
    "servStatus": "service_status",
}


def service_location_changes(change: Any) -> dict[str, Any]:
    """The service location columns a `ModifyCBDataForServiceLocation` location sets:
    its address and service status. Elements left out are left alone; an empty
    `servAddr2` clears the second address line."""
    values: dict[str, Any] = {}
    for element, column in REQUIRED_LOCATION_FIELDS.items():
        value = getattr(change, element)
        if value is not None:
            if not value.strip():
                raise ValueError(f"{element} must not be empty")
            values[column] = value.strip()
    if change.servAddr2 is not None:
        values["line2"] = change.servAddr2.strip() or None
    return values
