"""A member reports that the power is off at one of their service locations."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.oms.port import CallReceipt, LocationOutageStatus, OmsPort, OutageCall
from adapters.rules.phone import normalize_phone
from gateway.core.invalidation import Invalidation
from gateway.core.loaders import DataLoaders
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.identity.policy import AccountAccess

logger = logging.getLogger("gateway.outage_reports")

MAX_COMMENT_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Reported:
    receipt: CallReceipt
    status: LocationOutageStatus


ReportOutcome = Reported | AccountHidden | FieldProblem


async def report_outage(
    *,
    access: AccountAccess,
    loaders: DataLoaders,
    oms: OmsPort,
    invalidate: Invalidation,
    request_id: str,
    account_number: str,
    location_id: str,
    contact_phone: str | None,
    comment: str | None,
    now: datetime | None = None,
) -> ReportOutcome:
    """Validate, tell the OMS, and forget the location's cached outage status.

    `invalidate` must forget through the same `loaders` that read the status back, or
    the answer would be the status from before the report.
    """
    if not await access.can_see(account_number):
        return AccountHidden()
    phone = None
    if contact_phone is not None and contact_phone.strip():
        phone = normalize_phone(contact_phone)
        if phone is None:
            return FieldProblem(
                "contactPhone", "Enter a ten-digit phone number, like 505-555-0142."
            )
    comment = comment.strip() if comment else None
    if comment is not None and len(comment) > MAX_COMMENT_LENGTH:
        return FieldProblem("comment", f"Keep the comment under {MAX_COMMENT_LENGTH} characters.")
    locations = await loaders.service_locations.load(account_number)
    if location_id not in {loc.location_id for loc in locations}:
        return FieldProblem("serviceLocationId", "This service location is not on the account.")

    logger.info(
        "request %s: reporting an outage at %s for account %s",
        request_id,
        location_id,
        account_number,
    )
    call = OutageCall(
        location_id=location_id,
        account_number=account_number,
        phone=phone,
        caller_name=None,
        comment=comment or None,
        reported_at=now or datetime.now(UTC),
    )
    await invalidate.before_outage_report(location_id=location_id)
    receipt = await oms.report_outage(call)
    # The report may have opened or joined an event: what was cached is wrong now.
    await invalidate.after_outage_report(location_id=location_id)
    status = await loaders.outage_status.load(location_id)
    logger.info(
        "request %s: outage report at %s is in event %s (joined existing: %s)",
        request_id,
        location_id,
        receipt.event_id,
        receipt.joined_existing_event,
    )
    return Reported(receipt, status)
