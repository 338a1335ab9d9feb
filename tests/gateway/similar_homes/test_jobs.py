"""The worker's count against the CIS stand-in over HTTP (GetAllServiceLocations, page by
page) and the meter store in SQLite: every home in its group, and no cut points kept for
the shared world's groups, all under 20 homes."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date

import pytest
import pytest_asyncio

from adapters.cis.fake import FakeCis
from adapters.cis.port import ServiceLocationPage
from adapters.cis.soap import SoapCis
from adapters.meters.sql import SqlMeterData
from adapters.multispeak import MultiSpeakEndpoint
from gateway.core.loaders import DataLoaders
from gateway.core.store.gateway_store import GatewayStore
from gateway.similar_homes.jobs import count_similar_homes, months_to_count, similar_homes_job
from gateway.similar_homes.standing import MIN_HOMES
from gateway.similar_homes.store import GroupKey, counted_months, group_in
from simulators.cis.fake_from_world import cis_data_from_world
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.world import World
from tests.fixtures.world import TEST_AS_OF
from tests.gateway.core.store.databases import migrated_store


@pytest_asyncio.fixture
async def store(request: pytest.FixtureRequest) -> AsyncIterator[GatewayStore]:
    opened = await migrated_store("sqlite", request)
    yield opened
    await opened.aclose()


def groups_of(world: World) -> Counter[GroupKey]:
    """Each account in the group of its first location by id, worked out from the world."""
    located = {loc.location_id: loc for loc in world.locations}
    homes = (located[min(a.location_ids)] for a in world.accounts)
    return Counter(GroupKey(home.weather_station, home.rate_class.value) for home in homes)


def test_the_months_counted_are_those_not_counted_yet_and_always_the_last() -> None:
    counted = {date(2026, 9, 1), date(2026, 10, 1)}

    months = months_to_count(today=date(2026, 11, 30), months_back=3, counted=counted)

    assert months == [date(2026, 10, 1), date(2026, 8, 1)]
    assert months_to_count(today=date(2027, 1, 1), months_back=1, counted=set()) == [
        date(2026, 12, 1)
    ]


async def test_every_home_is_counted_in_its_group_and_small_groups_keep_no_cut_points(
    cis_endpoint: MultiSpeakEndpoint, meters_sqlite_url: str, world: World, store: GatewayStore
) -> None:
    cis = await SoapCis.create(endpoint=cis_endpoint)
    meters = SqlMeterData.from_url(meters_sqlite_url)
    try:
        loaders = DataLoaders.create(cis=cis, oms=fake_oms_from_world(world), meters=meters)
        counted = await count_similar_homes(
            store=store, cis=cis, meters=meters, loaders=loaders, today=TEST_AS_OF, months_back=2
        )
        again = await count_similar_homes(
            store=store, cis=cis, meters=meters, loaders=loaders, today=TEST_AS_OF, months_back=2
        )
    finally:
        await cis.aclose()
        await meters.aclose()

    assert counted == [date(2026, 10, 1), date(2026, 9, 1)]
    assert again == [date(2026, 10, 1)]
    expected = groups_of(world)
    assert sum(expected.values()) == len(world.accounts)
    for key, homes in expected.items():
        for month in counted:
            group = await group_in(store, key, month)
            assert group is not None, (key, month)
            assert group.homes == homes
            assert homes < MIN_HOMES
            assert group.cuts == ()


class HangingCis(FakeCis):
    """A CIS that never answers the list of service locations, and says when asked."""

    asked: asyncio.Event

    async def service_locations_page(self, cursor: str | None) -> ServiceLocationPage:
        self.asked.set()
        await asyncio.Event().wait()
        raise AssertionError("never answered")


async def test_a_count_in_hand_is_cancelled_as_soon_as_the_worker_stops(
    world: World, store: GatewayStore
) -> None:
    cis = HangingCis.from_data(cis_data_from_world(world))
    cis.asked = asyncio.Event()
    meters = fake_meters_from_world(world)
    job = similar_homes_job(
        store=store,
        cis=cis,
        meters=meters,
        loaders=lambda: DataLoaders.create(cis=cis, oms=fake_oms_from_world(world), meters=meters),
        today=lambda: TEST_AS_OF,
        months_back=1,
        interval_s=3600,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(job(stop))
    await asyncio.wait_for(cis.asked.wait(), 5)

    stop.set()

    await asyncio.wait_for(running, 1)
    assert await counted_months(store) == set()
