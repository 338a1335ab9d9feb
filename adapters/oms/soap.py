"""The OMS port over MultiSpeak 3.0 OA_Server (SOAP 1.1).

A location's status is GetOutageEventStatusByOutageLocation (is it out, and in
which event) then GetOutageEvent (the event itself); the active outages are
GetAllActiveOutageEvents, paged with lastReceived; a location's history is
GetOutageHistoryOnServiceLocation, whose events are read with GetOutageEvent; a
report is CHEventNotification, with GetActiveOutages before it and the location's
event status after it to tell which event took the call.

MultiSpeak 3.0 has no "not found" reply: an OMS says `customerFound` false, or
sends a Fault whose text names the unknown thing; `not_found_fault` tells those
Faults from the others.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any, Final
from uuid import uuid4

import httpx

from adapters.multispeak import MultiSpeakClient, MultiSpeakEndpoint, call, load_wsdl_client
from adapters.oms import wire
from adapters.oms.port import (
    CallReceipt,
    LocationOutageStatus,
    OmsError,
    OmsFault,
    OmsNotFound,
    OmsUnavailable,
    OutageCall,
    OutageEvent,
)

WSDL_PATH: Final = Path(__file__).with_name("OA_Server.wsdl")
# What this adapter calls; compare with the server's GetMethods to see that it fits.
OPERATIONS_USED: Final = (
    "GetMethods",
    "GetOutageEventStatusByOutageLocation",
    "GetOutageEvent",
    "GetActiveOutages",
    "GetAllActiveOutageEvents",
    "GetOutageHistoryOnServiceLocation",
    "CHEventNotification",
)
# Fault texts that mean "no such thing" (and not, say, "Unknown operation").
NOT_FOUND_FAULT: Final = re.compile(
    r"\b(unknown|no such) (service location|location|account|meter|outage event)\b"
    r"|\b(service location|location|account|meter|outage event) \S+ (was )?not found\b",
    re.IGNORECASE,
)
MAX_PAGES: Final = 1000  # a server that never stops paging is a broken one
EVENT_READS_AT_ONCE: Final = 8


class SoapOms:
    """`OmsPort` against a MultiSpeak 3.0 OA_Server."""

    def __init__(
        self,
        client: MultiSpeakClient,
        *,
        naive_time_zone: tzinfo = UTC,
        not_found_fault: re.Pattern[str] = NOT_FOUND_FAULT,
    ) -> None:
        self._client = client
        self._naive_zone = naive_time_zone
        self._not_found_fault = not_found_fault
        self._event_reads = asyncio.Semaphore(EVENT_READS_AT_ONCE)

    @classmethod
    async def create(
        cls,
        *,
        endpoint: MultiSpeakEndpoint,
        http: httpx.AsyncBaseTransport | None = None,
        naive_time_zone: tzinfo = UTC,
        not_found_fault: re.Pattern[str] = NOT_FOUND_FAULT,
    ) -> SoapOms:
        """Parse the WSDL (in a thread: it takes a while) and bind it to `endpoint`.

        `naive_time_zone` is where the OMS's dateTimes without an offset are meant.
        """
        client = await asyncio.to_thread(load_wsdl_client, WSDL_PATH, endpoint, http)
        return cls(client, naive_time_zone=naive_time_zone, not_found_fault=not_found_fault)

    def __repr__(self) -> str:
        return f"SoapOms(url={self._client.endpoint.url!r})"

    async def get_methods(self) -> Sequence[str]:
        result = await self._call("GetMethods")
        return [name for name in (_mapping(result).get("string") or []) if name]

    async def get_outage_status(self, location_id: str) -> LocationOutageStatus:
        _require_location(location_id)
        status = await self._event_status_at(location_id)
        event_id = wire.out_event_id(status)
        if event_id is None:
            return LocationOutageStatus(location_id=location_id, is_out=False, event=None)
        event = await self._event(event_id)
        return LocationOutageStatus(location_id=location_id, is_out=True, event=event)

    async def get_active_outages(self) -> Sequence[OutageEvent]:
        events: dict[str, OutageEvent] = {}
        last_received = ""
        for _ in range(MAX_PAGES):
            result = await self._call("GetAllActiveOutageEvents", lastReceived=last_received)
            page = [
                wire.outage_event(item, naive_zone=self._naive_zone)
                for item in _mapping(result).get("outageEvent") or []
            ]
            fresh = [event for event in page if event.event_id not in events]
            if not fresh:  # an empty page, or a server that ignores lastReceived
                return list(events.values())
            events.update((event.event_id, event) for event in fresh)
            last_received = page[-1].event_id
        raise OmsFault(f"GetAllActiveOutageEvents did not finish within {MAX_PAGES} pages")

    async def get_outage_history(self, location_id: str) -> Sequence[OutageEvent]:
        _require_location(location_id)
        result = await self._call("GetOutageHistoryOnServiceLocation", servLoc=location_id)
        ids = wire.event_ids(_mapping(result).get("outageDurationEvent"), key="outageEventID")
        # Every read finishes before a failure is raised, so none is left running.
        events = await asyncio.gather(
            *(self._event(event_id) for event_id in ids), return_exceptions=True
        )
        for event in events:
            if isinstance(event, BaseException):
                raise event
        return [event for event in events if isinstance(event, OutageEvent)]

    async def report_outage(self, call: OutageCall) -> CallReceipt:
        _require_location(call.location_id)
        if call.reported_at.tzinfo is None:
            raise ValueError("OutageCall.reported_at must be timezone-aware")
        # MultiSpeak 3.0 acknowledges a call with an empty error list and nothing
        # else, so the event comes from asking where the location now stands; it was
        # joined if it was already active before the call. Two members' first calls
        # on one feeder at the same instant may both read as having opened it.
        active_before = set(await self._active_event_ids())
        customer_call = wire.customer_call(call, call_id=f"portal-{uuid4()}")
        result = await self._call("CHEventNotification", chEvent={"customerCall": [customer_call]})
        errors = _mapping(result).get("errorObject") or []
        if errors:
            raise self._fault_from(self._client.endpoint.scrub(_errors_text(errors)))
        event_id = wire.out_event_id(await self._event_status_at(call.location_id))
        if event_id is None:
            raise OmsFault("the OMS took the call but shows no outage event at the location")
        return CallReceipt(event_id=event_id, joined_existing_event=event_id in active_before)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _event_status_at(self, location_id: str) -> Any:
        status = await self._call(
            "GetOutageEventStatusByOutageLocation", location={"servLoc": location_id}
        )
        if not wire.customer_found(status):
            raise OmsNotFound(f"the OMS has no service location {location_id!r}")
        return status

    async def _event(self, event_id: str) -> OutageEvent:
        async with self._event_reads:
            result = await self._call("GetOutageEvent", outageEventID=event_id)
        return wire.outage_event(result, naive_zone=self._naive_zone)

    async def _active_event_ids(self) -> list[str]:
        result = await self._call("GetActiveOutages")
        return wire.event_ids(_mapping(result).get("string"), key="")

    async def _call(self, operation: str, **arguments: Any) -> Any:
        try:
            return await call(
                self._client, operation, arguments, unavailable=OmsUnavailable, fault=OmsFault
            )
        except OmsFault as exc:
            raise self._fault_from(str(exc)) from None

    def _fault_from(self, message: str) -> OmsError:
        if self._not_found_fault.search(message):
            return OmsNotFound(message)
        return OmsFault(message)


def _require_location(location_id: str) -> None:
    if not location_id or not location_id.strip():
        raise ValueError("a service location id is required")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _errors_text(errors: Sequence[Any]) -> str:
    texts = [str(_mapping(error).get("errorString") or "error") for error in errors]
    return "CHEventNotification: " + "; ".join(texts)
