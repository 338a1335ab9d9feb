"""The OMS read contract (`adapters.oms.contract`) for the fake, and for the SOAP adapter
against the OMS stand-in; and what only the SOAP adapter can get wrong.

Both hold the shared world, so they must give the same answers; one test here
compares them directly, location by location.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.multispeak import MultiSpeakEndpoint
from adapters.oms.contract import *  # noqa: F403
from adapters.oms.port import OmsFault, OmsNotFound, OmsPort, OmsUnavailable
from adapters.oms.soap import SoapOms
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.oms import oms_endpoint_for, serve_oms


@pytest.fixture(scope="session")
async def shared_soap_oms(oms_endpoint: MultiSpeakEndpoint) -> AsyncIterator[SoapOms]:
    oms = await SoapOms.create(endpoint=oms_endpoint)
    yield oms
    await oms.aclose()


@pytest.fixture(params=["fake", "soap"])
def oms(request: pytest.FixtureRequest, world: World) -> OmsPort:
    """A port for tests that only read (the SOAP one shares one stand-in)."""
    if request.param == "fake":
        return fake_oms_from_world(world)
    shared: SoapOms = request.getfixturevalue("shared_soap_oms")
    return shared


async def test_the_fake_and_soap_agree_on_every_location(
    world: World, shared_soap_oms: SoapOms
) -> None:
    fake = fake_oms_from_world(world)
    for location in world.locations:
        location_id = location.location_id
        assert await shared_soap_oms.get_outage_status(location_id) == await fake.get_outage_status(
            location_id
        )
        assert await shared_soap_oms.get_outage_history(
            location_id
        ) == await fake.get_outage_history(location_id)


async def test_a_slow_oms_is_unavailable(
    world: World, oms_credentials: MultiSpeakCredentials, tmp_path: Path
) -> None:
    async with serve_oms(world, oms_credentials, tmp_path / "slow.db", latency_ms=500) as url:
        endpoint = replace(oms_endpoint_for(url, oms_credentials), timeout_s=0.05)
        oms = await SoapOms.create(endpoint=endpoint)
        try:
            with pytest.raises(OmsUnavailable, match="no answer within"):
                await oms.get_methods()
        finally:
            await oms.aclose()


async def test_wrong_credentials_are_a_fault_that_does_not_show_them(
    oms_endpoint: MultiSpeakEndpoint,
) -> None:
    endpoint = replace(oms_endpoint, password="not-The-Password")
    oms = await SoapOms.create(endpoint=endpoint)
    try:
        with pytest.raises(OmsFault) as caught:
            await oms.get_active_outages()
    finally:
        await oms.aclose()
    assert not isinstance(caught.value, OmsNotFound)
    assert "not-The-Password" not in str(caught.value)
    assert oms_endpoint.password not in str(caught.value)
    assert "not-The-Password" not in repr(oms)
