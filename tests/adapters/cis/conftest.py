"""The `cis` every contract test runs against twice: the fake, and the SOAP adapter.

Modules that only read share one stand-in (`soap_cis`, opened once per module).
Modules that write give each test a stand-in over a fresh database of its own by
overriding `soap_cis` with `writable_soap_cis`. Both hold the shared world, which
`cis_facts` describes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import pytest_asyncio

from adapters.cis.contract import CisContractFacts
from adapters.cis.port import CisPort
from adapters.cis.soap import SoapCis
from adapters.multispeak import MultiSpeakEndpoint
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.adapters.cis.facts import cis_facts_from_world
from tests.fixtures.cis import cis_endpoint_for


@asynccontextmanager
async def opened_soap_cis(endpoint: MultiSpeakEndpoint) -> AsyncIterator[SoapCis]:
    adapter = await SoapCis.create(endpoint=endpoint)
    try:
        yield adapter
    finally:
        await adapter.aclose()


@pytest_asyncio.fixture(scope="module")
async def soap_cis(cis_endpoint: MultiSpeakEndpoint) -> AsyncIterator[SoapCis]:
    async with opened_soap_cis(cis_endpoint) as adapter:
        yield adapter


@pytest_asyncio.fixture
async def writable_soap_cis(
    fresh_cis_url: str, cis_credentials: MultiSpeakCredentials
) -> AsyncIterator[SoapCis]:
    async with opened_soap_cis(cis_endpoint_for(fresh_cis_url, cis_credentials)) as adapter:
        yield adapter


@pytest.fixture(params=["fake", "soap"])
def cis(request: pytest.FixtureRequest, world: World) -> CisPort:
    if request.param == "fake":
        return fake_cis_from_world(world)
    adapter: SoapCis = request.getfixturevalue("soap_cis")
    return adapter


@pytest.fixture(scope="session")
def cis_facts(world: World) -> CisContractFacts:
    return cis_facts_from_world(world)
