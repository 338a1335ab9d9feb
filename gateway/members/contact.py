"""A member (or staff for them) changes the phone numbers, email or billing address.

Checked here first, every field, so that the CIS is only asked to store what it will
take and the member learns about all their mistakes at once; then written to the CIS
(MultiSpeak ModifyCBDataForCustomer), and the cached customer is forgotten.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Final

from adapters.cis.port import CisPort, Customer, PostalAddress
from adapters.rules.email import is_email_address
from adapters.rules.phone import normalize_phone
from adapters.rules.postal import normalize_zip
from gateway.audit.reads import note_account_read
from gateway.core.invalidation import Invalidation
from gateway.core.loaders import DataLoaders
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.identity.policy import AccountAccess

logger = logging.getLogger("gateway.contact")

# USPS codes: the states, DC, the territories, and the armed forces' mail.
_STATE_CODES: Final = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV"
    " NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
    " DC AS GU MP PR VI AA AE AP"
)
US_STATES: Final = frozenset(_STATE_CODES.split())
MAX_LINE_LENGTH: Final = 128
MAX_CITY_LENGTH: Final = 64
PHONE_HINT: Final = "Enter a ten-digit phone number, like 505-555-0142."


class Keep(Enum):
    """A field the member left out: it stays as the CIS has it."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP
Setting = str | Keep | None


@dataclass(frozen=True, slots=True)
class AddressInput:
    line1: str
    city: str
    state: str
    zip_code: str
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class ContactInput:
    """None or "" clears a phone or the email; the address is replaced only when given."""

    home_phone: str | Keep | None = KEEP
    mobile_phone: str | Keep | None = KEEP
    email: str | Keep | None = KEEP
    billing_address: AddressInput | None = None


@dataclass(frozen=True, slots=True)
class Updated:
    customer: Customer


@dataclass(frozen=True, slots=True)
class Invalid:
    problems: tuple[FieldProblem, ...]


UpdateOutcome = Updated | AccountHidden | Invalid


@dataclass(frozen=True, slots=True)
class _Checked:
    home_phone: str | Keep | None
    mobile_phone: str | Keep | None
    email: str | Keep | None
    billing_address: PostalAddress | None


def _phone(value: Setting, field: str, problems: list[FieldProblem]) -> Setting:
    if value is KEEP or value is None or not value.strip():
        return None if value is not KEEP else KEEP
    phone = normalize_phone(value)
    if phone is None:
        problems.append(FieldProblem(field, PHONE_HINT))
    return phone


def _email(value: Setting, problems: list[FieldProblem]) -> Setting:
    if value is KEEP or value is None or not value.strip():
        return None if value is not KEEP else KEEP
    email = value.strip()
    if not is_email_address(email):
        problems.append(FieldProblem("email", "Enter an email address, like name@example.com."))
    return email


def _required(value: str, field: str, limit: int, problems: list[FieldProblem]) -> str:
    text = " ".join(value.split())
    if not text:
        problems.append(FieldProblem(field, "This is needed for mail to arrive."))
    elif len(text) > limit:
        problems.append(FieldProblem(field, f"Keep this under {limit} characters."))
    return text


def _address(value: AddressInput | None, problems: list[FieldProblem]) -> PostalAddress | None:
    if value is None:
        return None
    prefix = "billingAddress."
    line1 = _required(value.line1, prefix + "line1", MAX_LINE_LENGTH, problems)
    line2 = " ".join((value.line2 or "").split()) or None
    if line2 is not None and len(line2) > MAX_LINE_LENGTH:
        problems.append(
            FieldProblem(prefix + "line2", f"Keep this under {MAX_LINE_LENGTH} characters.")
        )
    city = _required(value.city, prefix + "city", MAX_CITY_LENGTH, problems)
    state = value.state.strip().upper()
    if state not in US_STATES:
        problems.append(
            FieldProblem(prefix + "state", "Enter the two-letter code of a US state, like NM.")
        )
    zip_code = normalize_zip(value.zip_code)
    if zip_code is None:
        problems.append(FieldProblem(prefix + "zip", "Enter a ZIP code, like 87031 or 87031-1234."))
    return PostalAddress(
        line1=line1, city=city, state=state, zip_code=zip_code or value.zip_code, line2=line2
    )


def check_contact(change: ContactInput) -> _Checked | Invalid:
    """The change as the CIS should store it, or every problem with it."""
    problems: list[FieldProblem] = []
    checked = _Checked(
        home_phone=_phone(change.home_phone, "homePhone", problems),
        mobile_phone=_phone(change.mobile_phone, "mobilePhone", problems),
        email=_email(change.email, problems),
        billing_address=_address(change.billing_address, problems),
    )
    return Invalid(tuple(problems)) if problems else checked


def _kept(value: str | Keep | None, current: str | None) -> str | None:
    return current if value is KEEP else value


async def update_contact_details(
    *,
    access: AccountAccess,
    loaders: DataLoaders,
    cis: CisPort,
    invalidate: Invalidation,
    request_id: str,
    account_number: str,
    change: ContactInput,
) -> UpdateOutcome:
    """Validate, write to the CIS, forget the cached customer; the customer read back."""
    account_number = account_number.strip()
    if not await access.can_see(account_number):
        return AccountHidden()
    checked = check_contact(change)
    if isinstance(checked, Invalid):
        return checked
    locations = await loaders.service_locations.load(account_number)
    customer_id = locations[0].customer_id
    current = await loaders.customer.load(customer_id)
    note_account_read(account_number, "updateContactDetails")
    logger.info(
        "request %s: changing the contact details of customer %s (account %s)",
        request_id,
        customer_id,
        account_number,
    )
    await invalidate.before_customer_change(customer_id=customer_id)
    updated = await cis.update_contact(
        customer_id,
        home_phone=_kept(checked.home_phone, current.home_phone),
        mobile_phone=_kept(checked.mobile_phone, current.mobile_phone),
        email=_kept(checked.email, current.email),
        billing_address=checked.billing_address,
    )
    await invalidate.after_customer_change(customer_id=customer_id)
    return Updated(updated)
