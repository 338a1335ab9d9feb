"""Sending email, as the rest of the gateway sees it.

Only `OutgoingEmail` crosses this port: no MIME objects, no SMTP replies. The message
validates itself when it is built, so the fake and the real sender refuse the same bad
input and no caller can smuggle a header (CR/LF) into a recipient or a subject.

This port does not deduplicate: the idempotency key becomes the Message-ID, so a
retried send is recognisably the same message to mail systems; remembering what was
already sent is the job of the caller's outbox.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from adapters.errors import AdapterError, BackendFault, BackendUnavailable
from adapters.rules.email import is_email_address


class EmailError(AdapterError):
    system = "email"


class EmailInvalid(EmailError, ValueError):
    """The message itself is malformed (an address, a header with a line break, ...)."""


class EmailUnavailable(EmailError, BackendUnavailable):
    """The mail server could not take the message now; the message is not at fault.

    Unreachable, timed out, a temporary 4xx reply, or a server that will not work with
    this gateway's settings (credentials or sender address refused, TLS not offered):
    sending the same message again later, or once an operator fixed the settings,
    may succeed.
    """


RefusedPart = Literal["recipient", "message"]


class EmailRejected(EmailError, BackendFault):
    """The mail server permanently refused this message (a 5xx reply): do not retry it.

    `refused` tells what it objected to: the recipient (no such mailbox) or the message
    content (spam or policy filters). `server_reply` is the server's own text, kept out
    of the exception message because it usually repeats the recipient's address.
    """

    def __init__(
        self,
        message: str,
        *,
        refused: RefusedPart,
        smtp_code: int | None = None,
        server_reply: str = "",
    ) -> None:
        super().__init__(message)
        self.refused: RefusedPart = refused
        self.smtp_code = smtp_code
        self.server_reply = server_reply


# A Message-ID's left part: dot-atom text, as in an address's local part, but narrower.
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_+=-]+(?:\.[A-Za-z0-9_+=-]+)*")
_MAX_KEY_LENGTH = 128


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingEmail:
    """One email to one recipient.

    `idempotency_key` names the message for its whole life (retries included): letters,
    digits and ``. _ + = -``, at most 128 characters, e.g. ``verify-7f3a9c``.
    `unsubscribe_url`, when given, must accept an RFC 8058 one-click POST; it becomes
    the List-Unsubscribe header that bulk mail needs (CAN-SPAM, mailbox providers).
    """

    to: str
    subject: str
    text: str
    idempotency_key: str
    html: str | None = None
    reply_to: str | None = None
    unsubscribe_url: str | None = None

    def __post_init__(self) -> None:
        if not is_email_address(self.to):
            raise EmailInvalid("to: not a plain email address (local@domain.tld)")
        if self.reply_to is not None and not is_email_address(self.reply_to):
            raise EmailInvalid("reply_to: not a plain email address (local@domain.tld)")
        if not self.subject.strip():
            raise EmailInvalid("subject: must not be blank")
        if _has_line_break(self.subject):
            raise EmailInvalid("subject: must be a single line")
        if not self.text.strip():
            raise EmailInvalid("text: must not be blank")
        if self.html is not None and not self.html.strip():
            raise EmailInvalid("html: must not be blank when given")
        if (
            len(self.idempotency_key) > _MAX_KEY_LENGTH
            or _IDEMPOTENCY_KEY.fullmatch(self.idempotency_key) is None
        ):
            raise EmailInvalid(
                "idempotency_key: use 1-128 letters, digits and . _ + = - "
                "(no leading, trailing or doubled dots)"
            )
        if self.unsubscribe_url is not None and not _is_header_safe_https_url(self.unsubscribe_url):
            raise EmailInvalid("unsubscribe_url: must be an https:// URL without spaces")


def _has_line_break(value: str) -> bool:
    return any(character in value for character in "\r\n")


def _is_header_safe_https_url(value: str) -> bool:
    # It is written inside <...> in a header: no whitespace, no angle brackets.
    return (
        value.startswith("https://")
        and len(value) > len("https://")
        and value.isascii()
        and value.isprintable()
        and not any(character in " <>" for character in value)
    )


# The caller's note that a message was sent (its delivery log, its outbox entry).
Record = Callable[[], Awaitable[None]]


class EmailSender(Protocol):
    async def send(self, message: OutgoingEmail, *, record: Record | None = None) -> None:
        """Hand `message` to the mail system; returns once it has accepted it.

        Raises `EmailUnavailable` (try again later) or `EmailRejected` (never will).

        With `record`, the sender awaits it once the message is accepted, and holds one
        message at a time, per sender, between its point of no return and the end of
        its `record`: a process killed mid-send leaves at most one message accepted
        but not recorded, which is the most a retry after the crash can repeat (mail
        has no idempotency key). Whatever `record` raises, `send` raises.
        """
        ...

    async def aclose(self) -> None:
        """Release what the sender holds; safe to call more than once."""
        ...
