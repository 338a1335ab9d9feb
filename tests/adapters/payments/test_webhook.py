"""Webhook signatures: only the processor's own, recent events get through."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from adapters.payments.webhook import WebhookRejected, signature, signature_header, verify

SECRET = "whsec_unit"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())
BODY = json.dumps(
    {
        "id": "evt_1",
        "type": "debit.returned",
        "created": T,
        "data": {"id": "db_1", "reference": "P-1", "return_code": "R01"},
    }
).encode()


def test_a_good_signature_gives_the_event() -> None:
    event = verify(SECRET, signature_header(SECRET, T, BODY), BODY, now=NOW)

    assert (event.id, event.type, event.object_id, event.reference) == (
        "evt_1",
        "debit.returned",
        "db_1",
        "P-1",
    )
    assert event.created == NOW


def test_one_matching_signature_among_several_is_enough() -> None:
    header = f"t={T},v1={signature('whsec_old', T, BODY)},v1={signature(SECRET, T, BODY)}"

    assert verify(SECRET, header, BODY, now=NOW).id == "evt_1"


@pytest.mark.parametrize("seconds", [301, -301, 3600])
def test_a_timestamp_outside_five_minutes_is_rejected(seconds: int) -> None:
    with pytest.raises(WebhookRejected, match="tolerance"):
        verify(
            SECRET, signature_header(SECRET, T, BODY), BODY, now=NOW + timedelta(seconds=seconds)
        )


def test_within_five_minutes_passes() -> None:
    header = signature_header(SECRET, T, BODY)

    assert verify(SECRET, header, BODY, now=NOW + timedelta(seconds=299)).id == "evt_1"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "v1=abc",
        f"t={T}",
        f"t=soon,v1={signature(SECRET, T, BODY)}",
        f"t={T},v1={signature('whsec_other', T, BODY)}",
        f"t={T + 1},v1={signature(SECRET, T, BODY)}",  # the timestamp is signed too
    ],
)
def test_a_missing_malformed_or_wrong_signature_is_rejected(header: str | None) -> None:
    with pytest.raises(WebhookRejected):
        verify(SECRET, header, BODY, now=NOW)


def test_a_changed_body_is_rejected() -> None:
    header = signature_header(SECRET, T, BODY)

    with pytest.raises(WebhookRejected, match="does not match"):
        verify(SECRET, header, BODY.replace(b"R01", b"R02"), now=NOW)


def test_a_signed_body_that_is_no_event_is_rejected() -> None:
    body = b'{"id": "evt_2"}'

    with pytest.raises(WebhookRejected, match="not an event"):
        verify(SECRET, signature_header(SECRET, T, body), body, now=NOW)
