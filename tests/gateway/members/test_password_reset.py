"""Asking for a reset link: the same work whatever the email, and limited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from gateway.core.outbox.table import OutboxEntry
from gateway.core.store.gateway_store import GatewayStore
from gateway.members.mail_limit import MailLimits
from gateway.members.password_reset import RESET_MAIL_KIND, request_reset
from gateway.members.registration import CheckEmail
from tests.gateway.members.registration_support import Caller, add_member, fresh_address


@contextmanager
def statements(store: GatewayStore) -> Iterator[list[str]]:
    """The SQL the store runs inside the block, without its parameters."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def queued_for(store: GatewayStore, email: str) -> int:
    async with store.sessions() as session:
        entries = await session.scalars(
            select(OutboxEntry.payload).where(OutboxEntry.kind == RESET_MAIL_KIND)
        )
        return sum(1 for payload in entries if payload["email"] == email)


async def test_known_and_unknown_emails_do_the_same_work(
    anyone: Caller, store: GatewayStore
) -> None:
    # Timing told who has a login (6.1 ms against 2.3 ms): the known path looked up the
    # user, made a token and sent mail in the request. Now both run the same statements
    # and queue one outbox entry; what differs happens in the worker.
    _, known = await add_member(store, password_hash="x", account_number="1")
    unknown = "no.login.here@example.net"

    with statements(store) as for_known:
        answer_known = await request_reset(
            store=store, request_id="r-known", email=known, client_address=fresh_address()
        )
    with statements(store) as for_unknown:
        answer_unknown = await request_reset(
            store=store, request_id="r-unknown", email=unknown, client_address=fresh_address()
        )

    assert answer_known == answer_unknown == CheckEmail()
    assert for_known == for_unknown
    assert not any("users" in sql for sql in for_known)
    assert (await queued_for(store, known), await queued_for(store, unknown)) == (1, 1)
    assert anyone.outbox.sent == []
    await anyone.deliver()
    assert [m.to for m in anyone.outbox.sent] == [known]


async def test_a_request_beyond_the_email_limit_sends_no_mail(
    anyone: Caller, store: GatewayStore
) -> None:
    _, email = await add_member(store, password_hash="x", account_number="1")
    limits = MailLimits(per_email=1, per_address=100)

    answers = [
        await request_reset(
            store=store,
            request_id=f"r-limit-{n}",
            email=email,
            client_address=fresh_address(),
            limits=limits,
        )
        for n in range(2)
    ]
    await anyone.deliver()

    assert answers == [CheckEmail(), CheckEmail()]
    assert len(anyone.outbox.sent) == 1


async def test_a_request_beyond_the_address_limit_sends_no_mail(
    anyone: Caller, store: GatewayStore
) -> None:
    _, first = await add_member(store, password_hash="x", account_number="1")
    _, second = await add_member(store, password_hash="x", account_number="1")
    address = fresh_address()
    limits = MailLimits(per_email=100, per_address=1)

    for n, email in enumerate((first, second)):
        answer = await request_reset(
            store=store,
            request_id=f"r-address-{n}",
            email=email,
            client_address=address,
            limits=limits,
        )
        assert answer == CheckEmail()
    await anyone.deliver()

    assert [m.to for m in anyone.outbox.sent] == [first]
