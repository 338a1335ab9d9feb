"""What the provider remembers, in memory: messages, their idempotency keys, their way.

Messages are kept as the JSON the API answers with. Each operation is synchronous, so
one request's check and record cannot interleave with another's on the event loop: two
sends with one idempotency key cannot both text. An accepted message moves one status
per `step` (queued, then sent, then delivered; the sandbox's failing and unreachable
numbers otherwise), and each move it makes is returned by `progress` for a callback.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adapters.sms import sandbox
from adapters.sms.port import MessageStatus, StatusUpdate
from adapters.sms.segments import segment_count

Json = dict[str, Any]


class ApiError(Exception):
    """An error answer: HTTP `status` and the provider's `{"error": {...}}` body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body: Json = {"error": {"code": code, "message": message}}


def invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)


@dataclass(frozen=True, slots=True)
class DueCallback:
    url: str
    update: StatusUpdate


@dataclass(slots=True)
class _Journey:
    message: Json
    callback_url: str | None
    steps: list[MessageStatus]
    error_code: str | None
    next_at: datetime


@dataclass(slots=True)
class MessageStore:
    account_sid: str
    now: Callable[[], datetime]
    step: timedelta
    messages: dict[str, Json] = field(default_factory=dict)  # in the order sent
    _by_key: dict[str, str] = field(default_factory=dict)
    _journeys: list[_Journey] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def send(
        self,
        request: Json,
        *,
        idempotency_key: str,
        default_from: str,
        default_callback: str | None,
    ) -> tuple[int, Json]:
        """201 and the new message, or 200 and the one the key already names."""
        if not idempotency_key:
            raise invalid("the Idempotency-Key header is required")
        if (known := self._by_key.get(idempotency_key)) is not None:
            return 200, self.messages[known]
        to, body = request.get("to"), request.get("body")
        sender = request.get("from", default_from)
        callback = request.get("status_callback", default_callback)
        if not isinstance(to, str) or not isinstance(body, str) or not isinstance(sender, str):
            raise invalid("to, from and body: strings")
        if callback is not None and not isinstance(callback, str):
            raise invalid("status_callback: a URL")
        reason = sandbox.refusal(to, body)
        if reason is not None:
            raise ApiError(400, reason.value, f"refused: {reason.value}")
        message: Json = {
            "sid": self.new_id(),
            "account_sid": self.account_sid,
            "to": to,
            "from": sender,
            "body": body,
            "status": MessageStatus.QUEUED.value,
            "num_segments": segment_count(body),
            "idempotency_key": idempotency_key,
            "error_code": None,
            "date_created": self.now().isoformat(),
        }
        self.messages[message["sid"]] = message
        self._by_key[idempotency_key] = message["sid"]
        steps, error_code = sandbox.journey(to)
        self._journeys.append(
            _Journey(message, callback, list(steps), error_code, self.now() + self.step)
        )
        return 201, message

    def new_id(self) -> str:
        """An id for a message either way: sent, or a member's text coming in."""
        return f"SM{next(self._ids):032x}"

    def get(self, message_id: str) -> Json:
        message = self.messages.get(message_id)
        if message is None:
            raise ApiError(404, "not_found", f"no message {message_id}")
        return message

    def find(self, *, idempotency_key: str | None, to: str | None) -> list[Json]:
        """Messages matching the filters, newest first."""
        found = reversed(self.messages.values())
        return [
            message
            for message in found
            if (idempotency_key is None or message["idempotency_key"] == idempotency_key)
            and (to is None or message["to"] == to)
        ]

    def progress(self) -> list[DueCallback]:
        """Move every message whose next step is due; the callbacks those moves owe."""
        now, due = self.now(), []
        for journey in self._journeys:
            while journey.steps and journey.next_at <= now:
                status = journey.steps.pop(0)
                error_code = journey.error_code if status.is_final else None
                journey.message["status"] = status.value
                journey.message["error_code"] = error_code
                journey.next_at += self.step
                if journey.callback_url is not None:
                    update = StatusUpdate(
                        message_id=journey.message["sid"], status=status, error_code=error_code
                    )
                    due.append(DueCallback(journey.callback_url, update))
        self._journeys = [journey for journey in self._journeys if journey.steps]
        return due
