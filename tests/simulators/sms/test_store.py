"""The stand-in's memory: keys, segments, and each message's way, one step at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.sms import sandbox
from adapters.sms.port import MessageStatus
from simulators.sms.store import ApiError, Json, MessageStore

MEMBER = "+15055550142"


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 3, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


def store(clock: Clock) -> MessageStore:
    return MessageStore(account_sid="AC1", now=clock, step=timedelta(seconds=1))


def send(messages: MessageStore, key: str, to: str = MEMBER, body: str = "Hi") -> tuple[int, Json]:
    return messages.send(
        {"to": to, "body": body},
        idempotency_key=key,
        default_from=sandbox.FROM_NUMBER,
        default_callback="https://g/cb",
    )


def test_a_key_names_one_message() -> None:
    messages = store(Clock())

    created, first = send(messages, "k")
    repeated, again = send(messages, "k", body="Something else")

    assert (created, repeated) == (201, 200)
    assert again is first
    assert len(messages.messages) == 1


def test_a_send_without_a_key_is_refused() -> None:
    with pytest.raises(ApiError) as refused:
        send(store(Clock()), "")

    assert refused.value.status == 400


def test_a_message_moves_one_step_at_a_time_with_a_callback_for_each() -> None:
    clock = Clock()
    messages = store(clock)
    _, message = send(messages, "k")

    assert messages.progress() == []
    clock.at += timedelta(seconds=1)
    [sent] = messages.progress()
    clock.at += timedelta(seconds=5)
    [delivered] = messages.progress()

    assert (sent.update.status, delivered.update.status) == (
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
    )
    assert sent.url == "https://g/cb"
    assert message["status"] == "delivered"
    clock.at += timedelta(seconds=5)
    assert messages.progress() == []


def test_find_is_newest_first_and_filters() -> None:
    messages = store(Clock())
    send(messages, "a")
    send(messages, "b", to=sandbox.FAILING_NUMBER)
    send(messages, "c")

    assert [m["idempotency_key"] for m in messages.find(idempotency_key=None, to=None)] == [
        "c",
        "b",
        "a",
    ]
    assert [m["idempotency_key"] for m in messages.find(idempotency_key=None, to=MEMBER)] == [
        "c",
        "a",
    ]
    assert [m["idempotency_key"] for m in messages.find(idempotency_key="b", to=None)] == ["b"]
