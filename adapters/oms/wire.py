"""MultiSpeak 3.0 OA_Server values (as plain dicts) to the OMS port's dataclasses, and back.

Vendors show an event's progress differently; what this reads, in order of trust:
`outageStatus` Restored ends it; a crew's arrival (`firstArrival`, or `crewOnSite`)
means on site; a dispatch (`firstDispatch`, or `crewDispatched`) means dispatched;
anything else still open is a reported outage.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from adapters.oms.port import OmsFault, OutageCall, OutageEvent, OutagePhase
from adapters.rules.phone import parse_phone

RESTORED = "Restored"
# Statuses that mean the power is off now; Scheduled (planned, maybe later),
# NonPay (a disconnect, not an outage), NoOutage, Unknown and Other do not.
POWER_OFF_STATUSES = frozenset({"Assumed", "Confirmed", "StillOut"})
CALLER_NAME_EXTENSION = "callerName"
# The gateway's reports come from members on the web or the app, not a phone call.
PORTAL_CALL_TYPE = "Other"


def phase_of(status: str | None, *, dispatched: bool, on_site: bool) -> OutagePhase:
    if status == RESTORED:
        return OutagePhase.RESTORED
    if on_site:
        return OutagePhase.ON_SITE
    if dispatched:
        return OutagePhase.DISPATCHED
    return OutagePhase.REPORTED


def instant(value: Any, *, naive_zone: tzinfo) -> datetime | None:
    """An xsd:dateTime as an aware UTC datetime; one without an offset is in `naive_zone`."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise OmsFault(f"the OMS sent {type(value).__name__} where a dateTime belongs")
    moment: datetime = value if value.tzinfo else value.replace(tzinfo=naive_zone)
    return moment.astimezone(UTC)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _crew(event: Mapping[str, Any]) -> str | None:
    crews = [
        c
        for c in (_text(v) for v in _mapping(event.get("crewsDispatched")).get("crewID") or [])
        if c
    ]
    return ", ".join(crews) if crews else None


def _cause(event: Mapping[str, Any]) -> str | None:
    reasons = _mapping(event.get("outageReasonCodeList"))
    return _text(_mapping(reasons.get("OutageCause")).get("description"))


def outage_event(event: Any, *, naive_zone: tzinfo) -> OutageEvent:
    """Read an `outageEvent`; its objectID is the event id."""
    value = _mapping(event)
    event_id = _text(value.get("objectID"))
    started_at = instant(
        value.get("startTime") or value.get("outageDefined"), naive_zone=naive_zone
    )
    if event_id is None or started_at is None:
        raise OmsFault("the OMS sent an outage event without an objectID or a startTime")
    return OutageEvent(
        event_id=event_id,
        phase=phase_of(
            _text(value.get("outageStatus")),
            dispatched=value.get("firstDispatch") is not None,
            on_site=value.get("firstArrival") is not None,
        ),
        cause=_cause(value),
        customers_affected=int(value.get("customersAffected") or 0),
        started_at=started_at,
        estimated_restoration=instant(value.get("ETOR"), naive_zone=naive_zone),
        restored_at=instant(value.get("completed"), naive_zone=naive_zone),
        substation=_text(value.get("substationCode")),
        feeder=_text(value.get("feeder")),
        crew=_crew(value),
    )


def out_event_id(status: Any) -> str | None:
    """The event an `outageEventStatus` says the location is out in, if it is out."""
    value = _mapping(status)
    if _text(value.get("outageStatus")) not in POWER_OFF_STATUSES:
        return None
    return _text(value.get("objectID"))


def customer_found(status: Any) -> bool:
    """`customerFound` false means the OMS does not know the location; absent means it does."""
    return _mapping(status).get("customerFound") is not False


def event_ids(values: Any, *, key: str) -> list[str]:
    """Distinct ids from a list of dicts (or strings when `key` is empty), first seen first."""
    seen: dict[str, None] = {}
    for item in values or []:
        event_id = _text(item if not key else _mapping(item).get(key))
        if event_id is not None:
            seen.setdefault(event_id)
    return list(seen)


def customer_call(call: OutageCall, *, call_id: str) -> dict[str, Any]:
    """An OutageCall as a MultiSpeak `customerCall` for CHEventNotification."""
    location: dict[str, Any] = {"servLoc": call.location_id, "accountNumber": call.account_number}
    if call.phone:
        number = parse_phone(call.phone)
        if number is not None:
            location["areaCode"], location["phone"] = number.area_code, number.local_number
        else:  # not North American: the OMS gets it as written
            location["phone"] = call.phone
    value: dict[str, Any] = {
        "objectID": call_id,
        "eventTime": call.reported_at,
        "callType": PORTAL_CALL_TYPE,
        "location": location,
    }
    if call.comment:
        value["description"] = call.comment
    if call.caller_name:
        value["extensionsList"] = {
            "extensionsItem": [
                {
                    "extName": CALLER_NAME_EXTENSION,
                    "extValue": call.caller_name,
                    "extType": "string",
                }
            ]
        }
    return value
