"""The contract every `SmsSender` keeps: a text goes once per key, is found again by id
and by key, moves on to delivered (or fails, for the sandbox's numbers) with signed
status callbacks, is refused with a reason, counts its segments, and inbound texts
come signed.

A pytest suite for any implementation, the fake or a real provider's test mode. It
needs one fixture, `sms_harness`: an `SmsHarness` holding the sender under test and
able to do what the provider's test mode does. Give each test a harness of its own.
Run the suite by importing it into a test module that has it:

    from adapters.sms.contract import *  # noqa: F403

The test numbers are the sandbox's (`adapters.sms.sandbox`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol

import pytest

from adapters.sms import sandbox
from adapters.sms.port import (
    InboundMessage,
    MessageStatus,
    RejectReason,
    SentMessage,
    SmsNotFound,
    SmsOutcomeUnknown,
    SmsRejected,
    SmsSender,
    SmsUnavailable,
    StatusUpdate,
)
from adapters.sms.signature import CallbackRejected, SignedCallback, verify

__all__ = [
    "SmsHarness",
    "test_a_body_is_counted_in_segments",
    "test_a_failing_number_fails_and_an_unreachable_one_is_undelivered",
    "test_a_lost_answer_is_found_by_key_and_never_sent_twice",
    "test_a_message_is_found_by_id_and_by_key",
    "test_a_provider_that_is_down_is_unavailable_and_sends_nothing",
    "test_a_text_is_queued_then_delivered",
    "test_an_inbound_text_comes_signed",
    "test_an_unknown_message_is_not_found",
    "test_refusals_say_why",
    "test_status_callbacks_are_signed_and_follow_the_message",
    "test_the_same_key_sends_once",
]

MEMBER = "+15055550142"


class SmsHarness(Protocol):
    """A sender under test, with the provider's test-mode part."""

    sender: SmsSender
    auth_token: str  # signs callbacks
    callback_url: str  # a URL the harness receives status callbacks at

    async def callbacks(self, at_least: int) -> list[SignedCallback]:
        """The status callbacks received so far, once there are `at_least` (or fail)."""
        ...

    async def inject_inbound(self, *, from_: str, body: str) -> SignedCallback:
        """A member texts the co-op's number; the inbound webhook as it was received."""
        ...

    async def drop_next_answer(self) -> None:
        """The next send is carried out, and its answer lost."""
        ...

    async def set_down(self, down: bool) -> None: ...


async def _settled(sender: SmsSender, message_id: str, *, polls: int = 500) -> SentMessage:
    """The message once its status is final, asking every 20 ms (a port has no push)."""
    for _ in range(polls):
        message = await sender.get_message(message_id)
        if message.status.is_final:
            return message
        await asyncio.sleep(0.02)
    pytest.fail(f"{message_id} is still {message.status} after {polls} looks")


async def test_a_text_is_queued_then_delivered(sms_harness: SmsHarness) -> None:
    sender = sms_harness.sender

    message = await sender.send(to=MEMBER, body="Your bill is ready.", idempotency_key="k-1")

    assert message.status is MessageStatus.QUEUED
    assert (message.to, message.body, message.idempotency_key) == (
        MEMBER,
        "Your bill is ready.",
        "k-1",
    )
    assert message.from_.startswith("+")
    assert message.segments == 1
    delivered = await _settled(sender, message.id)
    assert delivered.status is MessageStatus.DELIVERED
    assert delivered.error_code is None


async def test_a_message_is_found_by_id_and_by_key(sms_harness: SmsHarness) -> None:
    sender = sms_harness.sender
    message = await sender.send(to=MEMBER, body="Outage restored.", idempotency_key="k-2")

    by_id = await sender.get_message(message.id)
    by_key = await sender.find_by_key("k-2")

    assert by_id.id == message.id
    assert by_id.body == "Outage restored."
    assert by_key is not None
    assert by_key.id == message.id
    assert await sender.find_by_key("k-never-used") is None


async def test_an_unknown_message_is_not_found(sms_harness: SmsHarness) -> None:
    with pytest.raises(SmsNotFound):
        await sms_harness.sender.get_message("SM" + "0" * 32)


async def test_the_same_key_sends_once(sms_harness: SmsHarness) -> None:
    sender = sms_harness.sender
    first = await sender.send(to=MEMBER, body="Payment received.", idempotency_key="k-3")

    again = await sender.send(to=MEMBER, body="Payment received.", idempotency_key="k-3")
    other = await sender.send(to=MEMBER, body="Payment received.", idempotency_key="k-4")

    assert again.id == first.id
    assert other.id != first.id


async def test_a_lost_answer_is_found_by_key_and_never_sent_twice(
    sms_harness: SmsHarness,
) -> None:
    sender = sms_harness.sender
    await sms_harness.drop_next_answer()

    with pytest.raises(SmsOutcomeUnknown) as lost:
        await sender.send(to=MEMBER, body="Autopay drafted.", idempotency_key="k-5")

    assert lost.value.idempotency_key == "k-5"
    found = await sender.find_by_key("k-5")
    assert found is not None
    assert found.body == "Autopay drafted."
    retried = await sender.send(to=MEMBER, body="Autopay drafted.", idempotency_key="k-5")
    assert retried.id == found.id


async def test_a_provider_that_is_down_is_unavailable_and_sends_nothing(
    sms_harness: SmsHarness,
) -> None:
    sender = sms_harness.sender
    await sms_harness.set_down(True)

    with pytest.raises(SmsUnavailable):
        await sender.send(to=MEMBER, body="Hello.", idempotency_key="k-6")

    await sms_harness.set_down(False)
    assert await sender.find_by_key("k-6") is None


@pytest.mark.parametrize(
    ("to", "body", "reason"),
    [
        (sandbox.INVALID_NUMBER, "Hello.", RejectReason.INVALID_NUMBER),
        ("5055550142", "Hello.", RejectReason.INVALID_NUMBER),  # not E.164
        ("+1505555014", "Hello.", RejectReason.INVALID_NUMBER),
        (sandbox.OPTED_OUT_NUMBER, "Hello.", RejectReason.OPTED_OUT),
        (MEMBER, "x" * (153 * 10 + 1), RejectReason.BODY_TOO_LONG),
    ],
    ids=["test-invalid", "national", "short", "opted-out", "too-long"],
)
async def test_refusals_say_why(
    sms_harness: SmsHarness, to: str, body: str, reason: RejectReason
) -> None:
    sender = sms_harness.sender

    with pytest.raises(SmsRejected) as refused:
        await sender.send(to=to, body=body, idempotency_key="k-7")

    assert refused.value.reason is reason
    assert await sender.find_by_key("k-7") is None


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # extension characters take two places
        ("é" * 160, 1),  # in the GSM alphabet
        ("ć" * 70, 1),  # not: UCS-2
        ("ć" * 71, 2),
        ("ć" * 134, 2),
        ("ć" * 135, 3),
    ],
)
async def test_a_body_is_counted_in_segments(
    sms_harness: SmsHarness, body: str, segments: int
) -> None:
    message = await sms_harness.sender.send(to=MEMBER, body=body, idempotency_key="k-8")

    assert message.segments == segments


async def test_a_failing_number_fails_and_an_unreachable_one_is_undelivered(
    sms_harness: SmsHarness,
) -> None:
    sender = sms_harness.sender
    failing = await sender.send(to=sandbox.FAILING_NUMBER, body="Hi.", idempotency_key="k-9")
    unreachable = await sender.send(
        to=sandbox.UNREACHABLE_NUMBER, body="Hi.", idempotency_key="k-10"
    )

    failed = await _settled(sender, failing.id)
    undelivered = await _settled(sender, unreachable.id)

    assert (failed.status, failed.error_code) == (MessageStatus.FAILED, sandbox.ERROR_FAILED)
    assert (undelivered.status, undelivered.error_code) == (
        MessageStatus.UNDELIVERED,
        sandbox.ERROR_UNREACHABLE,
    )


async def test_status_callbacks_are_signed_and_follow_the_message(
    sms_harness: SmsHarness,
) -> None:
    message = await sms_harness.sender.send(
        to=MEMBER,
        body="Your payment posted.",
        idempotency_key="k-11",
        status_callback_url=sms_harness.callback_url,
    )
    callbacks = await sms_harness.callbacks(at_least=2)
    token, now = sms_harness.auth_token, datetime.now(UTC)

    # A set: callbacks go out one by one, and a receiver may get them out of order.
    updates = {verify(token, c.signature, c.body, now=now) for c in callbacks}

    assert updates == {
        StatusUpdate(message_id=message.id, status=MessageStatus.SENT),
        StatusUpdate(message_id=message.id, status=MessageStatus.DELIVERED),
    }
    first = callbacks[0]
    with pytest.raises(CallbackRejected):
        verify("someone-else", first.signature, first.body, now=now)
    with pytest.raises(CallbackRejected):
        verify(token, first.signature, first.body.replace(b"sent", b"read"), now=now)
    with pytest.raises(CallbackRejected):
        verify(token, first.signature, first.body, now=now + timedelta(seconds=301))


async def test_an_inbound_text_comes_signed(sms_harness: SmsHarness) -> None:
    inbound = await sms_harness.inject_inbound(from_=MEMBER, body="STOP")

    received = verify(
        sms_harness.auth_token, inbound.signature, inbound.body, now=datetime.now(UTC)
    )

    assert isinstance(received, InboundMessage)
    assert (received.from_, received.body) == (MEMBER, "STOP")
    assert received.to.startswith("+")
    assert received.id
