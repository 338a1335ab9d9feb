"""An `OutgoingEmail` refuses bad input when it is built, whichever sender gets it."""

from __future__ import annotations

import pytest

from adapters.email.port import EmailError, EmailInvalid, OutgoingEmail

VALID: dict[str, str | None] = {
    "to": "member@example.net",
    "subject": "Your bill is ready",
    "text": "Your November bill is ready.",
    "idempotency_key": "bill-ready-2026-11",
}


def test_a_valid_message_keeps_its_fields() -> None:
    message = OutgoingEmail(
        to="o'brien+bills@mail.example.net",
        subject="Bill",
        text="Ready.",
        idempotency_key="a.b_c+d=e-f",
        html="<p>Ready.</p>",
        reply_to="help@jmec.coop",
        unsubscribe_url="https://jmec.coop/u?t=1",
    )

    assert message.to == "o'brien+bills@mail.example.net"
    assert message.idempotency_key == "a.b_c+d=e-f"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("to", "member@example.net\r\nBcc: everyone@example.net"),
        ("to", "Maria <member@example.net>"),
        ("to", "member@example.net, other@example.net"),
        ("to", "member@localhost"),
        ("to", "member.@example.net"),
        ("to", "josé@example.net"),
        ("to", "@example.net"),
        ("to", "a" * 250 + "@example.net"),
        ("reply_to", "not an address"),
        ("subject", "Bill\r\nBcc: everyone@example.net"),
        ("subject", "   "),
        ("text", ""),
        ("html", " "),
        ("idempotency_key", ""),
        ("idempotency_key", "verify:42"),
        ("idempotency_key", "a..b"),
        ("idempotency_key", "k" * 129),
        ("unsubscribe_url", "http://jmec.coop/u"),
        ("unsubscribe_url", "https://jmec.coop/u>, <https://evil.example"),
        ("unsubscribe_url", "https://jmec.coop/u\r\nBcc: x@example.net"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(field: str, value: str) -> None:
    with pytest.raises(EmailInvalid, match=f"^{field}:"):
        OutgoingEmail(**(VALID | {field: value}))  # type: ignore[arg-type]


def test_the_error_is_both_an_email_error_and_a_value_error() -> None:
    with pytest.raises(EmailInvalid) as invalid:
        OutgoingEmail(**(VALID | {"to": "secret-person@nowhere"}))  # type: ignore[arg-type]

    assert isinstance(invalid.value, EmailError)
    assert isinstance(invalid.value, ValueError)
    assert "secret-person" not in str(invalid.value)
