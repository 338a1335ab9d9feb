"""Signed webhooks: how the processor proves an event is its own, and how to check it.

The processor POSTs an event's JSON with a `Payment-Signature` header in the scheme of
`adapters.rules.signed_bodies`. A replay inside the tolerance carries an event id
already seen: the receiver keeps those ids (`WebhookEvent.id`) and ignores a repeat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Final

from adapters.payments.port import PaymentInvalid, WebhookEvent
from adapters.rules.signed_bodies import (
    DEFAULT_TOLERANCE_S,
    SignatureRefused,
    check_signature,
    signature,
    signature_header,
)

SIGNATURE_HEADER: Final = "Payment-Signature"


@dataclass(frozen=True, slots=True)
class SignedWebhook:
    """One webhook as it went over the wire: its `Payment-Signature` and its raw body."""

    signature: str
    body: bytes


class WebhookRejected(PaymentInvalid):
    """Not a genuine, recent event: refuse it (answer 400) and change nothing."""


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
    try:
        check_signature(secret, header, raw_body, now=now, tolerance_s=tolerance_s)
    except SignatureRefused as refused:
        raise WebhookRejected(str(refused)) from None
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


__all__ = [
    "DEFAULT_TOLERANCE_S",
    "SIGNATURE_HEADER",
    "SignedWebhook",
    "WebhookRejected",
    "parse_event",
    "signature",
    "signature_header",
    "verify",
]
