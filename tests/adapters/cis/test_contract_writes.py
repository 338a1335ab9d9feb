"""Contact changes (ModifyCBDataForCustomer), held alike for the fake and the SOAP adapter.

Each test gets a CIS of its own: a fresh fake, or a stand-in over a fresh database.
"""

from __future__ import annotations

import pytest

from adapters.cis.port import CisFault, CisNotFound, CisPort, PostalAddress
from adapters.cis.soap import SoapCis
from tests.fixtures.cis import CisScenario


@pytest.fixture
def soap_cis(writable_soap_cis: SoapCis) -> SoapCis:
    """Each test here writes, so each gets a stand-in of its own."""
    return writable_soap_cis


async def test_new_numbers_email_and_address_are_kept_as_the_cis_keeps_them(
    cis: CisPort, cis_scenario: CisScenario
) -> None:
    demo = cis_scenario.demo
    moved = PostalAddress(" 12 Ruta Vieja ", "Edgewood", "NM", "87015", line2="")

    updated = await cis.update_contact(
        demo.customer_id,
        home_phone="(505) 555-0100",
        mobile_phone="505.555.0199",
        email="maria@example.org",
        billing_address=moved,
    )

    assert updated == await cis.get_customer(demo.customer_id)
    assert (updated.home_phone, updated.mobile_phone) == ("5055550100", "5055550199")
    assert updated.email == "maria@example.org"
    assert updated.billing_address == PostalAddress("12 Ruta Vieja", "Edgewood", "NM", "87015")
    assert (updated.first_name, updated.last_name) == (demo.first_name, demo.last_name)


async def test_none_clears_a_number_or_the_email_and_keeps_the_address(
    cis: CisPort, cis_scenario: CisScenario
) -> None:
    demo = cis_scenario.demo
    before = await cis.get_customer(demo.customer_id)

    updated = await cis.update_contact(
        demo.customer_id, home_phone=demo.home_phone, mobile_phone=None, email=None
    )

    assert updated.home_phone == demo.home_phone
    assert updated.mobile_phone is None
    assert updated.email is None
    assert updated.billing_address == before.billing_address


async def test_refused_changes_are_faults_and_change_nothing(
    cis: CisPort, cis_scenario: CisScenario
) -> None:
    demo = cis_scenario.demo
    before = await cis.get_customer(demo.customer_id)

    with pytest.raises(CisFault, match="10 digits"):
        await cis.update_contact(
            demo.customer_id, home_phone="555-0100", mobile_phone=None, email=None
        )
    with pytest.raises(CisFault, match="billCity must not be empty"):
        await cis.update_contact(
            demo.customer_id,
            home_phone=None,
            mobile_phone=None,
            email=None,
            billing_address=PostalAddress("1 Main St", " ", "NM", "87035"),
        )
    with pytest.raises(CisNotFound):
        await cis.update_contact(
            cis_scenario.unknown_customer, home_phone=None, mobile_phone=None, email=None
        )

    assert await cis.get_customer(demo.customer_id) == before
