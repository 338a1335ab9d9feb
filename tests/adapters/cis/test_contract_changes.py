"""What the change feed contract (`adapters.cis.contract_writes`) cannot ask of every CIS.

The SOAP adapter pages through a stand-in that answers two objects per call, and
follows a service location changed behind its back; the fake refuses a cursor it
never gave.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from adapters.cis.contract_writes import change_email
from adapters.cis.port import ChangePage, CisFault, CisPort
from adapters.cis.soap import CB_SERVER_WSDL, SoapCis
from adapters.multispeak import call, load_wsdl_client
from simulators.cis.app import SERVICE_PATH, create_cis_app
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.adapters.cis.conftest import opened_soap_cis
from tests.fixtures.cis import cis_endpoint_for, load_cis_database

SMALL_PAGES = 2


@pytest_asyncio.fixture
async def paged_cis_url(
    world: World, cis_credentials: MultiSpeakCredentials, tmp_path: Path
) -> AsyncIterator[str]:
    database_url = await load_cis_database(world, tmp_path / "cis.db")
    app = create_cis_app(
        database_url=database_url, credentials=cis_credentials, change_page_size=SMALL_PAGES
    )
    async with serve_asgi(app) as base_url:
        yield base_url + SERVICE_PATH


@pytest_asyncio.fixture
async def paged_cis(
    paged_cis_url: str, cis_credentials: MultiSpeakCredentials
) -> AsyncIterator[SoapCis]:
    async with opened_soap_cis(cis_endpoint_for(paged_cis_url, cis_credentials)) as adapter:
        yield adapter


async def read_all(cis: CisPort, cursor: str) -> list[ChangePage]:
    pages = [await cis.changes_since(cursor)]
    while pages[-1].more:
        pages.append(await cis.changes_since(pages[-1].next_cursor))
    return pages


async def test_many_changes_come_in_pages_until_none_is_left(
    paged_cis: SoapCis, world: World
) -> None:
    start = await paged_cis.changes_since(None)
    changed = sorted(c.customer_id for c in world.customers)[:5]
    for customer_id in changed:
        await change_email(paged_cis, customer_id, "paged@example.org")

    pages = await read_all(paged_cis, start.next_cursor)

    assert [page.more for page in pages] == [True, True, False]
    assert [len(page.customer_ids) for page in pages] == [2, 2, 1]
    assert sorted(i for page in pages for i in page.customer_ids) == changed
    assert (await paged_cis.changes_since(pages[-1].next_cursor)).is_empty


async def test_a_changed_service_location_names_its_account_and_customer(
    paged_cis: SoapCis, paged_cis_url: str, cis_credentials: MultiSpeakCredentials, world: World
) -> None:
    location = world.locations[-1]
    start = await paged_cis.changes_since(None)
    # Someone else changes the location, in the CIS's own MultiSpeak.
    operator = load_wsdl_client(CB_SERVER_WSDL, cis_endpoint_for(paged_cis_url, cis_credentials))
    try:
        change = {"objectID": location.location_id, "servStatus": "Inactive"}
        await call(
            operator,
            "ModifyCBDataForServiceLocation",
            {"serviceLocationData": {"serviceLocation": [change]}},
            unavailable=CisFault,
            fault=CisFault,
        )
    finally:
        await operator.aclose()

    page = await paged_cis.changes_since(start.next_cursor)

    assert page.customer_ids == (location.customer_id,)
    assert page.account_numbers == (location.account_number,)
    assert page.location_ids == (location.location_id,)
    located = await paged_cis.get_service_locations_by_account(location.account_number)
    statuses = {loc.location_id: loc.service_status for loc in located}
    assert statuses[location.location_id] == "inactive"


async def test_a_cursor_the_cis_never_gave_is_a_fault(paged_cis: SoapCis) -> None:
    start = await paged_cis.changes_since(None)
    ahead = start.next_cursor.replace('"0"', '"42"')

    with pytest.raises(CisFault, match="not a session this server issued"):
        await paged_cis.changes_since(ahead)


async def test_the_fake_refuses_a_cursor_it_never_gave(world: World) -> None:
    fake = fake_cis_from_world(world)

    with pytest.raises(CisFault):
        await fake.changes_since("42")
