"""The CIS's lookups by phone and meter and its free-text search, for the fake and SOAP.

Both are held to what the shared world says: who has which home phone, where each
meter is, and the search rule they share (`adapters.cis.search`).
"""

from __future__ import annotations

import pytest

from adapters.cis.port import CisFault, CisNotFound, CisPort
from simulators.world import World
from tests.fixtures.cis import CisScenario


async def test_the_cis_says_it_has_the_search_operations(cis: CisPort) -> None:
    assert {
        "GetCustomerByHomePhone",
        "GetServiceLocationByMeterNo",
        "GetMetersBySearchString",
    } <= set(await cis.get_methods())


async def test_a_customer_is_found_by_home_phone(cis: CisPort, cis_scenario: CisScenario) -> None:
    demo = cis_scenario.demo
    assert demo.home_phone is not None
    phone = f"({demo.home_phone[:3]}) {demo.home_phone[3:6]}-{demo.home_phone[6:]}"

    found = await cis.get_customer_by_home_phone(phone)

    assert found == await cis.get_customer(demo.customer_id)


async def test_a_home_phone_nobody_has_is_not_found(cis: CisPort) -> None:
    with pytest.raises(CisNotFound):
        await cis.get_customer_by_home_phone("5050000000")


async def test_a_meter_leads_to_its_service_location(cis: CisPort, world: World) -> None:
    location = next(loc for loc in world.locations if loc.address.line2)
    meter_no = location.meter_nos[-1]

    found = await cis.get_service_location_by_meter(meter_no)

    assert found.location_id == location.location_id
    assert found.account_number == location.account_number
    assert found in await cis.get_service_locations_by_account(location.account_number)


async def test_an_unknown_meter_is_not_found(cis: CisPort) -> None:
    with pytest.raises(CisNotFound):
        await cis.get_service_location_by_meter("ZZ00000000")


async def test_the_search_string_finds_meters_by_street_address(cis: CisPort, world: World) -> None:
    street = world.locations[3].address.line1.split(" ", 1)[1]  # "Mesa Verde Dr"
    expected = [
        (m, loc.account_number, loc.customer_id)
        for account in sorted(world.accounts, key=lambda a: a.account_number)
        for loc in world.locations
        if loc.location_id in account.location_ids and street in loc.address.line1
        for m in loc.meter_nos
    ]

    found = await cis.search_meters(street.upper())

    assert expected
    assert [(f.meter.meter_no, f.account_number, f.customer_id) for f in found] == expected
    assert all(f.meter.location_id for f in found)


async def test_the_search_string_finds_a_mobile_number(
    cis: CisPort, world: World, cis_scenario: CisScenario
) -> None:
    demo = cis_scenario.demo
    assert demo.mobile_phone is not None
    written = f"{demo.mobile_phone[:3]}-{demo.mobile_phone[3:6]}-{demo.mobile_phone[6:]}"

    found = await cis.search_meters(written)

    demo_accounts = {a.account_number for a in cis_scenario.demo_accounts}
    assert {f.account_number for f in found} == demo_accounts
    assert {f.customer_id for f in found} == {demo.customer_id}


async def test_a_search_matching_nothing_is_empty_and_a_blank_one_is_a_fault(
    cis: CisPort,
) -> None:
    assert await cis.search_meters("Nowhere Lane 99999") == ()
    with pytest.raises(CisFault, match="needs a searchString"):
        await cis.search_meters("  ")
