from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import pytest_asyncio
import xmlschema
import zeep

from adapters.cis.soap import CB_SERVER_WSDL
from simulators.soap import MultiSpeakCredentials
from tests.simulators.cis.cb_wire import CbWire


@pytest.fixture(scope="session")
def cb_messages() -> zeep.Client:
    """A zeep client used only to build request envelopes (it never sends)."""
    return zeep.Client(str(CB_SERVER_WSDL))  # type: ignore[no-untyped-call]


@pytest_asyncio.fixture
async def cb_wire_to(
    cb_messages: zeep.Client, cb_schema: xmlschema.XMLSchema, cis_credentials: MultiSpeakCredentials
) -> AsyncIterator[Callable[[str], CbWire]]:
    async with httpx.AsyncClient(timeout=10.0) as http:

        def connect(url: str) -> CbWire:
            return CbWire(
                messages=cb_messages,
                schema=cb_schema,
                http=http,
                url=url,
                credentials=cis_credentials,
            )

        yield connect


@pytest.fixture
def cis_wire(cb_wire_to: Callable[[str], CbWire], cis_url: str) -> CbWire:
    """Raw SOAP to the shared (read-only) CIS stand-in."""
    return cb_wire_to(cis_url)
