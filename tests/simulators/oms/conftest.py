from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import pytest_asyncio
import xmlschema
import zeep

from simulators.oms.app import WSDL_PATH
from simulators.soap import MultiSpeakCredentials
from tests.simulators.oms.oa_wire import OaWire


@pytest.fixture(scope="session")
def oa_messages() -> zeep.Client:
    """A zeep client used only to build request envelopes (it never sends)."""
    return zeep.Client(str(WSDL_PATH))  # type: ignore[no-untyped-call]


@pytest_asyncio.fixture
async def wire_to(
    oa_messages: zeep.Client, oa_schema: xmlschema.XMLSchema, oms_credentials: MultiSpeakCredentials
) -> AsyncIterator[Callable[[str], OaWire]]:
    async with httpx.AsyncClient(timeout=10.0) as http:

        def connect(url: str) -> OaWire:
            return OaWire(
                messages=oa_messages,
                schema=oa_schema,
                http=http,
                url=url,
                credentials=oms_credentials,
            )

        yield connect


@pytest.fixture
def oms_wire(wire_to: Callable[[str], OaWire], oms_url: str) -> OaWire:
    """Raw SOAP to the shared (read-only) OMS stand-in."""
    return wire_to(oms_url)
