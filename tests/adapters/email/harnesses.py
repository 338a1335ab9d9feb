"""A harness for each `EmailSender` here: the fake, SMTP to a real aiosmtpd server, and
the outbox directory.

Each reads back what was delivered in the same shape (for SMTP: parsed from the MIME
the server received; for the outbox directory: from the .eml files) and builds a
sender whose server (or directory) cannot be reached; the fake and SMTP can also
refuse a recipient the way that implementation does.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from adapters.email.contract import Delivered, delivered_from_mime
from adapters.email.directory import DirectoryEmailSender
from adapters.email.fake import FakeEmailSender
from adapters.email.port import EmailSender, EmailUnavailable
from adapters.email.smtp import SmtpEmailSender
from tests.fixtures.smtp import SmtpTestServer


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
        return [delivered_from_mime(received.message) for received in self.server.received]

    def refuse_recipient(self, address: str) -> None:
        self.server.refuse_recipient(address)

    def unreachable_sender(self) -> EmailSender:
        return SmtpEmailSender(self.server.smtp_settings(port=self._unused_port))


class DirectoryHarness:
    """Writes .eml files; it has no recipient to refuse, so it sits out that suite."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sender: EmailSender = DirectoryEmailSender(directory)

    def delivered(self) -> list[Delivered]:
        return [
            delivered_from_mime(BytesParser(policy=policy.default).parsebytes(path.read_bytes()))
            for path in sorted(self.directory.glob("*.eml"))
        ]

    def unreachable_sender(self) -> EmailSender:
        # A directory below a regular file can never be created.
        blocker = self.directory.parent / "not-a-directory"
        blocker.write_text("")
        return DirectoryEmailSender(blocker / "outbox")
