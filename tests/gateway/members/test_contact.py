"""Checking contact details before they go to the CIS: every problem, named by field;
and the change itself, made with the request's parts alone."""

from __future__ import annotations

from typing import Any, cast

import pytest

from adapters.cis.port import CisPort, PostalAddress
from gateway.core.backends import Adapters
from gateway.core.cache import kinds
from gateway.core.cache.memory import MemoryCache
from gateway.core.store.gateway_store import GatewayStore
from gateway.members.contact import (
    KEEP,
    AddressInput,
    ContactInput,
    FieldProblem,
    Invalid,
    Updated,
    check_contact,
    update_contact_details,
)
from tests.gateway.conftest import Members
from tests.gateway.support import access_for, invalidation_for, loaders_for


def test_good_details_are_normalized_as_the_cis_keeps_them() -> None:
    checked = check_contact(
        ContactInput(
            home_phone="+1 (505) 555-0142",
            mobile_phone="",
            email=" pat@example.org ",
            billing_address=AddressInput(
                line1=" 12  Ruta Vieja ", city="Edgewood", state="nm", zip_code="87015-1234"
            ),
        )
    )

    assert not isinstance(checked, Invalid)
    assert checked.home_phone == "5055550142"
    assert checked.mobile_phone is None  # cleared
    assert checked.email == "pat@example.org"
    assert checked.billing_address == PostalAddress(
        line1="12 Ruta Vieja", city="Edgewood", state="NM", zip_code="87015-1234"
    )


def test_fields_left_out_are_kept() -> None:
    checked = check_contact(ContactInput())

    assert not isinstance(checked, Invalid)
    assert (checked.home_phone, checked.mobile_phone, checked.email) == (KEEP, KEEP, KEEP)
    assert checked.billing_address is None


def test_every_problem_is_reported_at_once() -> None:
    checked = check_contact(
        ContactInput(
            home_phone="555-0142",
            mobile_phone="(105) 555-0142",
            email="pat at example",
            billing_address=AddressInput(line1=" ", city="Edgewood", state="XX", zip_code="8701"),
        )
    )

    assert isinstance(checked, Invalid)
    assert [p.field for p in checked.problems] == [
        "homePhone",
        "mobilePhone",
        "email",
        "billingAddress.line1",
        "billingAddress.state",
        "billingAddress.zip",
    ]


@pytest.mark.parametrize("state", ["PR", "GU", "DC", "AE", "wy"])
def test_territories_dc_and_military_mail_are_states_too(state: str) -> None:
    address = AddressInput(line1="1 Calle Sol", city="San Juan", state=state, zip_code="00901")
    assert not isinstance(check_contact(ContactInput(billing_address=address)), Invalid)


@pytest.mark.parametrize(
    "email",
    [
        "a@b",
        "a b@example.com",
        "@example.com",
        "a@@example.com",
        "a..b@example.com",
        "josé@example.com",
    ],
)
def test_email_syntax(email: str) -> None:
    assert check_contact(ContactInput(email=email)) == Invalid(
        (FieldProblem("email", "Enter an email address, like name@example.com."),)
    )


async def test_the_change_keeps_what_was_left_out_and_the_loaders_forget_the_old_customer(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    loaders = loaders_for(adapters)
    number = members.demo.account_numbers[0]
    locations = await loaders.service_locations.load(number)
    before = await loaders.customer.load(locations[0].customer_id)

    outcome = await update_contact_details(
        access=access_for(gateway_store, members.demo, loaders=loaders),
        loaders=loaders,
        cis=adapters.cis,
        invalidate=invalidation_for(loaders),
        request_id="test-contact",
        account_number=f" {number} ",
        change=ContactInput(mobile_phone="(505) 555-0199"),
    )

    assert isinstance(outcome, Updated)
    assert outcome.customer.mobile_phone == "5055550199"
    assert (outcome.customer.home_phone, outcome.customer.email) == (
        before.home_phone,
        before.email,
    )
    assert await loaders.customer.load(before.customer_id) == outcome.customer


def test_a_zip_code_is_stored_as_usps_writes_it() -> None:
    address = AddressInput(line1="1 Main St", city="Moriarty", state="NM", zip_code="870351234")
    checked = check_contact(ContactInput(billing_address=address))
    assert not isinstance(checked, Invalid)
    assert checked.billing_address is not None
    assert checked.billing_address.zip_code == "87035-1234"


class Killed(BaseException):
    """The process dying between the CIS's write and what the gateway does next."""


class KilledAfterTheWrite:
    """The CIS, but the gateway never hears back from `update_contact`."""

    def __init__(self, cis: CisPort) -> None:
        self._cis = cis

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cis, name)

    async def update_contact(self, *args: Any, **kwargs: Any) -> Any:
        await self._cis.update_contact(*args, **kwargs)
        raise Killed


async def test_a_gateway_killed_after_the_cis_write_leaves_nothing_stale_cached(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    # The cache was dropped only after the CIS answered: killed in between, the
    # restarted gateway served the old customer until the TTL.
    loaders = loaders_for(adapters)
    number = members.demo.account_numbers[0]
    locations = await loaders.service_locations.load(number)
    customer_key = kinds.CUSTOMER.key(locations[0].customer_id)
    cache = MemoryCache()
    await cache.set_many({customer_key: b"the customer before the change"}, ttl_s=3600)

    with pytest.raises(Killed):
        await update_contact_details(
            access=access_for(gateway_store, members.demo, loaders=loaders),
            loaders=loaders,
            cis=cast(CisPort, KilledAfterTheWrite(adapters.cis)),
            invalidate=invalidation_for(loaders, cache),
            request_id="test-contact-killed",
            account_number=number,
            change=ContactInput(mobile_phone="(505) 555-0198"),
        )

    assert await cache.get_many([customer_key]) == [None]
