"""The OA_Server operations the stand-in implements, on top of `OutageManagement`.

Each handler gets the zeep-parsed request body and returns the value of its
`...Result` element. Requests that name nothing the OMS knows become SOAP Faults;
the status queries answer "not found" in the schema's own terms instead
(`customerFound` false, location status Unknown), as the standard intends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from simulators.oms import wire
from simulators.oms.logic import (
    EventRecord,
    IncomingCall,
    LocationQuery,
    LocationRecord,
    OutageManagement,
    UnclearLocation,
    UnknownLocation,
)
from simulators.soap import SoapFault

Handler = Callable[[Any], Awaitable[Any]]

CALLER_NAME_EXTENSION = "callerName"


def _field(body: Any, name: str) -> Any:
    """One part of a request body, however zeep handed it over (object or dict)."""
    if body is None:
        return None
    if isinstance(body, Mapping):
        return body.get(name)
    return getattr(body, name, None)


def _text(body: Any, name: str) -> str | None:
    value = _field(body, name)
    if value is None:
        return None
    return str(value).strip() or None


def _items(value: Any, name: str) -> list[Any]:
    """The repeated children of an ArrayOfX value (zeep gives a list, or None)."""
    items = _field(value, name)
    if items is None:
        return []
    return list(items) if isinstance(items, list | tuple) else [items]


class OaServerHandlers:
    def __init__(self, oms: OutageManagement, *, page_size: int) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._oms = oms
        self._page_size = page_size

    def mapping(self) -> dict[str, Handler]:
        return {
            "GetMethods": self.get_methods,
            "GetOutageStatusByLocation": self.get_outage_status_by_location,
            "GetOutageEventStatusByOutageLocation": self.get_event_status_by_location,
            "GetOutageEvent": self.get_outage_event,
            "GetActiveOutages": self.get_active_outages,
            "GetAllActiveOutageEvents": self.get_all_active_outage_events,
            "GetOutageHistoryOnServiceLocation": self.get_history_on_service_location,
            "GetCustomerOutageHistory": self.get_customer_outage_history,
            "GetCallsReceivedOnOutage": self.get_calls_received_on_outage,
            "CHEventNotification": self.ch_event_notification,
        }

    async def get_methods(self, body: Any) -> dict[str, Any]:
        return {"string": list(self.mapping())}

    async def get_outage_status_by_location(self, body: Any) -> dict[str, str]:
        try:
            location = await self._oms.locate(wire.location_query(_field(body, "location")))
        except UnknownLocation:
            return {"status": "Unknown"}
        except UnclearLocation as exc:
            raise SoapFault(str(exc)) from None
        return wire.location_status(await self._oms.active_event_at(location.location_id))

    async def get_event_status_by_location(self, body: Any) -> dict[str, Any]:
        try:
            location = await self._oms.locate(wire.location_query(_field(body, "location")))
        except UnknownLocation:
            return wire.outage_event_status(None, customer_found=False)
        except UnclearLocation as exc:
            raise SoapFault(str(exc)) from None
        event = await self._oms.active_event_at(location.location_id)
        return wire.outage_event_status(event, customer_found=True)

    async def get_outage_event(self, body: Any) -> dict[str, Any]:
        return wire.outage_event(await self._event(_text(body, "outageEventID")))

    async def get_active_outages(self, body: Any) -> dict[str, Any]:
        return {"string": [event.event_id for event in await self._oms.active_events()]}

    async def get_all_active_outage_events(self, body: Any) -> dict[str, Any]:
        # Paged as the standard describes: the caller repeats with the objectID of
        # the last event it got until a page comes back empty.
        events = await self._oms.active_events(after_event_id=_text(body, "lastReceived") or "")
        page = events[: self._page_size]
        return {"outageEvent": [wire.outage_event(event) for event in page]}

    async def get_history_on_service_location(self, body: Any) -> dict[str, Any]:
        location = await self._locate(LocationQuery(location_id=_text(body, "servLoc")))
        return await self._history([location])

    async def get_customer_outage_history(self, body: Any) -> dict[str, Any]:
        account_number = _text(body, "accountNumber")
        location_id = _text(body, "servLoc")
        if location_id is not None:
            location = await self._locate(LocationQuery(location_id=location_id))
            if account_number is not None and location.account_number != account_number:
                raise SoapFault(
                    f"Unknown service location {location_id!r} on account {account_number!r}"
                )
            return await self._history([location])
        if account_number is None:
            raise SoapFault("GetCustomerOutageHistory needs an accountNumber or a servLoc")
        locations = await self._oms.locations_on_account(account_number)
        if not locations:
            raise SoapFault(f"Unknown account {account_number!r}")
        return await self._history(locations)

    async def get_calls_received_on_outage(self, body: Any) -> dict[str, Any]:
        event = await self._event(_text(body, "outageEventID"))
        logs = wire.outage_detection_logs(await self._oms.calls_on_event(event.event_id))
        after = _text(body, "lastReceived")
        if after is not None:
            ids = [log["objectID"] for log in logs["outageDetectionLog"]]
            start = ids.index(after) + 1 if after in ids else len(ids)
            logs["outageDetectionLog"] = logs["outageDetectionLog"][start:]
        return logs

    async def ch_event_notification(self, body: Any) -> dict[str, Any]:
        calls = [
            self._incoming_call(item) for item in _items(_field(body, "chEvent"), "customerCall")
        ]
        if not calls:
            raise SoapFault("CHEventNotification carries no customerCall")
        # Every location is checked before any call is taken, so a bad item in a
        # batch leaves nothing half-recorded.
        for call in calls:
            await self._locate(call.location)
        for call in calls:
            await self._oms.report(call)
        return {"errorObject": []}

    async def _locate(self, query: LocationQuery) -> LocationRecord:
        try:
            return await self._oms.locate(query)
        except (UnknownLocation, UnclearLocation) as exc:
            raise SoapFault(str(exc)) from None

    async def _event(self, event_id: str | None) -> EventRecord:
        if event_id is None:
            raise SoapFault("an outageEventID is required")
        event = await self._oms.event(event_id)
        if event is None:
            raise SoapFault(f"Unknown outage event {event_id!r}")
        return event

    async def _history(self, locations: list[LocationRecord]) -> dict[str, Any]:
        found: list[tuple[EventRecord, LocationRecord]] = []
        for location in locations:
            found.extend(
                (event, location) for event in await self._oms.history(location.location_id)
            )
        found.sort(key=lambda pair: (pair[0].started_at, pair[0].event_id), reverse=True)
        return wire.outage_duration_events(found)

    @staticmethod
    def _incoming_call(item: Any) -> IncomingCall:
        location = _field(item, "location")
        area_code = _text(location, "areaCode") or ""
        phone = _text(location, "phone")
        caller_name = None
        for extension in _items(_field(item, "extensionsList"), "extensionsItem"):
            if _text(extension, "extName") == CALLER_NAME_EXTENSION:
                caller_name = _text(extension, "extValue")
        event_time = _field(item, "eventTime")
        reported_at = wire.aware(event_time) if isinstance(event_time, datetime) else None
        return IncomingCall(
            location=wire.location_query(location),
            reported_at=reported_at or datetime.now(UTC),
            call_id=_text(item, "objectID"),
            phone=f"{area_code}{phone}" if phone else None,
            caller_name=caller_name,
            comment=_text(item, "description"),
        )
