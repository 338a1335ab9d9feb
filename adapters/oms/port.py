"""The outage management system (OMS), as the rest of the world sees it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from adapters.errors import AdapterError, BackendFault, BackendUnavailable, NotFound


class OmsError(AdapterError):
    system = "oms"


class OmsUnavailable(OmsError, BackendUnavailable):
    pass


class OmsNotFound(OmsError, NotFound):
    pass


class OmsFault(OmsError, BackendFault):
    pass


class OutagePhase(StrEnum):
    """Where the co-op is in handling an outage event."""

    REPORTED = "reported"  # calls or meters say power is off; no crew yet
    DISPATCHED = "dispatched"  # a crew is on its way
    ON_SITE = "on_site"  # a crew is working on it
    RESTORED = "restored"


@dataclass(frozen=True, slots=True)
class OutageEvent:
    event_id: str
    phase: OutagePhase
    cause: str | None
    customers_affected: int
    started_at: datetime  # aware
    estimated_restoration: datetime | None
    restored_at: datetime | None
    substation: str | None
    feeder: str | None
    crew: str | None


@dataclass(frozen=True, slots=True)
class LocationOutageStatus:
    """Whether one service location has power, and the event if it does not."""

    location_id: str
    is_out: bool
    event: OutageEvent | None


@dataclass(frozen=True, slots=True)
class OutageCall:
    """A member's report that the power is off (MultiSpeak `callBackListItem`/CH event)."""

    location_id: str
    account_number: str
    phone: str | None
    caller_name: str | None
    comment: str | None
    reported_at: datetime  # aware


@dataclass(frozen=True, slots=True)
class CallReceipt:
    """What the OMS did with a call: the event it opened or joined."""

    event_id: str
    joined_existing_event: bool


class OmsPort(Protocol):
    async def get_methods(self) -> Sequence[str]: ...

    async def get_outage_status(self, location_id: str) -> LocationOutageStatus: ...

    async def get_active_outages(self) -> Sequence[OutageEvent]: ...

    async def get_outage_history(self, location_id: str) -> Sequence[OutageEvent]: ...

    async def report_outage(self, call: OutageCall) -> CallReceipt: ...

    async def aclose(self) -> None: ...
