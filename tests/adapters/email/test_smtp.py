"""What only the SMTP sender does: the MIME on the wire and the mapping of SMTP replies."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from adapters.email.port import EmailRejected, EmailUnavailable, OutgoingEmail
from adapters.email.smtp import SmtpEmailSender, SmtpSettings
from tests.fixtures.smtp import SmtpTestServer, run_smtp_server

SENT_AT = datetime(2026, 11, 15, 21, 5, 30, tzinfo=UTC)
PASSWORD = "correct-horse-battery-staple"


def an_email(**changes: str | None) -> OutgoingEmail:
    values: dict[str, str | None] = {
        "to": "member@example.net",
        "subject": "Your bill is ready",
        "text": "Your November bill is ready.",
        "idempotency_key": "bill-ready-2026-11",
    }
    values.update(changes)
    return OutgoingEmail(**values)  # type: ignore[arg-type]


def sender_for(server: SmtpTestServer, **overrides: object) -> SmtpEmailSender:
    return SmtpEmailSender(server.smtp_settings(**overrides), clock=lambda: SENT_AT)


async def test_headers_and_envelope(smtp_server: SmtpTestServer) -> None:
    await sender_for(smtp_server, sender="Jemez Co-op <billing@jmec.coop>").send(an_email())

    [received] = smtp_server.received
    message = received.message
    assert received.envelope_from == "billing@jmec.coop"
    assert received.envelope_to == ("member@example.net",)
    assert message["From"] == "Jemez Co-op <billing@jmec.coop>"
    assert message["Message-ID"] == "<bill-ready-2026-11@jmec.coop>"
    assert parsedate_to_datetime(message["Date"]) == SENT_AT
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Reply-To"] is None
    assert message["List-Unsubscribe"] is None


async def test_text_only_mail_is_a_single_text_part(smtp_server: SmtpTestServer) -> None:
    await sender_for(smtp_server).send(an_email())

    message = smtp_server.received[0].message
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() in {"us-ascii", "utf-8"}


async def test_html_mail_is_multipart_alternative_with_text_first(
    smtp_server: SmtpTestServer,
) -> None:
    await sender_for(smtp_server).send(an_email(html="<p>Your November bill is ready.</p>"))

    message = smtp_server.received[0].message
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


async def test_unsubscribe_url_becomes_one_click_headers(smtp_server: SmtpTestServer) -> None:
    url = "https://jmec.coop/unsubscribe?t=abc123"

    await sender_for(smtp_server).send(an_email(unsubscribe_url=url))

    message = smtp_server.received[0].message
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_temporary_recipient_refusal_is_unavailable(smtp_server: SmtpTestServer) -> None:
    smtp_server.refuse_recipient("member@example.net", "450 4.2.1 Mailbox busy, try later")

    with pytest.raises(EmailUnavailable, match="450"):
        await sender_for(smtp_server).send(an_email())


async def test_refused_content_is_rejected(smtp_server: SmtpTestServer) -> None:
    smtp_server.refuse_data("554 5.7.1 Message rejected as spam")

    with pytest.raises(EmailRejected) as rejected:
        await sender_for(smtp_server).send(an_email())

    assert rejected.value.refused == "message"
    assert rejected.value.smtp_code == 554
    assert rejected.value.server_reply == "5.7.1 Message rejected as spam"


async def test_temporary_content_refusal_is_unavailable(smtp_server: SmtpTestServer) -> None:
    smtp_server.refuse_data("451 4.3.0 Queue full")

    with pytest.raises(EmailUnavailable, match="451"):
        await sender_for(smtp_server).send(an_email())


async def test_refused_sender_is_a_settings_problem_not_the_message(
    smtp_server: SmtpTestServer,
) -> None:
    smtp_server.refuse_sender("550 5.7.1 Sender address rejected")

    with pytest.raises(EmailUnavailable, match="sender"):
        await sender_for(smtp_server).send(an_email())


async def test_required_start_tls_is_never_skipped(smtp_server: SmtpTestServer) -> None:
    # The test server offers no STARTTLS: sending in clear instead would leak the mail.
    with pytest.raises(EmailUnavailable, match="STARTTLS"):
        await sender_for(smtp_server, start_tls=True).send(an_email())

    assert smtp_server.received == []


@pytest.fixture
async def authenticating_server() -> AsyncIterator[SmtpTestServer]:
    async with run_smtp_server(credentials=("gateway", PASSWORD)) as server:
        yield server


async def test_logs_in_with_the_configured_credentials(
    authenticating_server: SmtpTestServer,
) -> None:
    await sender_for(authenticating_server).send(an_email())

    assert len(authenticating_server.received) == 1


async def test_missing_credentials_are_unavailable(authenticating_server: SmtpTestServer) -> None:
    anonymous = sender_for(authenticating_server, username=None, password=None)

    with pytest.raises(EmailUnavailable):
        await anonymous.send(an_email())

    assert authenticating_server.received == []


async def test_refused_password_never_shows_up(
    authenticating_server: SmtpTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "hunter2-" + PASSWORD
    sender = sender_for(authenticating_server, password=wrong)

    with caplog.at_level(logging.DEBUG), pytest.raises(EmailUnavailable) as refused:
        await sender.send(an_email())

    shown = [
        str(refused.value),
        repr(refused.value),
        "".join(traceback.format_exception(refused.value)),
        repr(authenticating_server.smtp_settings(password=wrong)),
        caplog.text,
    ]
    assert "credentials" in str(refused.value)
    assert not [text for text in shown if wrong in text or PASSWORD in text]


async def test_silent_server_times_out_as_unavailable() -> None:
    async def accept_and_say_nothing(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.read()  # until the client gives up and closes
        writer.close()

    server = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sender = SmtpEmailSender(SmtpSettings(host="127.0.0.1", port=port, timeout_s=0.2))
    try:
        with pytest.raises(EmailUnavailable, match="in time"):
            await sender.send(an_email())
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"port": 0}, "port"),
        ({"host": ""}, "host"),
        ({"use_tls": True, "start_tls": True}, "exclude"),
        ({"username": "gateway"}, "both"),
        ({"timeout_s": 0}, "timeout"),
        ({"sender": "no address here"}, "sender"),
    ],
)
def test_settings_refuse_nonsense(changes: dict[str, object], complaint: str) -> None:
    values: dict[str, object] = {"host": "127.0.0.1", "port": 25} | changes

    with pytest.raises(ValueError, match=complaint):
        SmtpSettings(**values)  # type: ignore[arg-type]


def test_settings_repr_hides_the_password() -> None:
    settings = SmtpSettings(host="smtp.jmec.coop", port=587, username="gw", password=PASSWORD)

    assert PASSWORD not in repr(settings)
    assert "gw" in repr(settings)
