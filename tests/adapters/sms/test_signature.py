"""Signed callbacks: a genuine, recent callback passes; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.sms.port import InboundMessage, MessageStatus, StatusUpdate
from adapters.sms.signature import (
    CallbackRejected,
    encode,
    inbound_json,
    signature,
    signature_header,
    status_callback_json,
    verify,
)

TOKEN = "auth-token-for-signing"
NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
UPDATE = StatusUpdate(message_id="SM1", status=MessageStatus.UNDELIVERED, error_code="30003")
BODY = encode(status_callback_json(UPDATE))


def signed_at(moment: datetime, body: bytes = BODY) -> str:
    return signature_header(TOKEN, int(moment.timestamp()), body)


def test_a_good_signature_gives_the_status_update() -> None:
    assert verify(TOKEN, signed_at(NOW), BODY, now=NOW) == UPDATE


def test_an_inbound_text_round_trips() -> None:
    text = InboundMessage(id="SM2", from_="+15055550142", to="+15005550100", body="Stop ✋")
    body = encode(inbound_json(text))

    assert verify(TOKEN, signed_at(NOW, body), body, now=NOW) == text


def test_a_signature_within_the_tolerance_passes_either_way() -> None:
    assert verify(TOKEN, signed_at(NOW - timedelta(seconds=299)), BODY, now=NOW) == UPDATE
    assert verify(TOKEN, signed_at(NOW + timedelta(seconds=299)), BODY, now=NOW) == UPDATE


def test_a_rotated_token_passes_when_one_signature_matches() -> None:
    timestamp = int(NOW.timestamp())
    old, new = signature("old token", timestamp, BODY), signature(TOKEN, timestamp, BODY)
    header = f"t={timestamp},v1={old},v1={new}"

    assert verify(TOKEN, header, BODY, now=NOW) == UPDATE


@pytest.mark.parametrize(
    ("header", "body"),
    [
        (None, BODY),
        ("", BODY),
        ("v1=abc", BODY),  # no timestamp
        (f"t={int(NOW.timestamp())}", BODY),  # no signature
        (signature_header("another token", int(NOW.timestamp()), BODY), BODY),
        (signed_at(NOW), BODY.replace(b"undelivered", b"delivered")),
        (signed_at(NOW - timedelta(seconds=301)), BODY),  # old: a replay
        (signed_at(NOW + timedelta(seconds=301)), BODY),
    ],
    ids=["none", "empty", "no-time", "no-v1", "other-token", "tampered", "old", "future"],
)
def test_anything_else_is_refused(header: str | None, body: bytes) -> None:
    with pytest.raises(CallbackRejected):
        verify(TOKEN, header, body, now=NOW)


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"type":"message.read"}', b'{"type":"message.status"}']
)
def test_a_signed_body_that_is_no_callback_is_refused(body: bytes) -> None:
    with pytest.raises(CallbackRejected):
        verify(TOKEN, signed_at(NOW, body), body, now=NOW)
