"""The OMS stand-in over HTTP: each OA_Server operation, its Faults, and customer calls.

Every request is built from the WSDL and every answer checked against its schema
(see `oa_wire`), so these tests also prove the stand-in speaks valid MultiSpeak.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from adapters.oms.fake import STAND_IN_METHODS
from adapters.oms.port import OutageCall
from adapters.oms.wire import customer_call
from simulators.soap import MultiSpeakCredentials
from simulators.world import OutageEventStatus, World
from tests.fixtures.oms import OmsScenario, fresh_oms_path, serve_oms
from tests.simulators.oms.oa_wire import OaWire, children, text

ON_SITE = OutageEventStatus.ON_SITE
DISPATCHED = OutageEventStatus.DISPATCHED
REPORTED = OutageEventStatus.REPORTED


def _when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _call(location_id: str, *, call_id: str, at: datetime, **location: str) -> dict[str, object]:
    return {
        "objectID": call_id,
        "eventTime": at,
        "description": "No power since the wind picked up",
        "callType": "IVR",
        "location": {"servLoc": location_id, **location},
        "extensionsList": {
            "extensionsItem": [{"extName": "callerName", "extValue": "Dana Member"}]
        },
    }


async def test_get_methods_names_every_operation_served(oms_wire: OaWire) -> None:
    result = await oms_wire.result("GetMethods")
    assert result is not None
    assert tuple(e.text for e in children(result, "string")) == STAND_IN_METHODS


async def test_outage_status_by_location(oms_wire: OaWire, oms_scenario: OmsScenario) -> None:
    async def status(**location: str) -> str | None:
        result = await oms_wire.result("GetOutageStatusByLocation", location=location)
        assert result is not None
        return result.get("status")

    assert await status(servLoc=oms_scenario.out_location(ON_SITE)) == "Confirmed"
    assert await status(servLoc=oms_scenario.out_location(REPORTED)) == "Assumed"
    assert await status(servLoc=oms_scenario.quiet_feeder_locations[0]) == "NoOutage"
    assert await status(servLoc=oms_scenario.unknown_location) == "Unknown"


async def test_event_status_shows_the_crew_and_the_etor(
    oms_wire: OaWire, oms_scenario: OmsScenario
) -> None:
    on_site = oms_scenario.active[ON_SITE]
    result = await oms_wire.result(
        "GetOutageEventStatusByOutageLocation", location={"servLoc": on_site.location_ids[0]}
    )
    assert result is not None
    assert result.get("objectID") == on_site.event_id
    assert text(result, "outageStatus") == "Confirmed"
    assert text(result, "crewDispatched") == "true"
    assert text(result, "crewOnSite") == "true"
    assert _when(text(result, "ETOR")) == on_site.estimated_restoration
    assert text(result, "customerFound") == "true"

    dispatched = oms_scenario.active[DISPATCHED]
    result = await oms_wire.result(
        "GetOutageEventStatusByOutageLocation", location={"servLoc": dispatched.location_ids[0]}
    )
    assert result is not None
    assert (text(result, "crewDispatched"), text(result, "crewOnSite")) == ("true", "false")


async def test_event_status_finds_a_location_by_meter_or_account(
    oms_wire: OaWire, world: World, oms_scenario: OmsScenario
) -> None:
    single_location_accounts = {
        a.account_number for a in world.accounts if len(a.location_ids) == 1
    }
    out = {
        location_id: event.event_id
        for event in oms_scenario.active.values()
        for location_id in event.location_ids
    }
    location = next(
        loc
        for loc in world.locations
        if loc.location_id in out and loc.account_number in single_location_accounts
    )
    for named_by in (
        {"meterNo": location.meter_nos[0]},
        {"accountNumber": location.account_number},
    ):
        result = await oms_wire.result("GetOutageEventStatusByOutageLocation", location=named_by)
        assert result is not None
        assert result.get("objectID") == out[location.location_id]


async def test_event_status_of_an_unknown_or_quiet_location(
    oms_wire: OaWire, oms_scenario: OmsScenario
) -> None:
    unknown = await oms_wire.result(
        "GetOutageEventStatusByOutageLocation", location={"servLoc": oms_scenario.unknown_location}
    )
    assert unknown is not None
    assert text(unknown, "customerFound") == "false"
    quiet = await oms_wire.result(
        "GetOutageEventStatusByOutageLocation",
        location={"servLoc": oms_scenario.quiet_feeder_locations[0]},
    )
    assert quiet is not None
    assert text(quiet, "customerFound") == "true"
    assert text(quiet, "outageStatus") is None
    assert quiet.get("objectID") is None


async def test_an_account_with_two_locations_needs_a_serv_loc(
    oms_wire: OaWire, oms_scenario: OmsScenario
) -> None:
    answer = await oms_wire.send(
        "GetOutageEventStatusByOutageLocation",
        location={"accountNumber": oms_scenario.two_location_account},
    )
    assert answer.status_code == 500
    assert answer.fault == (
        "soap:Client",
        f"account '{oms_scenario.two_location_account}' has 2 service locations;"
        " name one with servLoc",
    )


async def test_outage_event_carries_what_the_oms_knows(
    oms_wire: OaWire, oms_scenario: OmsScenario
) -> None:
    event = oms_scenario.active[ON_SITE]
    result = await oms_wire.result("GetOutageEvent", outageEventID=event.event_id)
    assert result is not None
    assert result.get("objectID") == event.event_id
    assert text(result, "substationCode") == event.substation
    assert text(result, "feeder") == event.feeder
    assert text(result, "outageStatus") == "Confirmed"
    assert _when(text(result, "startTime")) == event.started_at
    assert _when(text(result, "ETOR")) == event.estimated_restoration
    first_dispatch = _when(text(result, "firstDispatch"))
    first_arrival = _when(text(result, "firstArrival"))
    assert first_dispatch is not None
    assert first_arrival is not None
    assert event.started_at < first_dispatch < first_arrival
    assert text(result, "completed") is None
    assert [c.text for c in children(result, "crewsDispatched/crewID")] == [event.crew]
    assert text(result, "outageReasonCodeList/OutageCause/description") == event.cause
    assert text(result, "customersAffected") == str(len(set(event.location_ids)))


async def test_an_unknown_outage_event_is_a_client_fault(oms_wire: OaWire) -> None:
    answer = await oms_wire.send("GetOutageEvent", outageEventID="OE-NOPE")
    assert answer.status_code == 500
    assert answer.fault == ("soap:Client", "Unknown outage event 'OE-NOPE'")


async def test_active_outages_are_the_unrestored_events(oms_wire: OaWire, world: World) -> None:
    active = sorted(
        (e for e in world.outage_events if e.restored_at is None),
        key=lambda e: (e.started_at, e.event_id),
    )
    ids = await oms_wire.result("GetActiveOutages")
    assert ids is not None
    assert [e.text for e in children(ids, "string")] == [e.event_id for e in active]
    events = await oms_wire.result("GetAllActiveOutageEvents", lastReceived="")
    assert events is not None
    assert [e.get("objectID") for e in children(events, "outageEvent")] == [
        e.event_id for e in active
    ]


@pytest.fixture
async def paging_oms_url(
    world: World, oms_database_dir: Path, oms_credentials: MultiSpeakCredentials
) -> AsyncIterator[str]:
    """A stand-in that answers one event per page."""
    path = fresh_oms_path(oms_database_dir)
    async with serve_oms(world, oms_credentials, path, page_size=1) as url:
        yield url


async def test_all_active_events_come_in_pages(
    wire_to: Callable[[str], OaWire], paging_oms_url: str, oms_scenario: OmsScenario
) -> None:
    wire = wire_to(paging_oms_url)
    seen: list[str] = []
    last = ""
    while True:
        page = await wire.result("GetAllActiveOutageEvents", lastReceived=last)
        ids = (
            [] if page is None else [e.get("objectID") or "" for e in children(page, "outageEvent")]
        )
        if not ids:
            break
        assert len(ids) == 1
        seen.extend(ids)
        last = ids[-1]
    assert sorted(seen) == sorted(e.event_id for e in oms_scenario.active.values())


async def test_history_on_a_service_location(
    oms_wire: OaWire, world: World, oms_scenario: OmsScenario
) -> None:
    location_id = oms_scenario.history_location
    expected = sorted(
        (e for e in world.outage_events if location_id in e.location_ids),
        key=lambda e: (e.started_at, e.event_id),
        reverse=True,
    )
    result = await oms_wire.result("GetOutageHistoryOnServiceLocation", servLoc=location_id)
    assert result is not None
    items = children(result, "outageDurationEvent")
    assert [text(i, "outageEventID") for i in items] == [e.event_id for e in expected]
    for item, event in zip(items, expected, strict=True):
        assert text(item, "servLoc") == location_id
        assert _when(text(item, "timeOfInterruption")) == event.started_at
        assert _when(text(item, "timeRestored")) == event.restored_at
        if event.restored_at is not None:
            minutes = int((event.restored_at - event.started_at).total_seconds() // 60)
            assert text(item, "interruptionDuration") == str(minutes)


async def test_customer_outage_history_covers_every_location_of_the_account(
    oms_wire: OaWire, world: World, oms_scenario: OmsScenario
) -> None:
    account = next(
        a for a in world.accounts if a.account_number == oms_scenario.two_location_account
    )
    expected = sorted(
        (e.event_id, location_id)
        for e in world.outage_events
        for location_id in account.location_ids
        if location_id in e.location_ids
    )
    result = await oms_wire.result(
        "GetCustomerOutageHistory", accountNumber=account.account_number, servLoc=None
    )
    items = [] if result is None else children(result, "outageDurationEvent")
    assert sorted((text(i, "outageEventID"), text(i, "servLoc")) for i in items) == expected

    one = await oms_wire.result(
        "GetCustomerOutageHistory",
        accountNumber=account.account_number,
        servLoc=account.location_ids[0],
    )
    one_items = [] if one is None else children(one, "outageDurationEvent")
    assert {text(i, "servLoc") for i in one_items} <= {account.location_ids[0]}


async def test_customer_outage_history_faults(
    oms_wire: OaWire, world: World, oms_scenario: OmsScenario
) -> None:
    location_id = oms_scenario.history_location
    wrong = await oms_wire.send(
        "GetCustomerOutageHistory", accountNumber="0000000", servLoc=location_id
    )
    assert wrong.fault == (
        "soap:Client",
        f"Unknown service location '{location_id}' on account '0000000'",
    )
    unknown = await oms_wire.send("GetOutageHistoryOnServiceLocation", servLoc="9999999-99")
    assert unknown.fault == ("soap:Client", "Unknown service location '9999999-99'")
    neither = await oms_wire.send("GetCustomerOutageHistory", accountNumber=None, servLoc=None)
    assert neither.fault[1] == "GetCustomerOutageHistory needs an accountNumber or a servLoc"


async def test_calls_open_then_join_an_outage(
    wire_to: Callable[[str], OaWire], fresh_oms_url: str, oms_scenario: OmsScenario
) -> None:
    wire = wire_to(fresh_oms_url)
    first, neighbour = oms_scenario.quiet_feeder_locations
    at = datetime(2026, 11, 15, 17, 5, tzinfo=UTC)

    taken = await wire.send(
        "CHEventNotification",
        chEvent={
            "customerCall": [_call(first, call_id="ivr-1", at=at, areaCode="505", phone="5550111")]
        },
    )
    assert taken.status_code == 200
    assert children(taken.body_element, "CHEventNotificationResult/errorObject") == []

    status = await wire.result("GetOutageEventStatusByOutageLocation", location={"servLoc": first})
    assert status is not None
    event_id = status.get("objectID")
    assert event_id == "OE-20261115-C001"
    assert text(status, "outageStatus") == "Assumed"
    assert text(status, "crewDispatched") == "false"

    await wire.send(
        "CHEventNotification",
        chEvent={"customerCall": [_call(neighbour, call_id="ivr-2", at=at)]},
    )
    await wire.send(
        "CHEventNotification",
        chEvent={"customerCall": [_call(neighbour, call_id="ivr-3", at=at)]},
    )
    joined = await wire.result(
        "GetOutageEventStatusByOutageLocation", location={"servLoc": neighbour}
    )
    assert joined is not None
    assert joined.get("objectID") == event_id

    active = await wire.result("GetActiveOutages")
    assert active is not None
    assert len(children(active, "string")) == len(oms_scenario.active) + 1
    event = await wire.result("GetOutageEvent", outageEventID=event_id)
    assert event is not None
    assert text(event, "customersAffected") == "2"
    assert _when(text(event, "startTime")) == at

    logs = await wire.result("GetCallsReceivedOnOutage", outageEventID=event_id, lastReceived="")
    assert logs is not None
    by_location = {
        text(log, "outageLocation/servLoc"): log for log in children(logs, "outageDetectionLog")
    }
    assert set(by_location) == {first, neighbour}
    assert text(by_location[first], "eventsLogged") == "1"
    assert text(by_location[neighbour], "eventsLogged") == "2"
    assert text(by_location[first], "outageLocation/areaCode") == "505"
    assert text(by_location[first], "outageLocation/phone") == "5550111"
    [logged] = children(by_location[first], "loggedODEventList/loggedOutageDetectionEvent")
    assert text(logged, "outageDetectionRecordID") == "ivr-1"
    assert text(logged, "description") == "No power since the wind picked up"


async def test_a_call_for_an_unknown_location_is_a_fault_and_records_nothing(
    wire_to: Callable[[str], OaWire], fresh_oms_url: str, oms_scenario: OmsScenario
) -> None:
    wire = wire_to(fresh_oms_url)
    at = datetime(2026, 11, 15, 17, 5, tzinfo=UTC)
    good = _call(oms_scenario.quiet_feeder_locations[0], call_id="ivr-1", at=at)
    bad = _call(oms_scenario.unknown_location, call_id="ivr-2", at=at)

    answer = await wire.send("CHEventNotification", chEvent={"customerCall": [good, bad]})

    assert answer.status_code == 500
    assert answer.fault == (
        "soap:Client",
        f"Unknown service location '{oms_scenario.unknown_location}'",
    )
    active = await wire.result("GetActiveOutages")
    assert active is not None
    assert len(children(active, "string")) == len(oms_scenario.active)


async def test_wrong_credentials_are_refused_without_echoing_them(
    oms_wire: OaWire, oms_credentials: MultiSpeakCredentials
) -> None:
    guessed = MultiSpeakCredentials(user_id=oms_credentials.user_id, password="guessed-Pa55")
    envelope = oms_wire.build("GetActiveOutages", credentials=guessed)
    answer = await oms_wire.post(envelope, "GetActiveOutages")
    code, message = answer.fault
    assert (answer.status_code, code) == (500, "soap:Client")
    assert "Authentication failed" in message
    assert "guessed-Pa55" not in message
    assert oms_credentials.password not in message


async def test_answers_never_carry_the_password(
    oms_wire: OaWire, oms_credentials: MultiSpeakCredentials
) -> None:
    answer = await oms_wire.send("GetMethods")
    assert oms_credentials.password.encode() not in etree.tostring(answer.envelope)


async def test_the_adapters_customer_call_is_valid_and_understood(
    wire_to: Callable[[str], OaWire], fresh_oms_url: str, world: World, oms_scenario: OmsScenario
) -> None:
    wire = wire_to(fresh_oms_url)
    location_id = oms_scenario.quiet_feeder_locations[0]
    location = next(loc for loc in world.locations if loc.location_id == location_id)
    call = OutageCall(
        location_id=location_id,
        account_number=location.account_number,
        phone="5055550199",
        caller_name="Sam Member",
        comment="Transformer hum, then dark",
        reported_at=datetime(2026, 11, 15, 19, 0, tzinfo=UTC),
    )

    answer = await wire.send(
        "CHEventNotification",
        chEvent={"customerCall": [customer_call(call, call_id="portal-xyz")]},
    )

    assert answer.status_code == 200
    logs = await wire.result(
        "GetCallsReceivedOnOutage", outageEventID="OE-20261115-C001", lastReceived=""
    )
    assert logs is not None
    [log] = children(logs, "outageDetectionLog")
    assert text(log, "outageLocation/areaCode") == "505"
    assert text(log, "outageLocation/phone") == "5550199"
    [logged] = children(log, "loggedODEventList/loggedOutageDetectionEvent")
    assert text(logged, "outageDetectionRecordID") == "portal-xyz"
    assert text(logged, "description") == "Transformer hum, then dark"
    assert _when(text(logged, "eventTime")) == call.reported_at
