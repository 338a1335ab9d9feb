"""What a member is told about an outage at one of their service locations: that it
started, that the restoration estimate changed, that the power is back. A text names the
address, the cause when the crew knows it, and the estimated restoration time itself."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from adapters.cis.port import PostalAddress
from adapters.oms.port import OutageEvent
from adapters.oms.port import OutagePhase as Handling
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.payment_messages import Message
from gateway.notifications.types import OutagePhase


def street(address: PostalAddress) -> str:
    return f"{address.line1}, {address.city}"


def _when(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%b %-d, %-I:%M %p")


def outage_message(
    phase: OutagePhase,
    event: OutageEvent | None,
    address: PostalAddress,
    channel: ContactKind,
    zone: ZoneInfo,
) -> Message:
    where = street(address)
    if phase is OutagePhase.RESTORED:
        back = event.restored_at if event is not None else None
        at = f" at {_when(back, zone)}" if back is not None else ""
        body = f"Power is back on at {where}{at}. Thank you for your patience."
        if channel is ContactKind.EMAIL:
            body += " If you are still without power, please report it again."
        return Message(f"Power restored at {where}", body)
    assert event is not None, "only a restoration may be told without its event"
    cause = f" Cause: {event.cause}." if event.cause else ""
    estimate = (
        f" Estimated restoration: {_when(event.estimated_restoration, zone)}."
        if event.estimated_restoration is not None
        else " We do not have a restoration estimate yet."
    )
    if phase is OutagePhase.ESTIMATE_CHANGED:
        return Message(
            f"New restoration estimate for {where}",
            f"The outage at {where} has a new restoration estimate.{estimate}{cause}",
        )
    crews = f" A crew is {_crew(event)}." if _crew(event) else ""
    body = f"Power is out at {where}.{cause}{estimate}{crews}"
    if channel is ContactKind.EMAIL:
        body += " We will tell you when the estimate changes and when power is back."
    return Message(f"Power outage at {where}", body)


def _crew(event: OutageEvent) -> str | None:
    return _CREW.get(event.phase)


_CREW = {Handling.DISPATCHED: "on the way", Handling.ON_SITE: "on site"}
