"""GetAllServiceLocations in small pages: the SOAP adapter against the stand-in, and the
fake, list every location once and alike; a server that never moves on is a fault."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from adapters.cis.fake import FakeCis
from adapters.cis.listing import all_service_locations
from adapters.cis.port import CisFault, ServiceLocationPage
from adapters.cis.soap import SoapCis
from simulators.cis.app import SERVICE_PATH, create_cis_app
from simulators.cis.fake_from_world import cis_data_from_world
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.adapters.cis.conftest import opened_soap_cis
from tests.fixtures.cis import cis_endpoint_for

SMALL_PAGES = 7


@pytest_asyncio.fixture
async def paged_cis(
    cis_database_url: str, cis_credentials: MultiSpeakCredentials
) -> AsyncIterator[SoapCis]:
    app = create_cis_app(
        database_url=cis_database_url, credentials=cis_credentials, list_page_size=SMALL_PAGES
    )
    async with serve_asgi(app) as base_url:
        endpoint = cis_endpoint_for(base_url + SERVICE_PATH, cis_credentials)
        async with opened_soap_cis(endpoint) as adapter:
            yield adapter


async def test_small_pages_list_every_location_once_as_the_fake_does(
    paged_cis: SoapCis, world: World
) -> None:
    fake = FakeCis.from_data(cis_data_from_world(world))
    fake.page_size = SMALL_PAGES

    first = await paged_cis.service_locations_page(None)
    listed = await all_service_locations(paged_cis)

    assert len(first.locations) == SMALL_PAGES
    assert first.next_cursor == first.locations[-1].location_id
    assert len(listed) == len(world.locations) > SMALL_PAGES
    assert listed == await all_service_locations(fake)
    pages = [c for c in fake.calls if c[0] == "service_locations_page"]
    assert len(pages) == -(-len(world.locations) // SMALL_PAGES)


async def test_the_last_page_says_nothing_remains(paged_cis: SoapCis, world: World) -> None:
    last_but_one = sorted(loc.location_id for loc in world.locations)[-2]

    page = await paged_cis.service_locations_page(last_but_one)

    assert [loc.location_id for loc in page.locations] == [
        max(loc.location_id for loc in world.locations)
    ]
    assert page.next_cursor is None


class Circling(FakeCis):
    """A CIS that ignores `lastReceived` and answers the first page every time."""

    async def service_locations_page(self, cursor: str | None) -> ServiceLocationPage:
        page = await super().service_locations_page(None)
        return ServiceLocationPage(page.locations, next_cursor="more")


async def test_a_cis_that_pages_in_circles_is_a_fault(world: World) -> None:
    circling = Circling.from_data(cis_data_from_world(world))
    circling.page_size = SMALL_PAGES

    with pytest.raises(CisFault, match="repeats itself"):
        await all_service_locations(circling)
