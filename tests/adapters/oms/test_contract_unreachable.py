"""The unreachable-OMS contract (`adapters.oms.contract_unreachable`) for the fake switched
down, and for the SOAP adapter pointed at a port nothing listens on.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from adapters.oms.contract_unreachable import *  # noqa: F403
from adapters.oms.port import OmsPort
from adapters.oms.soap import SoapOms
from simulators.oms.app import SERVICE_PATH
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.oms import oms_endpoint_for


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(params=["fake", "soap"])
async def oms(
    request: pytest.FixtureRequest, world: World, oms_credentials: MultiSpeakCredentials
) -> AsyncIterator[OmsPort]:
    """A port whose OMS cannot be reached."""
    if request.param == "fake":
        fake = fake_oms_from_world(world)
        fake.down = True
        yield fake
        return
    url = f"http://127.0.0.1:{_unused_port()}{SERVICE_PATH}"
    adapter = await SoapOms.create(endpoint=oms_endpoint_for(url, oms_credentials))
    yield adapter
    await adapter.aclose()
