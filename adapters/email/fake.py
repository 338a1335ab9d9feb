"""In-memory `EmailSender` that keeps what it was given, for tests and the demo.

It can be told to fail, the way a mail server would: refuse one recipient for good,
or fail every send (or the next few) with a given error.
"""

from __future__ import annotations

import asyncio

from adapters.email.port import EmailError, EmailRejected, OutgoingEmail, Record


class FakeEmailSender:
    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.closed = False
        self._refused_recipients: set[str] = set()
        self._failure: EmailError | None = None
        self._failures_left: int | None = None
        self._handing_over = asyncio.Lock()

    def reject_recipient(self, address: str) -> None:
        """From now on, sends to `address` raise `EmailRejected` (like an SMTP 550)."""
        self._refused_recipients.add(address.lower())

    def fail_with(self, error: EmailError, *, times: int | None = None) -> None:
        """Raise `error` from the next `times` sends, or from every send until `recover`."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for 'until recover()')")
        self._failure = error
        self._failures_left = times

    def recover(self) -> None:
        """Forget `fail_with`; refused recipients stay refused."""
        self._failure = None
        self._failures_left = None

    async def send(self, message: OutgoingEmail, *, record: Record | None = None) -> None:
        if self._failure is not None:
            error = self._failure
            if self._failures_left is not None:
                self._failures_left -= 1
                if self._failures_left == 0:
                    self.recover()
            raise error.with_traceback(None)  # a fresh traceback for each raise
        # Mail systems compare domains case-insensitively, and in practice local parts too.
        if message.to.lower() in self._refused_recipients:
            raise EmailRejected(
                "the mail server refused the recipient (SMTP 550)",
                refused="recipient",
                smtp_code=550,
                server_reply="5.1.1 Recipient address rejected: no such user",
            )
        async with self._handing_over:  # as the real senders: one record at a time
            self.sent.append(message)
            if record is not None:
                await record()

    async def aclose(self) -> None:
        self.closed = True
