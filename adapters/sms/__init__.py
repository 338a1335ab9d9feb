"""Text messages: the `SmsSender` port, its HTTP adapter and fake, and the rules around
them (segments, signed callbacks, inbound keywords)."""

from adapters.sms.keywords import Keyword, classify_keyword
from adapters.sms.port import (
    InboundMessage,
    MessageStatus,
    RejectReason,
    SentMessage,
    SmsError,
    SmsNotFound,
    SmsOutcomeUnknown,
    SmsRejected,
    SmsSender,
    SmsUnavailable,
    StatusUpdate,
)

__all__ = [
    "InboundMessage",
    "Keyword",
    "MessageStatus",
    "RejectReason",
    "SentMessage",
    "SmsError",
    "SmsNotFound",
    "SmsOutcomeUnknown",
    "SmsRejected",
    "SmsSender",
    "SmsUnavailable",
    "StatusUpdate",
    "classify_keyword",
]
