"""Proving an account with facts from the CIS: whoever knows them may link it.

Two kinds of proof: the customer's last name (or business name) together with the ZIP
code of one of the account's service locations, or the amount of the account's latest
bill. An unknown account and wrong facts are the same failure. Attempts go through
the sign-in throttle under their own keys, per account number and per client address,
so that facts cannot be guessed one after another.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from adapters.cis.port import CisNotFound, Customer, ServiceLocation
from adapters.rules.postal import normalize_zip, zip5
from gateway.billing import bills
from gateway.core.loaders import DataLoaders
from gateway.identity.policy import ACCOUNT_NUMBER
from gateway.identity.throttle import LoginThrottle, Throttled

logger = logging.getLogger("gateway.account_proof")

# Proof attempts share the sign-in attempts table and throttle. Both keys carry this
# prefix, so a proof never counts as a sign-in for an email or an address (no email
# or address starts with it) and a sign-in never counts as a proof.
PROOF_MARKER = "account-proof:"
MAX_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class NameAndZip:
    last_name: str
    service_zip: str


@dataclass(frozen=True, slots=True)
class LastBill:
    amount: Decimal


AccountProof = NameAndZip | LastBill


@dataclass(frozen=True, slots=True)
class ProofShapeInvalid:
    message: str


def proof_from(
    *, last_name: str | None, service_zip: str | None, last_bill_amount: Decimal | None
) -> AccountProof | ProofShapeInvalid:
    """The proof the member gave: exactly one of the two kinds."""
    by_name = last_name is not None or service_zip is not None
    if by_name == (last_bill_amount is not None):
        return ProofShapeInvalid("Give either lastName and serviceZip, or lastBillAmount.")
    if last_bill_amount is not None:
        return LastBill(last_bill_amount)
    if not last_name or not last_name.strip() or not service_zip or not service_zip.strip():
        return ProofShapeInvalid("Give both lastName and serviceZip.")
    if len(last_name) > MAX_NAME_LENGTH or normalize_zip(service_zip) is None:
        return ProofShapeInvalid("Give the last name and the 5-digit ZIP code on the account.")
    return NameAndZip(last_name=last_name, service_zip=service_zip)


async def prove_account(
    *,
    throttle: LoginThrottle,
    loaders: DataLoaders,
    client_address: str | None,
    request_id: str,
    account_number: str,
    proof: AccountProof,
) -> bool | Throttled:
    """Whether the facts are right for the account; `Throttled` before even looking.

    `client_address` is the requester's, for the per-address budget of attempts.
    """
    number = account_number.strip()
    well_formed = ACCOUNT_NUMBER.fullmatch(number) is not None
    admitted = await throttle.admit(
        email=PROOF_MARKER + (number if well_formed else "?"),
        client_address=PROOF_MARKER + (client_address or "unknown"),
        # A last name and a ZIP are far easier to guess than a password: the tight
        # budget holds per account from every address together, not per address.
        per_email=throttle.limits.failures_per_email_and_address,
    )
    if isinstance(admitted, Throttled):
        logger.warning(
            "request %s: account proof throttled for account %s",
            request_id,
            number if well_formed else "(malformed)",
        )
        return admitted
    proven = well_formed and await _facts_match(loaders, number, proof)
    if proven:
        await throttle.succeeded(admitted)
    return proven


async def _facts_match(loaders: DataLoaders, number: str, proof: AccountProof) -> bool:
    try:
        locations = await loaders.service_locations.load(number)
    except CisNotFound:
        return False
    if not locations:
        return False
    if isinstance(proof, LastBill):
        return await _latest_bill_is(loaders, number, proof.amount)
    return await _name_at_zip(loaders, locations, proof)


async def _latest_bill_is(loaders: DataLoaders, number: str, amount: Decimal) -> bool:
    dates = await bills.bill_dates(loaders=loaders, account_number=number)
    latest = await bills.existing_bills(loaders=loaders, account_number=number, dates=dates[:1])
    return bool(latest) and latest[0].amount == amount


async def _name_at_zip(
    loaders: DataLoaders, locations: Sequence[ServiceLocation], proof: NameAndZip
) -> bool:
    wanted_zip = zip5(proof.service_zip)
    assert wanted_zip is not None  # checked by proof_from
    wanted_name = _name_key(proof.last_name)
    customer_ids = sorted(
        {loc.customer_id for loc in locations if zip5(loc.address.zip_code) == wanted_zip}
    )
    for customer_id in customer_ids:
        try:
            customer = await loaders.customer.load(customer_id)
        except CisNotFound:
            continue
        if wanted_name in _names_of(customer):
            return True
    return False


def _names_of(customer: Customer) -> set[str]:
    names = {_name_key(customer.last_name)}
    if customer.business_name:
        names.add(_name_key(customer.business_name))
    return names - {""}


def _name_key(name: str) -> str:
    """Letters and digits only, without accents or case: "O'Brien" and "obrien" match."""
    decomposed = unicodedata.normalize("NFKD", name)
    # Accents decompose into combining marks, which are not alphanumeric.
    return "".join(c for c in decomposed if c.isalnum()).casefold()
