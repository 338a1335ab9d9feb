"""The test numbers every implementation (the fake, the stand-in) treats alike.

They are in area code 500, exchange 555, which no handset answers: a provider's test
mode can use them without texting anyone.
"""

from __future__ import annotations

from typing import Final

from adapters.rules.phone import parse_phone
from adapters.sms.port import MessageStatus, RejectReason
from adapters.sms.segments import MAX_SEGMENTS, segment_count

FROM_NUMBER: Final = "+15005550100"  # the co-op's number in tests and the demo
INVALID_NUMBER: Final = "+15005550001"  # refused at send: not a mobile number
OPTED_OUT_NUMBER: Final = "+15005550004"  # refused at send: texted STOP at the carrier
FAILING_NUMBER: Final = "+15005550006"  # accepted, then failed (never leaves the provider)
UNREACHABLE_NUMBER: Final = "+15005550009"  # accepted and sent, then undelivered

ERROR_FAILED: Final = "30008"  # the common API's "unknown error"
ERROR_UNREACHABLE: Final = "30003"  # "unreachable destination handset"


def refusal(to: str, body: str) -> RejectReason | None:
    """Why a provider refuses this send outright, or None when it accepts it.

    A number must be written in E.164 and be North American (`adapters.rules.phone`):
    the co-op texts its own members, and a number the CIS could not keep is a mistake.
    """
    phone = parse_phone(to)
    if phone is None or phone.e164 != to or to == INVALID_NUMBER:
        return RejectReason.INVALID_NUMBER
    if to == OPTED_OUT_NUMBER:
        return RejectReason.OPTED_OUT
    if segment_count(body) > MAX_SEGMENTS:
        return RejectReason.BODY_TOO_LONG
    return None


def journey(to: str) -> tuple[tuple[MessageStatus, ...], str | None]:
    """The statuses an accepted message to `to` goes through after QUEUED, and the
    error code of its last one."""
    if to == FAILING_NUMBER:
        return (MessageStatus.FAILED,), ERROR_FAILED
    if to == UNREACHABLE_NUMBER:
        return (MessageStatus.SENT, MessageStatus.UNDELIVERED), ERROR_UNREACHABLE
    return (MessageStatus.SENT, MessageStatus.DELIVERED), None
