"""MultiSpeak 3.0 CB objects (as plain dicts from `adapters.multispeak.call`) to port types.

Every function raises `ValueError` for an answer it cannot make sense of (a missing
amount, an impossible phone number); the adapter reports that as a `CisFault`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.cis.port import (
    Balance,
    BilledUsage,
    ChargeLine,
    Customer,
    Meter,
    MeterMatch,
    PostalAddress,
    ServiceLocation,
)
from adapters.multispeak import money
from adapters.rules.numbers import digits_of

Wire = Mapping[str, Any]


def items(container: Wire | None, name: str) -> list[Wire]:
    """The entries of a MultiSpeak array (`{"customer": [...]}`); none for a missing one."""
    if not container:
        return []
    return [entry for entry in container.get(name) or [] if entry is not None]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _digits(value: str | None) -> str | None:
    digits = digits_of(value or "")
    return digits or None


def _day(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _required_day(value: datetime | date | None, what: str) -> date:
    day = _day(value)
    if day is None:
        raise ValueError(f"{what} is missing")
    return day


def amount(value: float | None, what: str) -> Decimal:
    cents = money(value)
    if cents is None:
        raise ValueError(f"{what} is missing")
    return cents


def quantity(value: float | None, what: str) -> Decimal:
    """A reading or multiplier as `Decimal`, whole numbers without a trailing ".0"."""
    if value is None:
        raise ValueError(f"{what} is missing")
    try:
        exact = Decimal(repr(float(value)))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"{what} is not a number") from None
    if not exact.is_finite():
        raise ValueError(f"{what} is not a number")
    whole = exact.to_integral_value()
    return whole if exact == whole else exact


def _address(line1: Any, line2: Any, city: Any, state: Any, zip_code: Any) -> PostalAddress:
    return PostalAddress(
        line1=_text(line1) or "",
        city=_text(city) or "",
        state=_text(state) or "",
        zip_code=_text(zip_code) or "",
        line2=_text(line2),
    )


def _phones(customer: Wire) -> dict[str, str]:
    contact = customer.get("contactInfo") or {}
    numbers: dict[str, str] = {}
    for entry in items(contact.get("phoneList"), "phoneNumber"):
        digits = _digits(entry.get("phone"))
        if digits and entry.get("phoneType"):
            numbers.setdefault(entry["phoneType"], digits)
    return numbers


def customer(value: Wire) -> Customer:
    phones = _phones(value)
    home = _digits((value.get("homeAc") or "") + (value.get("homePhone") or ""))
    emails = items((value.get("contactInfo") or {}).get("eMailList"), "eMailAddress")
    return Customer(
        customer_id=_text(value.get("objectID")) or "",
        first_name=_text(value.get("firstName")) or "",
        last_name=_text(value.get("lastName")) or "",
        billing_address=_address(
            value.get("billAddr1"),
            value.get("billAddr2"),
            value.get("billCity"),
            value.get("billState"),
            value.get("billZip"),
        ),
        middle_name=_text(value.get("mName")),
        business_name=_text(value.get("dBAName")),
        home_phone=home or phones.get("Home"),
        mobile_phone=phones.get("Mobile"),
        email=next((e for e in (_text(x.get("eMail")) for x in emails) if e), None),
    )


def service_location(value: Wire) -> ServiceLocation:
    network = value.get("network") or {}
    return ServiceLocation(
        location_id=_text(value.get("objectID")) or "",
        account_number=_text(value.get("accountNumber")) or "",
        customer_id=_text(value.get("custID")) or "",
        address=_address(
            value.get("servAddr1"),
            value.get("servAddr2"),
            value.get("servCity"),
            value.get("servState"),
            value.get("servZip"),
        ),
        rate_class=(_text(value.get("revenueClass")) or "").lower(),
        service_status=(_text(value.get("servStatus")) or "").lower(),
        is_prepay=bool(value.get("isPrePay")),
        billing_cycle=_text(value.get("billingCycle")) or "",
        last_bill_date=_day(value.get("billDate")),
        substation=_text(network.get("substationCode")),
        feeder=_text(network.get("feeder")),
    )


def meter(value: Wire) -> Meter:
    utility = value.get("utilityInfo") or {}
    return Meter(
        meter_no=_text(value.get("meterNo")) or _text(value.get("objectID")) or "",
        serial_number=_text(value.get("serialNumber")),
        manufacturer=_text(value.get("manufacturer")),
        meter_type=_text(value.get("meterType")),
        location_id=_text(utility.get("servLoc")),
    )


def meter_match(value: Wire) -> MeterMatch:
    utility = value.get("utilityInfo") or {}
    account_number = _text(utility.get("accountNumber"))
    customer_id = _text(utility.get("custID"))
    if account_number is None or customer_id is None:
        raise ValueError("a found meter has no accountNumber or custID")
    return MeterMatch(meter=meter(value), account_number=account_number, customer_id=customer_id)


def charge_lines(details: Sequence[Wire]) -> tuple[ChargeLine, ...]:
    return tuple(
        ChargeLine(
            description=_text(item.get("description")) or "",
            amount=amount(item.get("amount"), "a charge amount"),
            location_id=_text(detail.get("servLoc")),
        )
        for detail in details
        for item in items(detail.get("chargeItemList"), "chargeItem")
    )


def billed_usage(details: Sequence[Wire], usage: Wire | None) -> tuple[BilledUsage, ...]:
    """Usage items paired, in order, with the billing details' meters and locations."""
    lines = []
    for index, item in enumerate(items((usage or {}).get("usageItemList"), "usageItem")):
        detail = details[index] if index < len(details) else {}
        lines.append(
            BilledUsage(
                meter_no=_text(detail.get("meterNo")),
                location_id=_text(detail.get("servLoc")),
                previous_reading=quantity(item.get("previousReading"), "previousReading"),
                present_reading=quantity(item.get("presentReading"), "presentReading"),
                multiplier=quantity(item.get("multiplier") or 1.0, "multiplier"),
                period_start=_required_day(item.get("previousReadDate"), "previousReadDate"),
                period_end=_required_day(item.get("presentReadingDate"), "presentReadingDate"),
            )
        )
    return tuple(lines)


def balance(account_number: str, value: Wire) -> Balance:
    last_payment = value.get("lastPaymentAmount")
    return Balance(
        account_number=account_number,
        current_amount=amount(value.get("currentAmount"), "currentAmount"),
        past_due_amount=amount(value.get("pastDueAmount"), "pastDueAmount"),
        due_date=_day(value.get("dueDate")),
        last_payment_amount=money(last_payment),
        last_payment_date=_day(value.get("lastPaymentDate")),
        disconnect_date=_day(value.get("disconnectDate")),
    )


def contact_change(
    customer_id: str,
    *,
    home_phone: str | None,
    mobile_phone: str | None,
    email: str | None,
    billing_address: PostalAddress | None,
) -> dict[str, Any]:
    """A `customer` for ModifyCBDataForCustomer that replaces phones, email (and address).

    Every phone type and the email are always listed, an entry without a number or
    address clearing it: an empty `phoneList` reads the same as no list at all. An
    empty optional element (`billAddr2`) clears that field.
    """
    change: dict[str, Any] = {
        "objectID": customer_id,
        "contactInfo": {
            "phoneList": {
                "phoneNumber": [
                    {"phone": home_phone or None, "phoneType": "Home", "priorityOrder": 1},
                    {"phone": mobile_phone or None, "phoneType": "Mobile", "priorityOrder": 2},
                ]
            },
            "eMailList": {
                "eMailAddress": [
                    {"eMail": email or None, "eMailType": "Personal", "priorityOrder": 1}
                ]
            },
        },
    }
    if billing_address is not None:
        change.update(
            billAddr1=billing_address.line1,
            billAddr2=billing_address.line2 or "",
            billCity=billing_address.city,
            billState=billing_address.state,
            billZip=billing_address.zip_code,
        )
    return change
