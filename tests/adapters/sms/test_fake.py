"""What the fake records for tests that use it: the outbox and the callbacks it owes."""

from __future__ import annotations

from adapters.sms import sandbox
from adapters.sms.fake import FakeSmsSender
from adapters.sms.port import MessageStatus


async def test_a_default_callback_url_gets_every_step() -> None:
    fake = FakeSmsSender(status_callback_url="https://g/cb")

    await fake.send(to=sandbox.UNREACHABLE_NUMBER, body="Hi", idempotency_key="k")

    assert [c.url for c in fake.callbacks] == ["https://g/cb", "https://g/cb"]
    assert [m.status for m in fake.outbox] == [MessageStatus.UNDELIVERED]


async def test_without_a_callback_url_nothing_is_owed_and_a_repeat_adds_nothing() -> None:
    fake = FakeSmsSender()

    await fake.send(to="+15055550142", body="Hi", idempotency_key="k")
    await fake.send(to="+15055550142", body="Hi", idempotency_key="k")

    assert fake.callbacks == []
    assert len(fake.outbox) == 1
