"""How the fake can be told to fail: for tests of retries and outboxes elsewhere."""

from __future__ import annotations

import pytest

from adapters.email.fake import FakeEmailSender
from adapters.email.port import EmailRejected, EmailUnavailable, OutgoingEmail


def an_email(key: str) -> OutgoingEmail:
    return OutgoingEmail(to="member@example.net", subject="Hi", text="Hello.", idempotency_key=key)


async def test_fails_the_given_number_of_times_then_sends() -> None:
    fake = FakeEmailSender()
    fake.fail_with(EmailUnavailable("relay down"), times=2)

    for key in ("try-1", "try-2"):
        with pytest.raises(EmailUnavailable, match="relay down"):
            await fake.send(an_email(key))
    await fake.send(an_email("try-3"))

    assert [message.idempotency_key for message in fake.sent] == ["try-3"]


async def test_fails_until_recovered() -> None:
    fake = FakeEmailSender()
    fake.fail_with(EmailUnavailable("relay down"))

    for key in ("try-1", "try-2", "try-3"):
        with pytest.raises(EmailUnavailable):
            await fake.send(an_email(key))
    fake.recover()
    await fake.send(an_email("try-4"))

    assert [message.idempotency_key for message in fake.sent] == ["try-4"]


async def test_refused_recipient_matches_regardless_of_case() -> None:
    fake = FakeEmailSender()
    fake.reject_recipient("Member@Example.NET")

    with pytest.raises(EmailRejected):
        await fake.send(an_email("bounce"))

    assert fake.sent == []


def test_times_must_be_positive() -> None:
    with pytest.raises(ValueError, match="times"):
        FakeEmailSender().fail_with(EmailUnavailable("x"), times=0)


async def test_aclose_is_recorded() -> None:
    fake = FakeEmailSender()

    await fake.aclose()

    assert fake.closed
