"""The OMS stand-in's records in MultiSpeak 3.0 OA_Server shapes, and back.

Values are plain dicts that zeep serializes against the WSDL's types, so the XML
the stand-in sends is exactly what the schema allows. How the event's phase shows
on the wire, as a real OMS shows it: `outageStatus` Assumed while only calls say
the power is off, Confirmed once a crew is on it, Restored at the end; the crew's
progress is in `firstDispatch` and `firstArrival` (and in the `crewDispatched` and
`crewOnSite` flags of an `outageEventStatus`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from simulators.oms.logic import CallRecord, EventRecord, LocationQuery, LocationRecord
from simulators.world import OutageEventStatus

OUTAGE_STATUS = {
    OutageEventStatus.REPORTED: "Assumed",
    OutageEventStatus.DISPATCHED: "Confirmed",
    OutageEventStatus.ON_SITE: "Confirmed",
    OutageEventStatus.RESTORED: "Restored",
}


def _text(value: Any) -> str | None:
    """A zeep string field as given, or None when absent or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def location_query(location: Any) -> LocationQuery:
    """Read an `outageLocation` (servLoc, else meterNo, else accountNumber)."""
    if location is None:
        return LocationQuery()
    return LocationQuery(
        location_id=_text(getattr(location, "servLoc", None)),
        meter_no=_text(getattr(location, "meterNo", None)),
        account_number=_text(getattr(location, "accountNumber", None)),
    )


def outage_event(event: EventRecord) -> dict[str, Any]:
    value: dict[str, Any] = {
        "objectID": event.event_id,
        "substationCode": event.substation,
        "feeder": event.feeder,
        "outageDescription": event.cause or "Under investigation",
        "outageStatus": OUTAGE_STATUS[event.phase],
        "startTime": event.started_at,
        "outageDefined": event.started_at,
        "firstDispatch": event.dispatched_at,
        "firstArrival": event.on_site_at,
        "ETOR": event.estimated_restoration,
        "completed": event.restored_at,
        "isPlanned": (event.cause or "").startswith("Planned"),
        "customersAffected": event.customers_affected,
        "customersRestored": 0 if event.is_active else event.customers_affected,
    }
    if event.crew is not None:
        value["crewsDispatched"] = {"crewID": [event.crew]}
    if event.cause is not None:
        value["outageReasonCodeList"] = {"OutageCause": {"description": event.cause}}
    return {key: item for key, item in value.items() if item is not None}


def outage_event_status(event: EventRecord | None, *, customer_found: bool) -> dict[str, Any]:
    """The status of the event at a location; no event means the power is on there."""
    if event is None:
        return {"customerFound": customer_found}
    value: dict[str, Any] = {
        "objectID": event.event_id,
        "outageStatus": OUTAGE_STATUS[event.phase],
        "crewDispatched": event.dispatched_at is not None,
        "crewOnSite": event.on_site_at is not None,
        "ETOR": event.estimated_restoration,
        "customerFound": customer_found,
    }
    return {key: item for key, item in value.items() if item is not None}


def location_status(event: EventRecord | None) -> dict[str, str]:
    return {"status": "NoOutage" if event is None else OUTAGE_STATUS[event.phase]}


def _duration_display(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def outage_duration_event(event: EventRecord, location: LocationRecord) -> dict[str, Any]:
    value: dict[str, Any] = {
        "objectID": f"{event.event_id}/{location.location_id}",
        "outageEventID": event.event_id,
        "outageDescription": event.cause or "Under investigation",
        "meterNo": location.meter_nos[0] if location.meter_nos else None,
        "servLoc": location.location_id,
        "accountNumber": location.account_number,
        "timeOfInterruption": event.started_at,
        "timeRestored": event.restored_at,
        "customerResponsible": False,
    }
    if event.restored_at is not None:
        minutes = int((event.restored_at - event.started_at).total_seconds() // 60)
        value["interruptionDuration"] = minutes
        value["durationDisplay"] = _duration_display(minutes)
    return {key: item for key, item in value.items() if item is not None}


def outage_duration_events(
    events: list[tuple[EventRecord, LocationRecord]],
) -> dict[str, Any]:
    return {"outageDurationEvent": [outage_duration_event(e, loc) for e, loc in events]}


def outage_detection_logs(calls: list[CallRecord]) -> dict[str, Any]:
    """Calls on one event, grouped per location (MultiSpeak `outageDetectionLogList`)."""
    by_location: dict[str, list[CallRecord]] = {}
    for call in calls:
        by_location.setdefault(call.location_id, []).append(call)
    logs = []
    for location_id, taken in by_location.items():
        first, last = taken[0], taken[-1]
        logs.append(
            {
                "objectID": f"{first.event_id}/{location_id}",
                "loggedODEventList": {
                    "loggedOutageDetectionEvent": [_logged_call(call) for call in taken]
                },
                "outageLocation": {
                    "servLoc": location_id,
                    "accountNumber": first.account_number,
                    **_phone_parts(first.phone),
                },
                "timeTroubleBegan": first.reported_at,
                "timeOfInitialEvent": first.reported_at,
                "timeOfLastEvent": last.reported_at,
                "eventsLogged": len(taken),
            }
        )
    return {"outageDetectionLog": logs}


def _phone_parts(phone: str | None) -> dict[str, str]:
    """A North American number as MultiSpeak's areaCode and phone; others as given."""
    if not phone:
        return {}
    if len(phone) == 10 and phone.isdigit():
        return {"areaCode": phone[:3], "phone": phone[3:]}
    return {"phone": phone}


def _logged_call(call: CallRecord) -> dict[str, Any]:
    value: dict[str, Any] = {
        "objectID": call.call_id,
        "outageDetectionRecordID": call.call_id,
        "eventTime": call.reported_at,
        "outageDetectDeviceType": "Call",
        "outageEventType": "Outage",
        "callType": "Call",
        "description": call.comment,
    }
    return {key: item for key, item in value.items() if item is not None}


def aware(value: datetime | None) -> datetime | None:
    """A dateTime from a request; one without an offset is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
