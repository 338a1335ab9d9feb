"""The signed-body scheme the processor's webhooks and the SMS callbacks share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.rules.signed_bodies import SignatureRefused, check_signature, signature_header

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
BODY = b'{"id":"evt_1"}'


def test_a_body_signed_now_with_the_secret_passes() -> None:
    header = signature_header("s3cret", int(NOW.timestamp()), BODY)
    check_signature("s3cret", header, BODY, now=NOW)


def test_a_rotated_secret_passes_when_one_of_the_signatures_matches() -> None:
    t = int(NOW.timestamp())
    old, new = signature_header("old", t, BODY), signature_header("new", t, BODY)
    both = f"{old},{new.split(',')[1]}"
    check_signature("new", both, BODY, now=NOW)


@pytest.mark.parametrize(
    ("header", "body", "seconds_later", "reason"),
    [
        (None, BODY, 0, "no signature header"),
        ("v1=abc", BODY, 0, "malformed"),
        ("t=³,v1=abc", BODY, 0, "malformed"),
        ("signed", b'{"id":"evt_2"}', 0, "does not match"),
        ("signed", BODY, 301, "outside the tolerance"),
        ("signed", BODY, -301, "outside the tolerance"),
    ],
)
def test_anything_else_is_refused_with_its_reason(
    header: str | None, body: bytes, seconds_later: int, reason: str
) -> None:
    if header == "signed":
        header = signature_header("s3cret", int(NOW.timestamp()), BODY)
    later = datetime.fromtimestamp(NOW.timestamp() + seconds_later, UTC)
    with pytest.raises(SignatureRefused, match=reason):
        check_signature("s3cret", header, body, now=later)
