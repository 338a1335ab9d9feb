"""The SMS port: hand a text to a provider, look it up again, and learn how it went.

Shaped like the common Messages API (account, from, to, body, status callback), with
one addition the gateway's outbox needs: every send carries an idempotency key that
the provider honours. The key names the message: a second send with the same key
answers the first message (whatever its body) and texts nobody, so a worker that
crashed between the hand-off and its record repeats nothing; `find_by_key` tells it
whether the hand-off happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class MessageStatus(StrEnum):
    QUEUED = "queued"  # accepted by the provider, not yet handed to a carrier
    SENT = "sent"  # handed to the carrier
    DELIVERED = "delivered"  # the carrier says the handset has it
    FAILED = "failed"  # never left the provider
    UNDELIVERED = "undelivered"  # the carrier could not deliver it

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset({MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.UNDELIVERED})


class RejectReason(StrEnum):
    INVALID_NUMBER = "invalid_number"
    OPTED_OUT = "opted_out"  # the number texted STOP to the sender at the carrier
    BODY_TOO_LONG = "body_too_long"


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    id: str
    to: str  # E.164
    from_: str  # E.164: the co-op's number
    body: str
    status: MessageStatus
    segments: int  # what the carrier bills: see `adapters.sms.segments`
    idempotency_key: str
    error_code: str | None = None  # why it failed or was undelivered


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusUpdate:
    """A delivery status callback: a message moved on."""

    message_id: str
    status: MessageStatus
    error_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessage:
    """A text a member sent to the co-op's number."""

    id: str
    from_: str  # E.164: the member's phone
    to: str  # E.164: the co-op's number
    body: str


class SmsError(Exception):
    """Base of the SMS adapter's errors; messages never carry credentials."""


class SmsUnavailable(SmsError):
    """The provider could not be reached or refused service: nothing was sent."""


class SmsRejected(SmsError):
    """The provider refused this message for good: retrying will not help."""

    def __init__(self, message: str, *, reason: RejectReason) -> None:
        super().__init__(message)
        self.reason = reason


class SmsOutcomeUnknown(SmsError):
    """The request went out and no answer came: look it up with `find_by_key`."""

    def __init__(self, message: str, *, idempotency_key: str) -> None:
        super().__init__(message)
        self.idempotency_key = idempotency_key


class SmsNotFound(SmsError):
    """No message with that id."""


class SmsSender(Protocol):
    async def send(
        self,
        *,
        to: str,
        body: str,
        idempotency_key: str,
        status_callback_url: str | None = None,
    ) -> SentMessage:
        """Hand `body` to the provider for `to` (E.164); once per `idempotency_key`."""
        ...

    async def get_message(self, message_id: str) -> SentMessage: ...

    async def find_by_key(self, idempotency_key: str) -> SentMessage | None: ...

    async def aclose(self) -> None: ...
