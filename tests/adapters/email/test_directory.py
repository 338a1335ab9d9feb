"""What only the outbox directory sender does: file names, the MIME in them, the log line."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from adapters.email.directory import DirectoryEmailSender
from adapters.email.port import OutgoingEmail

WRITTEN_AT = datetime(2026, 11, 15, 21, 5, 30, 123456, tzinfo=UTC)


def an_email(key: str = "confirm-email.3f9a") -> OutgoingEmail:
    return OutgoingEmail(
        to="member@example.net",
        subject="Confirm your email",
        text="Open https://portal.example.coop/confirm-email?token=abc to confirm.",
        idempotency_key=key,
    )


async def test_each_message_is_a_complete_eml_file_named_by_time_and_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = tmp_path / "var" / "outbox"  # created on the first send
    sender = DirectoryEmailSender(
        outbox, sender="Jemez Co-op <no-reply@jmec.coop>", clock=lambda: WRITTEN_AT
    )

    with caplog.at_level(logging.INFO, logger="adapters.email.directory"):
        await sender.send(an_email())
        await sender.send(an_email())

    files = sorted(outbox.iterdir())
    assert len(files) == 2
    assert all(f.name.startswith("20261115T210530123456Z-confirm-email.3f9a-") for f in files)
    assert all(f.suffix == ".eml" for f in files)
    message = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert message["From"] == "Jemez Co-op <no-reply@jmec.coop>"
    assert message["To"] == "member@example.net"
    assert message["Message-ID"] == "<confirm-email.3f9a@jmec.coop>"
    assert "confirm-email?token=abc" in message.get_content()
    assert all(str(f) in caplog.text for f in files)


def test_a_sender_without_an_address_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sender"):
        DirectoryEmailSender(tmp_path, sender="The Co-op")
