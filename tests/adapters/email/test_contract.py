"""One suite for every `EmailSender`: the fake, SMTP against a real aiosmtpd server, and
the outbox directory.

Each implementation comes with a harness that reads back what was delivered in the same
shape (for SMTP: parsed from the MIME the server received; for the outbox directory:
from the .eml files), refuses a recipient the way that implementation can, and builds a
sender whose server (or directory) cannot be reached.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Protocol

import pytest

from adapters.email.directory import DirectoryEmailSender
from adapters.email.fake import FakeEmailSender
from adapters.email.port import (
    EmailRejected,
    EmailSender,
    EmailUnavailable,
    OutgoingEmail,
)
from adapters.email.smtp import SmtpEmailSender
from tests.fixtures.smtp import SmtpTestServer, closed_port, run_smtp_server

MEMBER = "maria.baca@example.net"
TRICKY_TEXT = "\n".join(
    [
        "Hola María,",
        "your Española service is back on — thank you for your patience.",
        ".a line that starts with a dot must survive SMTP dot-stuffing",
        "From here on, a line starting with 'From ' must not be mangled",
        "0123456789" * 120,  # longer than SMTP's 998-character line limit
        "",
        "Jemez Mountain Co-op",
    ]
)


@dataclass(frozen=True, slots=True)
class Delivered:
    to: str
    subject: str
    text_lines: list[str]
    html: str | None
    idempotency_key: str
    reply_to: str | None


class Harness(Protocol):
    sender: EmailSender

    def delivered(self) -> list[Delivered]: ...

    def refuse_recipient(self, address: str) -> None: ...

    def unreachable_sender(self) -> EmailSender: ...


class FakeHarness:
    def __init__(self) -> None:
        self.fake = FakeEmailSender()
        self.sender: EmailSender = self.fake

    def delivered(self) -> list[Delivered]:
        return [
            Delivered(
                to=sent.to,
                subject=sent.subject,
                text_lines=sent.text.splitlines(),
                html=sent.html,
                idempotency_key=sent.idempotency_key,
                reply_to=sent.reply_to,
            )
            for sent in self.fake.sent
        ]

    def refuse_recipient(self, address: str) -> None:
        self.fake.reject_recipient(address)

    def unreachable_sender(self) -> EmailSender:
        down = FakeEmailSender()
        down.fail_with(EmailUnavailable("cannot reach the mail server"))
        return down


class SmtpHarness:
    def __init__(self, server: SmtpTestServer, unused_port: int) -> None:
        self.server = server
        self.sender: EmailSender = SmtpEmailSender(server.smtp_settings())
        self._unused_port = unused_port

    def delivered(self) -> list[Delivered]:
        return [_delivered(received.message) for received in self.server.received]

    def refuse_recipient(self, address: str) -> None:
        self.server.refuse_recipient(address)

    def unreachable_sender(self) -> EmailSender:
        return SmtpEmailSender(self.server.smtp_settings(port=self._unused_port))


class DirectoryHarness:
    """Writes .eml files; it has no recipient to refuse, so it sits out that one test."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sender: EmailSender = DirectoryEmailSender(directory)

    def delivered(self) -> list[Delivered]:
        return [
            _delivered(BytesParser(policy=policy.default).parsebytes(path.read_bytes()))
            for path in sorted(self.directory.glob("*.eml"))
        ]

    def refuse_recipient(self, address: str) -> None:
        raise NotImplementedError("a directory does not refuse recipients")

    def unreachable_sender(self) -> EmailSender:
        # A directory below a regular file can never be created.
        blocker = self.directory.parent / "not-a-directory"
        blocker.write_text("")
        return DirectoryEmailSender(blocker / "outbox")


def _delivered(message: EmailMessage) -> Delivered:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    local_part, _, _ = message["Message-ID"].strip("<>").partition("@")
    return Delivered(
        to=str(message["To"]),
        subject=str(message["Subject"]),
        text_lines=str(plain.get_content()).splitlines(),
        html=None if html is None else str(html.get_content()),
        idempotency_key=local_part,
        reply_to=None if message["Reply-To"] is None else str(message["Reply-To"]),
    )


@pytest.fixture(params=["fake", "smtp", "directory"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    if request.param == "directory":
        yield DirectoryHarness(tmp_path / "outbox")
        return
    with closed_port() as unused_port:
        async with run_smtp_server() as server:
            yield SmtpHarness(server, unused_port)


@pytest.fixture(params=["fake", "smtp"])
async def refusing_harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """The senders whose mail system can refuse a recipient."""
    if request.param == "fake":
        yield FakeHarness()
        return
    with closed_port() as unused_port:
        async with run_smtp_server() as server:
            yield SmtpHarness(server, unused_port)


def an_email(**changes: str | None) -> OutgoingEmail:
    values: dict[str, str | None] = {
        "to": MEMBER,
        "subject": "Your power is back on",
        "text": "Hello,\nyour power was restored at 14:05.",
        "idempotency_key": "outage-restored-4411",
    }
    values.update(changes)
    return OutgoingEmail(**values)  # type: ignore[arg-type]


async def test_message_arrives_with_recipient_subject_body_and_key(harness: Harness) -> None:
    await harness.sender.send(
        an_email(subject="Corte de luz — restaurado", text=TRICKY_TEXT, reply_to="help@jmec.coop")
    )

    [delivered] = harness.delivered()
    assert delivered.to == MEMBER
    assert delivered.subject == "Corte de luz — restaurado"
    assert delivered.text_lines == TRICKY_TEXT.splitlines()
    assert delivered.idempotency_key == "outage-restored-4411"
    assert delivered.reply_to == "help@jmec.coop"
    assert delivered.html is None


async def test_html_body_travels_alongside_the_text(harness: Harness) -> None:
    html = '<p>Your bill of <b>$123.45</b> is ready. <a href="https://jmec.coop/b">View</a></p>'

    await harness.sender.send(an_email(html=html))

    [delivered] = harness.delivered()
    assert delivered.html is not None
    assert delivered.html.strip() == html
    assert delivered.text_lines == ["Hello,", "your power was restored at 14:05."]


async def test_concurrent_sends_each_arrive_once(harness: Harness) -> None:
    keys = [f"bill-ready-{number}" for number in range(5)]

    await asyncio.gather(*(harness.sender.send(an_email(idempotency_key=key)) for key in keys))

    assert sorted(delivered.idempotency_key for delivered in harness.delivered()) == keys


async def test_a_retry_carries_the_same_key(harness: Harness) -> None:
    # The port does not deduplicate; a resend is recognisable by its key instead.
    await harness.sender.send(an_email())
    await harness.sender.send(an_email())

    assert [d.idempotency_key for d in harness.delivered()] == ["outage-restored-4411"] * 2


async def test_refused_recipient_raises_rejected_and_others_still_get_mail(
    refusing_harness: Harness,
) -> None:
    harness = refusing_harness
    harness.refuse_recipient("nobody@example.net")

    with pytest.raises(EmailRejected) as refused:
        await harness.sender.send(an_email(to="nobody@example.net"))
    await harness.sender.send(an_email())

    assert refused.value.refused == "recipient"
    assert refused.value.smtp_code == 550
    assert "nobody@example.net" not in str(refused.value)
    assert [delivered.to for delivered in harness.delivered()] == [MEMBER]


async def test_unreachable_server_raises_unavailable(harness: Harness) -> None:
    sender = harness.unreachable_sender()

    with pytest.raises(EmailUnavailable):
        await sender.send(an_email())

    assert harness.delivered() == []


async def test_aclose_can_be_called_twice(harness: Harness) -> None:
    await harness.sender.send(an_email())

    await harness.sender.aclose()
    await harness.sender.aclose()

    assert len(harness.delivered()) == 1
