"""`EmailSender` that writes each message as an .eml file into a directory.

For the demo and for development, where there is no mail server: the message is the
same MIME an SMTP server would get, so any mail client opens it, and the log line
says where it is. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from adapters.email.mime import compose
from adapters.email.port import EmailUnavailable, OutgoingEmail, Record
from adapters.rules.email import is_email_address, mailbox_address

logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DirectoryEmailSender:
    """Files are named ``<UTC time>-<idempotency key>-<random>.eml``, so they sort by time."""

    def __init__(
        self,
        directory: Path,
        *,
        sender: str = "Co-op <no-reply@example.coop>",
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        envelope_from = mailbox_address(sender)
        if not is_email_address(envelope_from):
            raise ValueError("DirectoryEmailSender sender must be 'Name <local@domain.tld>'")
        self._directory = directory
        self._sender = sender
        self._domain = envelope_from.rpartition("@")[2]
        self._clock = clock
        self._handing_over = asyncio.Lock()

    @property
    def directory(self) -> Path:
        return self._directory

    async def send(self, message: OutgoingEmail, *, record: Record | None = None) -> None:
        date = self._clock()
        mime = compose(message, from_header=self._sender, message_id_domain=self._domain, date=date)
        stamp = date.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{message.idempotency_key}-{uuid.uuid4().hex[:8]}.eml"
        async with self._handing_over:  # the file is the hand-off: one record at a time
            try:
                path = await asyncio.to_thread(self._write, name, bytes(mime))
            except OSError as error:
                raise EmailUnavailable(
                    f"could not write the message to the outbox directory ({error.strerror})"
                ) from error
            logger.info("email %s written to %s", message.idempotency_key, path)
            if record is not None:
                await record()

    def _write(self, name: str, content: bytes) -> Path:
        self._directory.mkdir(parents=True, exist_ok=True)
        final = self._directory / name
        # Written under a hidden name, then renamed: a reader never sees half a message.
        partial = self._directory / f".{name}.partial"
        partial.write_bytes(content)
        os.replace(partial, final)
        return final

    async def aclose(self) -> None:
        """Nothing stays open between sends."""
