"""Reading MultiSpeak OA_Server values into the port's dataclasses, and writing calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from adapters.oms import wire
from adapters.oms.port import OmsFault, OutageCall, OutagePhase

DENVER = ZoneInfo("America/Denver")
START = datetime(2026, 11, 15, 4, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "dispatched", "on_site", "phase"),
    [
        ("Assumed", False, False, OutagePhase.REPORTED),
        ("Confirmed", False, False, OutagePhase.REPORTED),
        ("Confirmed", True, False, OutagePhase.DISPATCHED),
        ("StillOut", True, True, OutagePhase.ON_SITE),
        ("Restored", True, True, OutagePhase.RESTORED),
        ("Restored", False, False, OutagePhase.RESTORED),
        (None, False, False, OutagePhase.REPORTED),
    ],
)
def test_phase_of(status: str | None, dispatched: bool, on_site: bool, phase: OutagePhase) -> None:
    assert wire.phase_of(status, dispatched=dispatched, on_site=on_site) is phase


def test_a_full_outage_event() -> None:
    event = wire.outage_event(
        {
            "objectID": "OE-1",
            "outageStatus": "Confirmed",
            "startTime": START,
            "firstDispatch": START + timedelta(minutes=20),
            "firstArrival": None,
            "ETOR": START + timedelta(hours=6),
            "completed": None,
            "substationCode": "Estancia",
            "feeder": "EST-2",
            "customersAffected": 37,
            "crewsDispatched": {"crewID": ["Line crew 4", "Tree crew 1"]},
            "outageReasonCodeList": {"OutageCause": {"description": "Tree contact"}},
            "outageDescription": "ignored when a cause is given",
        },
        naive_zone=UTC,
    )
    assert event.event_id == "OE-1"
    assert event.phase is OutagePhase.DISPATCHED
    assert event.cause == "Tree contact"
    assert event.customers_affected == 37
    assert event.started_at == START
    assert event.estimated_restoration == START + timedelta(hours=6)
    assert event.restored_at is None
    assert (event.substation, event.feeder) == ("Estancia", "EST-2")
    assert event.crew == "Line crew 4, Tree crew 1"


def test_a_sparse_outage_event() -> None:
    event = wire.outage_event({"objectID": " OE-2 ", "outageDefined": START}, naive_zone=UTC)
    assert event.event_id == "OE-2"
    assert event.phase is OutagePhase.REPORTED
    assert event.cause is None
    assert event.customers_affected == 0
    assert event.started_at == START
    assert (event.substation, event.feeder, event.crew) == (None, None, None)


@pytest.mark.parametrize("value", [{"startTime": START}, {"objectID": "OE-3"}, None, "OE-4"])
def test_an_event_without_id_or_start_is_a_fault(value: object) -> None:
    with pytest.raises(OmsFault, match="without an objectID or a startTime"):
        wire.outage_event(value, naive_zone=UTC)


def test_times_without_offset_are_in_the_configured_zone_and_come_back_in_utc() -> None:
    naive = datetime(2026, 11, 14, 21, 40)
    assert wire.instant(naive, naive_zone=DENVER) == START
    assert wire.instant(naive, naive_zone=DENVER).tzinfo is UTC  # type: ignore[union-attr]
    shifted = START.astimezone(timezone(timedelta(hours=-7)))
    assert wire.instant(shifted, naive_zone=DENVER) == START
    assert wire.instant(None, naive_zone=DENVER) is None
    with pytest.raises(OmsFault, match="where a dateTime belongs"):
        wire.instant("2026-11-15", naive_zone=DENVER)


@pytest.mark.parametrize(
    ("status", "out"),
    [
        ({"outageStatus": "Assumed", "objectID": "E"}, "E"),
        ({"outageStatus": "Confirmed", "objectID": "E"}, "E"),
        ({"outageStatus": "StillOut", "objectID": "E"}, "E"),
        ({"outageStatus": "Restored", "objectID": "E"}, None),
        ({"outageStatus": "Scheduled", "objectID": "E"}, None),
        ({"outageStatus": "NonPay", "objectID": "E"}, None),
        ({"customerFound": True}, None),
        (None, None),
    ],
)
def test_which_statuses_mean_the_power_is_off(status: object, out: str | None) -> None:
    assert wire.out_event_id(status) == out


def test_customer_found_is_false_only_when_said() -> None:
    assert wire.customer_found({"customerFound": False}) is False
    assert wire.customer_found({"customerFound": True}) is True
    assert wire.customer_found({}) is True


def test_event_ids_are_distinct_in_first_seen_order() -> None:
    items = [{"outageEventID": "B"}, {"outageEventID": "A"}, {"outageEventID": "B"}, {}]
    assert wire.event_ids(items, key="outageEventID") == ["B", "A"]
    assert wire.event_ids(["X", " ", "X", "Y"], key="") == ["X", "Y"]
    assert wire.event_ids(None, key="") == []


def _call(**changes: object) -> OutageCall:
    values: dict[str, object] = {
        "location_id": "2000100-01",
        "account_number": "2000100",
        "phone": "(505) 555-0142",
        "caller_name": "Robin Member",
        "comment": "Out since 6",
        "reported_at": START,
    }
    values.update(changes)
    return OutageCall(**values)  # type: ignore[arg-type]


def test_a_call_as_a_customer_call() -> None:
    value = wire.customer_call(_call(), call_id="portal-1")
    assert value == {
        "objectID": "portal-1",
        "eventTime": START,
        "callType": "Other",
        "description": "Out since 6",
        "location": {
            "servLoc": "2000100-01",
            "accountNumber": "2000100",
            "areaCode": "505",
            "phone": "5550142",
        },
        "extensionsList": {
            "extensionsItem": [
                {"extName": "callerName", "extValue": "Robin Member", "extType": "string"}
            ]
        },
    }


def test_a_bare_call_sends_only_what_it_has() -> None:
    value = wire.customer_call(
        _call(phone="+44 20 7946 0000", caller_name=None, comment=None), call_id="portal-2"
    )
    assert value["location"] == {
        "servLoc": "2000100-01",
        "accountNumber": "2000100",
        "phone": "+44 20 7946 0000",
    }
    assert "description" not in value
    assert "extensionsList" not in value
