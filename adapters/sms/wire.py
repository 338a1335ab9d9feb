"""The provider's JSON for a message, read into the port's dataclasses."""

from __future__ import annotations

from typing import Any

from adapters.sms.port import MessageStatus, SentMessage

Json = dict[str, Any]


def message_from_json(data: Json) -> SentMessage:
    error_code = data.get("error_code")
    return SentMessage(
        id=str(data["sid"]),
        to=str(data["to"]),
        from_=str(data["from"]),
        body=str(data["body"]),
        status=MessageStatus(data["status"]),
        segments=int(data["num_segments"]),
        idempotency_key=str(data["idempotency_key"]),
        error_code=None if error_code is None else str(error_code),
    )
