"""Signed webhooks: how the processor proves an event is its own, and how to check it.

The processor POSTs an event's JSON with a header

    Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

Checking the HMAC over the raw bytes (not re-serialised JSON) proves who sent it;
checking `t` against the clock stops an old request from being replayed later. A
replay inside the tolerance carries an event id already seen: the receiver keeps
those ids (`WebhookEvent.id`) and ignores a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Final

from adapters.payments.port import PaymentInvalid, WebhookEvent

SIGNATURE_HEADER: Final = "Payment-Signature"
DEFAULT_TOLERANCE_S: Final = 300


@dataclass(frozen=True, slots=True)
class SignedWebhook:
    """One webhook as it went over the wire: its `Payment-Signature` and its raw body."""

    signature: str
    body: bytes


class WebhookRejected(PaymentInvalid):
    """Not a genuine, recent event: refuse it (answer 400) and change nothing."""


def signature(secret: str, timestamp: int, raw_body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + raw_body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, raw_body: bytes) -> str:
    """The `Payment-Signature` value for `raw_body` sent at `timestamp`."""
    return f"t={timestamp},v1={signature(secret, timestamp, raw_body)}"


def verify(
    secret: str,
    header: str | None,
    raw_body: bytes,
    *,
    now: datetime,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> WebhookEvent:
    """The event in `raw_body` if `header` signs it with `secret` within `tolerance_s`.

    Raises `WebhookRejected` for a missing or malformed header, a wrong signature, a
    timestamp further than `tolerance_s` from `now` (either way), or a body that is
    not an event. Several `v1=` entries (a secret being rotated) pass if one matches.
    """
    if not header:
        raise WebhookRejected("no signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookRejected("malformed signature header")
    expected = signature(secret, timestamp, raw_body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookRejected("signature does not match")
    if abs(now.timestamp() - timestamp) > tolerance_s:
        raise WebhookRejected("signature timestamp outside the tolerance")
    return parse_event(raw_body)


def parse_event(raw_body: bytes) -> WebhookEvent:
    try:
        payload = json.loads(raw_body)
        data = payload["data"]
        if not isinstance(data, dict):
            raise TypeError("data is not an object")
        return WebhookEvent(
            id=str(payload["id"]),
            type=str(payload["type"]),
            created=datetime.fromtimestamp(int(payload["created"]), UTC),
            data=MappingProxyType(data),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise WebhookRejected(f"not an event: {type(error).__name__}") from None
