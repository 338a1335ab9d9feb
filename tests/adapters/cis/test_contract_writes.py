"""Contact changes (ModifyCBDataForCustomer), held alike for the fake and the SOAP adapter.

Each test gets a CIS of its own: a fresh fake, or a stand-in over a fresh database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

import pytest
import pytest_asyncio

from adapters.cis.fake import FakeCis
from adapters.cis.port import CisFault, CisNotFound, CisPort, Customer, PostalAddress
from adapters.cis.soap import SoapCis
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import CisScenario, cis_endpoint_for


class WritableCis(CisPort, Protocol):
    async def update_contact(
        self,
        customer_id: str,
        *,
        home_phone: str | None,
        mobile_phone: str | None,
        email: str | None,
        billing_address: PostalAddress | None = None,
    ) -> Customer: ...


@pytest_asyncio.fixture
async def writable_soap_cis(
    fresh_cis_url: str, cis_credentials: MultiSpeakCredentials
) -> AsyncIterator[SoapCis]:
    adapter = await SoapCis.create(endpoint=cis_endpoint_for(fresh_cis_url, cis_credentials))
    yield adapter
    await adapter.aclose()


@pytest.fixture(params=["fake", "soap"])
def cis(request: pytest.FixtureRequest, world: World) -> WritableCis:
    if request.param == "fake":
        return FakeCis.from_world(world)
    adapter: SoapCis = request.getfixturevalue("writable_soap_cis")
    return adapter


async def test_new_numbers_email_and_address_are_kept_as_the_cis_keeps_them(
    cis: WritableCis, cis_scenario: CisScenario
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
    cis: WritableCis, cis_scenario: CisScenario
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
    cis: WritableCis, cis_scenario: CisScenario
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
