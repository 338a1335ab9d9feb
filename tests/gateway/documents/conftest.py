"""One gateway for the documents tests, served in process over the CIS stand-in (SOAP
on loopback) and the meter store, with a link key the tests know, so that they can
write links the gateway never gave out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest_asyncio
from pydantic import SecretStr

from gateway.core.signed_links import LinkSigner
from simulators.soap import MultiSpeakCredentials
from tests.gateway.conftest import Members
from tests.gateway.served import SECRET, Served, StandIns, served

LINK_KEY: Final = "documents-test-link-key-" + "k" * 16
FIXTURES: Final = Path(__file__).resolve().parents[2] / "fixtures" / "greenbutton"
ESPI_XSD: Final = FIXTURES / "espi.xsd"
SAMPLE_FEED: Final = FIXTURES / "test_usage_data_01.xml"


@dataclass(frozen=True, slots=True)
class DocumentsGateway:
    http: Served
    member_token: str
    neighbor_token: str
    staff_token: str

    async def ok(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        body = await self.http.graphql(query, token, **variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


def link_signer(**options: Any) -> LinkSigner:
    """A signer with the served gateway's key (its clock and lifetime as given)."""
    return LinkSigner(LINK_KEY.encode(), **options)


@pytest_asyncio.fixture(scope="module")
async def documents(
    cis_url: str,
    cis_credentials: MultiSpeakCredentials,
    oms_url: str,
    oms_credentials: MultiSpeakCredentials,
    meters_sqlite_url: str,
    gateway_database_path: Path,
    members: Members,
) -> AsyncIterator[DocumentsGateway]:
    standins = StandIns(cis_url, cis_credentials, oms_url, oms_credentials, meters_sqlite_url)
    settings = standins.settings(
        database_url=f"sqlite+aiosqlite:///{gateway_database_path}",
        jwt_secret=SECRET,
        document_link_secret=SecretStr(LINK_KEY),
        rate_limit_enabled=False,
    )
    async with served(settings) as http:
        yield DocumentsGateway(
            http=http,
            member_token=await http.sign_in(members.demo),
            neighbor_token=await http.sign_in(members.neighbor),
            staff_token=await http.sign_in(members.staff),
        )
