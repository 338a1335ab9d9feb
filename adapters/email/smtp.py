"""`EmailSender` over SMTP (aiosmtplib): one connection per message.

A connection per send keeps nothing open between messages, so there is no pool to
heal after the relay restarts; the gateway sends few enough mails for that to be cheap.

Sends run side by side up to the message's data, the point of no return: from there to
the end of the caller's `record`, one message at a time per sender (the port's promise).
A relay that answers each command in 50 ms still takes twenty messages a second this way,
where holding the whole conversation one at a time would take three.
Every aiosmtplib error is translated into the port's errors; the password is never
put into a message, a log line or an exception.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiosmtplib
from aiosmtplib.email import flatten_message

from adapters.email.mime import compose
from adapters.email.port import (
    EmailError,
    EmailRejected,
    EmailUnavailable,
    OutgoingEmail,
    Record,
    RefusedPart,
)
from adapters.rules.email import is_email_address, mailbox_address

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to submit mail.

    `use_tls` is implicit TLS from the first byte (port 465); `start_tls` upgrades a
    plain connection (port 587) and fails rather than send in clear when the server
    does not offer it. With both off, the connection stays unencrypted (a local relay).
    """

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    use_tls: bool = False
    start_tls: bool = False
    timeout_s: float = 10
    sender: str = "Co-op <no-reply@example.coop>"

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("SmtpSettings.host must not be empty")
        if not 0 < self.port < 65536:
            raise ValueError("SmtpSettings.port must be between 1 and 65535")
        if self.use_tls and self.start_tls:
            raise ValueError("SmtpSettings: use_tls and start_tls exclude each other")
        if (self.username is None) != (self.password is None):
            raise ValueError("SmtpSettings: give both username and password, or neither")
        if self.timeout_s <= 0:
            raise ValueError("SmtpSettings.timeout_s must be positive")
        if not is_email_address(mailbox_address(self.sender)):
            raise ValueError("SmtpSettings.sender must be 'Name <local@domain.tld>'")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SmtpEmailSender:
    def __init__(self, settings: SmtpSettings, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._settings = settings
        self._clock = clock
        self._envelope_from = mailbox_address(settings.sender)
        self._domain = self._envelope_from.rpartition("@")[2]
        self._handing_over = asyncio.Lock()

    async def send(self, message: OutgoingEmail, *, record: Record | None = None) -> None:
        mime = compose(
            message,
            from_header=self._settings.sender,
            message_id_domain=self._domain,
            date=self._clock(),
        )
        client = self._client()
        try:
            await _translated(self._envelope(client, message.to))
            async with self._handing_over:
                # 8BITMIME where offered, else 7-bit: as aiosmtplib's own send_message.
                cte = "8bit" if client.supports_extension("8bitmime") else "7bit"
                await _translated(client.data(flatten_message(mime, cte_type=cte)))
                logger.info("email %s accepted by the mail server", message.idempotency_key)
                if record is not None:
                    await record()
        finally:
            await _quit(client)

    def _client(self) -> aiosmtplib.SMTP:
        settings = self._settings
        return aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            username=settings.username,
            password=settings.password,
            use_tls=settings.use_tls,
            # False, not None: aiosmtplib's None means "upgrade if offered", which
            # would turn a required upgrade into an optional one.
            start_tls=settings.start_tls,
            timeout=settings.timeout_s,
        )

    async def _envelope(self, client: aiosmtplib.SMTP, to: str) -> None:
        """Connect (TLS and login as set) and name the sender and the one recipient."""
        await client.connect()
        await client.mail(self._envelope_from)
        await client.rcpt(to)

    async def aclose(self) -> None:
        """Nothing stays open between sends."""


async def _translated(step: Awaitable[object]) -> None:
    try:
        await step
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise _translate(exc) from exc


async def _quit(client: aiosmtplib.SMTP) -> None:
    """End the conversation politely if it is still open; the message's fate is settled
    by then, so a failure here changes nothing."""
    if not client.is_connected:
        return
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


def _translate(exc: aiosmtplib.SMTPException | OSError) -> EmailError:
    # Order matters: the specific refusals are SMTPResponseExceptions too.
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        # One recipient per message, so "all refused" is that one.
        return _refusal(exc.recipients[0], "recipient")
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return _refusal(exc, "recipient")
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        # The envelope sender comes from settings, not from the message: like refused
        # credentials, it is fixed by an operator, after which the message can go.
        return EmailUnavailable(
            f"the mail server refused the configured sender (SMTP {exc.code}); "
            "check SmtpSettings.sender and credentials"
        )
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return _refusal(exc, "message")
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        # The server's reply is left out on purpose: nothing from the AUTH exchange
        # goes into a message that may be logged.
        return EmailUnavailable(
            f"the mail server refused the configured credentials (SMTP {exc.code})"
        )
    if isinstance(exc, TimeoutError):  # aiosmtplib's timeouts are TimeoutErrors too
        return EmailUnavailable("the mail server did not answer in time")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return EmailUnavailable(f"the mail server answered {exc.code}: {exc.message}")
    if isinstance(exc, aiosmtplib.SMTPException):
        return EmailUnavailable(f"cannot send through the mail server: {exc.message}")
    return EmailUnavailable(f"cannot reach the mail server: {type(exc).__name__}")


def _refusal(exc: aiosmtplib.SMTPResponseException, part: RefusedPart) -> EmailError:
    what = {"recipient": "the recipient", "message": "the message"}
    if 500 <= exc.code < 600:
        return EmailRejected(
            f"the mail server refused {what[part]} (SMTP {exc.code})",
            refused=part,
            smtp_code=exc.code,
            server_reply=exc.message,
        )
    return EmailUnavailable(
        f"the mail server deferred {what[part]} (SMTP {exc.code}); try again later"
    )
