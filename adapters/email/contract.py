"""The contract every `EmailSender` keeps: what it is given arrives, once per send, intact.

A pytest suite for any implementation, the fake or a co-op's own. It needs one
fixture, `email_harness`: an `EmailHarness` holding the sender under test and able to
read back what its mail system received, in the same shape for every sender (for
SMTP, `delivered_from_mime` parses what a test server received). Give each test a
harness of its own. Run the suite by importing it into a test module that has it:

    from adapters.email.contract import *  # noqa: F403

The tests are coroutines: run them with pytest-asyncio (`asyncio_mode = "auto"`).
For failures that show the values compared, have pytest rewrite the suite's asserts
before it is imported, in conftest.py:

    pytest.register_assert_rewrite("adapters.email.contract")

A mail system that refuses recipients has a suite of its own,
`adapters.email.contract_refusals`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import pytest

from adapters.email.port import EmailSender, EmailUnavailable, OutgoingEmail

__all__ = [
    "Delivered",
    "EmailHarness",
    "delivered_from_mime",
    "test_a_failing_record_fails_the_send_of_a_message_already_accepted",
    "test_a_retry_carries_the_same_key",
    "test_aclose_can_be_called_twice",
    "test_concurrent_sends_each_arrive_once",
    "test_each_record_follows_its_acceptance_one_at_a_time",
    "test_html_body_travels_alongside_the_text",
    "test_message_arrives_with_recipient_subject_body_and_key",
    "test_unreachable_server_raises_unavailable",
]

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
    """One message as the mail system received it."""

    to: str
    subject: str
    text_lines: list[str]
    html: str | None
    idempotency_key: str
    reply_to: str | None


class EmailHarness(Protocol):
    """A sender under test, and a way to see what its mail system received."""

    sender: EmailSender

    def delivered(self) -> list[Delivered]:
        """Every message received since the harness was made, in the order received."""
        ...

    def unreachable_sender(self) -> EmailSender:
        """A sender like `sender`, for a mail system it cannot reach."""
        ...


def delivered_from_mime(message: EmailMessage) -> Delivered:
    """What a received MIME message says, as `Delivered` (the key is the Message-ID's)."""
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


def an_email(
    *,
    to: str = MEMBER,
    subject: str = "Your power is back on",
    text: str = "Hello,\nyour power was restored at 14:05.",
    idempotency_key: str = "outage-restored-4411",
    html: str | None = None,
    reply_to: str | None = None,
) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject=subject,
        text=text,
        idempotency_key=idempotency_key,
        html=html,
        reply_to=reply_to,
    )


async def test_message_arrives_with_recipient_subject_body_and_key(
    email_harness: EmailHarness,
) -> None:
    await email_harness.sender.send(
        an_email(subject="Corte de luz — restaurado", text=TRICKY_TEXT, reply_to="help@jmec.coop")
    )

    [delivered] = email_harness.delivered()
    assert delivered.to == MEMBER
    assert delivered.subject == "Corte de luz — restaurado"
    assert delivered.text_lines == TRICKY_TEXT.splitlines()
    assert delivered.idempotency_key == "outage-restored-4411"
    assert delivered.reply_to == "help@jmec.coop"
    assert delivered.html is None


async def test_html_body_travels_alongside_the_text(email_harness: EmailHarness) -> None:
    html = '<p>Your bill of <b>$123.45</b> is ready. <a href="https://jmec.coop/b">View</a></p>'

    await email_harness.sender.send(an_email(html=html))

    [delivered] = email_harness.delivered()
    assert delivered.html is not None
    assert delivered.html.strip() == html
    assert delivered.text_lines == ["Hello,", "your power was restored at 14:05."]


async def test_concurrent_sends_each_arrive_once(email_harness: EmailHarness) -> None:
    keys = [f"bill-ready-{number}" for number in range(5)]

    await asyncio.gather(
        *(email_harness.sender.send(an_email(idempotency_key=key)) for key in keys)
    )

    assert sorted(delivered.idempotency_key for delivered in email_harness.delivered()) == keys


async def test_each_record_follows_its_acceptance_one_at_a_time(
    email_harness: EmailHarness,
) -> None:
    keys = [f"payment-posted-{number}" for number in range(5)]
    recording = 0
    most_at_once = 0
    seen_at_record: dict[str, set[str]] = {}

    def record_of(key: str) -> Callable[[], Awaitable[None]]:
        async def record() -> None:
            nonlocal recording, most_at_once
            recording += 1
            most_at_once = max(most_at_once, recording)
            seen_at_record[key] = {d.idempotency_key for d in email_harness.delivered()}
            await asyncio.sleep(0.02)  # a database commit's time, for others to overlap
            recording -= 1

        return record

    await asyncio.gather(
        *(
            email_harness.sender.send(an_email(idempotency_key=key), record=record_of(key))
            for key in keys
        )
    )

    assert most_at_once == 1
    assert sorted(seen_at_record) == keys
    assert all(key in seen for key, seen in seen_at_record.items())  # accepted first


async def test_a_failing_record_fails_the_send_of_a_message_already_accepted(
    email_harness: EmailHarness,
) -> None:
    class RecordFailed(Exception):
        pass

    async def record() -> None:
        raise RecordFailed

    with pytest.raises(RecordFailed):
        await email_harness.sender.send(an_email(), record=record)
    await email_harness.sender.send(an_email(idempotency_key="after-a-failed-record"))

    assert [d.idempotency_key for d in email_harness.delivered()] == [
        "outage-restored-4411",
        "after-a-failed-record",
    ]


async def test_a_retry_carries_the_same_key(email_harness: EmailHarness) -> None:
    # The port does not deduplicate; a resend is recognisable by its key instead.
    await email_harness.sender.send(an_email())
    await email_harness.sender.send(an_email())

    assert [d.idempotency_key for d in email_harness.delivered()] == ["outage-restored-4411"] * 2


async def test_unreachable_server_raises_unavailable(email_harness: EmailHarness) -> None:
    sender = email_harness.unreachable_sender()

    with pytest.raises(EmailUnavailable):
        await sender.send(an_email())

    assert email_harness.delivered() == []


async def test_aclose_can_be_called_twice(email_harness: EmailHarness) -> None:
    await email_harness.sender.send(an_email())

    await email_harness.sender.aclose()
    await email_harness.sender.aclose()

    assert len(email_harness.delivered()) == 1
