"""Outage status of service locations, and members reporting an outage."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry

from adapters.oms import port
from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import AccountNotFound, ValidationError
from gateway.api.scalars import local, local_or_none
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.outages import reports as outage_reports


@strawberry.enum
class OutagePhase(Enum):
    REPORTED = "reported"
    DISPATCHED = "dispatched"
    ON_SITE = "on_site"
    RESTORED = "restored"


@strawberry.type
class OutageEvent:
    id: str
    phase: OutagePhase
    cause: str | None
    customers_affected: int
    crew: str | None
    started_at: datetime
    estimated_restoration: datetime | None
    restored_at: datetime | None

    @classmethod
    def of(cls, event: port.OutageEvent, zone: ZoneInfo) -> OutageEvent:
        return cls(
            id=event.event_id,
            phase=OutagePhase[event.phase.name],
            cause=event.cause,
            customers_affected=event.customers_affected,
            crew=event.crew,
            started_at=local(event.started_at, zone),
            estimated_restoration=local_or_none(event.estimated_restoration, zone),
            restored_at=local_or_none(event.restored_at, zone),
        )


@strawberry.type
class LocationOutageStatus:
    service_location_id: str
    is_out: bool
    event: OutageEvent | None

    @classmethod
    def of(cls, status: port.LocationOutageStatus, zone: ZoneInfo) -> LocationOutageStatus:
        return cls(
            service_location_id=status.location_id,
            is_out=status.is_out,
            event=OutageEvent.of(status.event, zone) if status.event else None,
        )


@strawberry.input
class ReportOutageInput:
    account_number: str
    service_location_id: str
    contact_phone: str | None = None
    comment: str | None = None


@strawberry.type
class ReportOutageSuccess:
    event_id: str
    joined_existing_event: bool
    status: LocationOutageStatus


ReportOutageResult = Annotated[
    ReportOutageSuccess | AccountNotFound | ValidationError,
    strawberry.union("ReportOutageResult"),
]


@strawberry.type
class OutageMutations:
    @described_mutation("Tell the co-op the power is off at a service location.")
    async def report_outage(
        self, info: GatewayInfo, input: ReportOutageInput
    ) -> ReportOutageResult | None:
        context = info.context
        outcome = await outage_reports.report_outage(
            access=context.access,
            loaders=context.loaders,
            oms=context.adapters.oms,
            invalidate=context.invalidate,
            request_id=context.request_id,
            account_number=input.account_number,
            location_id=input.service_location_id,
            contact_phone=input.contact_phone,
            comment=input.comment,
        )
        if isinstance(outcome, AccountHidden):
            return AccountNotFound(number=input.account_number)
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        return ReportOutageSuccess(
            event_id=outcome.receipt.event_id,
            joined_existing_event=outcome.receipt.joined_existing_event,
            status=LocationOutageStatus.of(outcome.status, context.zone),
        )
