"""Signed callbacks: how the provider proves a status callback or an inbound text is its own.

The same scheme as the payments webhooks (`adapters.rules.signed_bodies`): the provider
POSTs JSON with an `Sms-Signature` header signed with the account's auth token (the
common Messages API signs with it too, but over the URL and sorted form fields; signing
the raw body instead needs no knowledge of the URL the proxy in front of the gateway
rewrote). The timestamp stops a replay
after the tolerance; within it, the receiver ignores a callback it has seen (the same
message id and status, or the same inbound message id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from adapters.rules.signed_bodies import (
    DEFAULT_TOLERANCE_S,
    SignatureRefused,
    check_signature,
    signature,
    signature_header,
)
from adapters.sms.port import InboundMessage, MessageStatus, SmsError, StatusUpdate

SIGNATURE_HEADER: Final = "Sms-Signature"
STATUS_EVENT: Final = "message.status"
INBOUND_EVENT: Final = "message.inbound"


@dataclass(frozen=True, slots=True)
class SignedCallback:
    """One callback as it went over the wire: its `Sms-Signature` and its raw body."""

    signature: str
    body: bytes


class CallbackRejected(SmsError):
    """Not a genuine, recent callback: refuse it (answer 400) and change nothing."""


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
    try:
        check_signature(secret, header, raw_body, now=now, tolerance_s=tolerance_s)
    except SignatureRefused as refused:
        raise CallbackRejected(str(refused)) from None
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


__all__ = [
    "DEFAULT_TOLERANCE_S",
    "INBOUND_EVENT",
    "SIGNATURE_HEADER",
    "STATUS_EVENT",
    "CallbackRejected",
    "SignedCallback",
    "encode",
    "inbound_json",
    "parse_callback",
    "signature",
    "signature_header",
    "status_callback_json",
    "verify",
]
