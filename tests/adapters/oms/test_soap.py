"""What only the SOAP adapter has to cope with: paging and other vendors' habits.

The quirky vendors here are small MultiSpeak servers built on the same SOAP server
as the stand-in, answering from fixed data the way some real OMSs do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.oms.port import OmsFault, OmsNotFound, OutageCall, OutagePhase
from adapters.oms.soap import SoapOms
from simulators.oms.app import SERVICE_PATH, WSDL_PATH
from simulators.server import serve_asgi
from simulators.soap import Handler, MultiSpeakCredentials, SoapFault, create_multispeak_app
from simulators.world import World
from tests.fixtures.oms import OmsScenario, fresh_oms_path, oms_endpoint_for, serve_oms

EVENTS = [
    {"objectID": f"OE-{n}", "outageStatus": "Assumed", "startTime": datetime(2026, 11, 15, n, 0)}
    for n in range(1, 6)
]


@asynccontextmanager
async def vendor(
    handlers: Mapping[str, Handler], credentials: MultiSpeakCredentials, **options: Any
) -> AsyncIterator[SoapOms]:
    app = create_multispeak_app(
        wsdl_path=WSDL_PATH, service_path=SERVICE_PATH, handlers=handlers, credentials=credentials
    )
    async with serve_asgi(app) as base_url:
        endpoint = oms_endpoint_for(base_url + SERVICE_PATH, credentials)
        oms = await SoapOms.create(endpoint=endpoint, **options)
        try:
            yield oms
        finally:
            await oms.aclose()


async def test_active_outages_are_read_page_by_page(
    world: World, oms_credentials: MultiSpeakCredentials, oms_database_dir: Path
) -> None:
    path = fresh_oms_path(oms_database_dir)
    async with serve_oms(world, oms_credentials, path, page_size=1) as url:
        oms = await SoapOms.create(endpoint=oms_endpoint_for(url, oms_credentials))
        try:
            events = await oms.get_active_outages()
        finally:
            await oms.aclose()
    active = sorted(
        (e for e in world.outage_events if e.restored_at is None),
        key=lambda e: (e.started_at, e.event_id),
    )
    assert [e.event_id for e in events] == [e.event_id for e in active]


async def test_a_server_that_ignores_last_received_is_read_once(
    oms_credentials: MultiSpeakCredentials,
) -> None:
    asked: list[str | None] = []

    async def everything(body: Any) -> dict[str, Any]:
        asked.append(body.lastReceived)
        return {"outageEvent": EVENTS}

    async with vendor({"GetAllActiveOutageEvents": everything}, oms_credentials) as oms:
        events = await oms.get_active_outages()

    assert [e.event_id for e in events] == [e["objectID"] for e in EVENTS]
    assert asked == [None, "OE-5"]  # zeep sends the first, empty lastReceived as nothing


async def test_local_times_without_an_offset_are_read_in_the_configured_zone(
    oms_credentials: MultiSpeakCredentials,
) -> None:
    async def nothing_more(body: Any) -> dict[str, Any]:
        return {"outageEvent": EVENTS[:1] if not body.lastReceived else []}

    denver = ZoneInfo("America/Denver")
    async with vendor(
        {"GetAllActiveOutageEvents": nothing_more}, oms_credentials, naive_time_zone=denver
    ) as oms:
        [event] = await oms.get_active_outages()

    assert event.started_at == datetime(2026, 11, 15, 1, 0, tzinfo=denver)
    assert event.started_at.tzinfo is UTC
    assert event.phase is OutagePhase.REPORTED


async def test_errors_in_the_call_acknowledgement_are_faults(
    oms_credentials: MultiSpeakCredentials,
) -> None:
    async def no_events(body: Any) -> dict[str, Any]:
        return {"string": []}

    async def refuse(body: Any) -> dict[str, Any]:
        return {
            "errorObject": [
                {
                    "objectID": body.chEvent.customerCall[0].objectID,
                    "errorString": f"Caller rejected, user {oms_credentials.user_id}",
                }
            ]
        }

    call = OutageCall(
        location_id="2000100-01",
        account_number="2000100",
        phone=None,
        caller_name=None,
        comment=None,
        reported_at=datetime(2026, 11, 15, 12, 0, tzinfo=UTC),
    )
    async with vendor(
        {"GetActiveOutages": no_events, "CHEventNotification": refuse}, oms_credentials
    ) as oms:
        with pytest.raises(OmsFault, match="Caller rejected") as caught:
            await oms.report_outage(call)

    assert not isinstance(caught.value, OmsNotFound)
    assert oms_credentials.user_id not in str(caught.value)


async def test_only_faults_about_a_missing_thing_are_not_found(
    oms_credentials: MultiSpeakCredentials, oms_scenario: OmsScenario
) -> None:
    async def unknown_location(body: Any) -> None:
        raise SoapFault(f"Unknown service location {body.servLoc!r}")

    async with vendor(
        {"GetOutageHistoryOnServiceLocation": unknown_location}, oms_credentials
    ) as oms:
        with pytest.raises(OmsNotFound, match="Unknown service location"):
            await oms.get_outage_history(oms_scenario.unknown_location)
        # This vendor does not offer GetOutageEventStatusByOutageLocation at all.
        with pytest.raises(OmsFault, match="not supported") as caught:
            await oms.get_outage_status(oms_scenario.unknown_location)

    assert not isinstance(caught.value, OmsNotFound)


async def test_a_server_error_is_a_fault(oms_credentials: MultiSpeakCredentials) -> None:
    async def broken(body: Any) -> None:
        raise RuntimeError("database is locked")

    async with vendor({"GetMethods": broken}, oms_credentials) as oms:
        with pytest.raises(OmsFault, match="Internal server error") as caught:
            await oms.get_methods()

    assert not isinstance(caught.value, OmsNotFound)
    assert "database is locked" not in str(caught.value)
