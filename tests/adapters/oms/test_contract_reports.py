"""The OMS reports contract (`adapters.oms.contract_reports`) for the fake, and for the
SOAP adapter against a stand-in of each test's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.oms.contract_reports import *  # noqa: F403
from adapters.oms.port import OmsPort
from adapters.oms.soap import SoapOms
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.oms import fresh_oms_path, oms_endpoint_for, serve_oms


@pytest.fixture(params=["fake", "soap"])
async def oms(
    request: pytest.FixtureRequest,
    world: World,
    oms_credentials: MultiSpeakCredentials,
    oms_database_dir: Path,
) -> AsyncIterator[OmsPort]:
    """A port of this test's own, over state no other test sees."""
    if request.param == "fake":
        yield fake_oms_from_world(world)
        return
    async with serve_oms(world, oms_credentials, fresh_oms_path(oms_database_dir)) as url:
        adapter = await SoapOms.create(endpoint=oms_endpoint_for(url, oms_credentials))
        yield adapter
        await adapter.aclose()
