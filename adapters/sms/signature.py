"""Signed callbacks: how the provider proves a status callback or an inbound text is its own.

The same scheme as the payments webhooks. The provider POSTs JSON with a header

    Sms-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(auth token, "<t>.<raw body>")>

signed with the account's auth token (the common Messages API signs with it too, but
over the URL and sorted form fields; signing the raw body instead needs no knowledge
of the URL the proxy in front of the gateway rewrote). The timestamp stops a replay
after the tolerance; within it, the receiver ignores a callback it has seen (the same
message id and status, or the same inbound message id).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from adapters.sms.port import InboundMessage, MessageStatus, SmsError, StatusUpdate

SIGNATURE_HEADER: Final = "Sms-Signature"
DEFAULT_TOLERANCE_S: Final = 300
STATUS_EVENT: Final = "message.status"
INBOUND_EVENT: Final = "message.inbound"


@dataclass(frozen=True, slots=True)
class SignedCallback:
    """One callback as it went over the wire: its `Sms-Signature` and its raw body."""

    signature: str
    body: bytes


class CallbackRejected(SmsError):
    """Not a genuine, recent callback: refuse it (answer 400) and change nothing."""


def signature(secret: str, timestamp: int, raw_body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + raw_body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, raw_body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, raw_body)}"


def verify(
    secret: str,
    header: str | None,
    raw_body: bytes,
    *,
    now: datetime,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> StatusUpdate | InboundMessage:
    """The callback in `raw_body` if `header` signs it with `secret` within `tolerance_s`.

    Raises `CallbackRejected` for a missing or malformed header, a wrong signature, a
    timestamp further than `tolerance_s` from `now`, or a body that is no callback.
    Several `v1=` entries (a token being rotated) pass if one matches.
    """
    if not header:
        raise CallbackRejected("no signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise CallbackRejected("malformed signature header")
    expected = signature(secret, timestamp, raw_body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise CallbackRejected("signature does not match")
    if abs(now.timestamp() - timestamp) > tolerance_s:
        raise CallbackRejected("signature timestamp outside the tolerance")
    return parse_callback(raw_body)


def status_callback_json(update: StatusUpdate) -> dict[str, Any]:
    return {
        "type": STATUS_EVENT,
        "message_id": update.message_id,
        "status": update.status.value,
        "error_code": update.error_code,
    }


def inbound_json(message: InboundMessage) -> dict[str, Any]:
    return {
        "type": INBOUND_EVENT,
        "id": message.id,
        "from": message.from_,
        "to": message.to,
        "body": message.body,
    }


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def parse_callback(raw_body: bytes) -> StatusUpdate | InboundMessage:
    try:
        payload = json.loads(raw_body)
        kind = payload["type"]
        if kind == STATUS_EVENT:
            error_code = payload.get("error_code")
            return StatusUpdate(
                message_id=str(payload["message_id"]),
                status=MessageStatus(payload["status"]),
                error_code=None if error_code is None else str(error_code),
            )
        if kind == INBOUND_EVENT:
            return InboundMessage(
                id=str(payload["id"]),
                from_=str(payload["from"]),
                to=str(payload["to"]),
                body=str(payload["body"]),
            )
        raise ValueError("unknown type")
    except (ValueError, KeyError, TypeError) as error:
        raise CallbackRejected(f"not a callback: {type(error).__name__}") from None
