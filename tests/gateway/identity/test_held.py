"""Sign-in facts held in process: served while held, forgotten at once when the login
changes, never held while drops are not heard, never past the session's end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import event

from gateway.core.response_cache.port import UNKNOWN, Dropped
from gateway.core.response_cache.tags import account_tag, login_tag
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.held import HeldSessions
from gateway.identity.store import Device, create_session, revoke_session
from gateway.members.store import Access, link_account
from tests.gateway.core.store.databases import add_user, migrated_store

NOW = datetime.now(UTC)
HOLD_S = 2.0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture(scope="module")
async def store(request: pytest.FixtureRequest) -> AsyncIterator[GatewayStore]:
    # The store is only what is read through the holder: SQLite alone will do.
    opened = await migrated_store("sqlite", request)
    yield opened
    await opened.aclose()


async def signed_in(
    store: GatewayStore, *, expires_in: timedelta = timedelta(days=1)
) -> tuple[int, str]:
    user_id = await add_user(store, account_numbers=("4100",))
    session = await create_session(
        store,
        user_id=user_id,
        refresh_token_hash=f"held-{user_id}".ljust(64, "0"),
        device=Device(),
        now=NOW,
        expires_at=NOW + expires_in,
    )
    return user_id, session.id


def listening(clock: Clock) -> HeldSessions:
    held = HeldSessions(hold_s=HOLD_S, clock=clock)
    held.reset(0)
    return held


async def sign_out_unannounced(store: GatewayStore, user_id: int, session_id: str) -> None:
    """Ends the session in the store alone, as no write of the gateway would."""
    assert await revoke_session(
        store, user_id=user_id, session_id=session_id, reason="logout", now=NOW
    )


async def test_facts_are_held_for_the_hold_and_read_again_after_it(store: GatewayStore) -> None:
    clock = Clock()
    held = listening(clock)
    user_id, session_id = await signed_in(store)

    first = await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW)
    assert first is not None
    assert first.linked_accounts == frozenset({"4100"})
    await sign_out_unannounced(store, user_id, session_id)
    clock.now += HOLD_S - 0.1
    assert (
        await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW)
        == first
    )
    clock.now += 0.2
    assert (
        await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW) is None
    )


async def test_a_drop_of_the_login_forgets_its_facts_at_once(store: GatewayStore) -> None:
    clock = Clock()
    held = listening(clock)
    user_id, session_id = await signed_in(store)
    other_id, other_session = await signed_in(store)
    await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW)
    await held.viewer_in_session(store, user_id=other_id, session_id=other_session, now=NOW)

    await link_account(store, user_id=user_id, account_number="4101", access=Access.HOLDER, now=NOW)
    await sign_out_unannounced(store, other_id, other_session)
    held.hear(Dropped(7, (account_tag("4100"), login_tag(user_id)), ()))

    again = await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW)
    assert again is not None
    assert again.linked_accounts == frozenset({"4100", "4101"})
    # Another login's drop was not heard: its facts are still held.
    assert (
        await held.viewer_in_session(store, user_id=other_id, session_id=other_session, now=NOW)
        is not None
    )
    held.forget([login_tag(other_id)])  # as this process drops it, before publishing
    assert (
        await held.viewer_in_session(store, user_id=other_id, session_id=other_session, now=NOW)
        is None
    )


async def test_nothing_is_held_while_drops_are_not_heard(store: GatewayStore) -> None:
    clock = Clock()
    held = HeldSessions(hold_s=HOLD_S, clock=clock)  # not subscribed yet
    user_id, session_id = await signed_in(store)
    assert await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW)
    held.reset(0)
    assert await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW)

    held.reset(UNKNOWN)  # the subscription broke: what is held may miss a drop
    await sign_out_unannounced(store, user_id, session_id)
    assert held.listening is False
    assert (
        await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW) is None
    )


async def test_a_read_overtaken_by_a_change_of_its_login_is_not_held(
    store: GatewayStore,
) -> None:
    clock = Clock()
    held = listening(clock)
    user_id, session_id = await signed_in(store)

    sent = asyncio.Event()

    def note(*_: object) -> None:
        sent.set()  # SQLAlchemy's async engine runs this on the event loop's thread

    event.listen(store.engine.sync_engine, "before_cursor_execute", note)
    try:
        reading = asyncio.ensure_future(
            held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW)
        )
        await sent.wait()  # the read has started
        held.hear(Dropped(8, (login_tag(user_id),), ()))
        assert await reading is not None
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", note)
    await sign_out_unannounced(store, user_id, session_id)

    assert (
        await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW) is None
    )


async def test_a_held_session_is_not_served_past_its_end(store: GatewayStore) -> None:
    clock = Clock()
    held = listening(clock)
    user_id, session_id = await signed_in(store, expires_in=timedelta(minutes=1))
    assert await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW)

    later = NOW + timedelta(minutes=1)
    assert (
        await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=later)
        is None
    )


async def test_at_most_so_many_logins_are_held(store: GatewayStore) -> None:
    clock = Clock()
    held = HeldSessions(hold_s=HOLD_S, max_logins=1, clock=clock)
    held.reset(0)
    first_id, first_session = await signed_in(store)
    second_id, second_session = await signed_in(store)
    await held.viewer_in_session(store, user_id=first_id, session_id=first_session, now=NOW)
    await held.viewer_in_session(store, user_id=second_id, session_id=second_session, now=NOW)

    await sign_out_unannounced(store, first_id, first_session)
    await sign_out_unannounced(store, second_id, second_session)

    assert (
        await held.viewer_in_session(store, user_id=first_id, session_id=first_session, now=NOW)
        is None
    )  # the first was let go to hold the second
    assert (
        await held.viewer_in_session(store, user_id=second_id, session_id=second_session, now=NOW)
        is not None
    )


async def test_requests_of_a_session_that_miss_together_share_one_read(
    store: GatewayStore,
) -> None:
    held = listening(Clock())
    user_id, session_id = await signed_in(store)
    statements: list[str] = []

    def note(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    async def read() -> object:
        return await held.viewer_in_session(store, user_id=user_id, session_id=session_id, now=NOW)

    event.listen(store.engine.sync_engine, "before_cursor_execute", note)
    try:
        together = await asyncio.gather(*(read() for _ in range(8)))
        assert len(statements) == 1
        assert all(found == together[0] is not None for found in together)

        held.hear(Dropped(9, (login_tag(user_id),), ()))
        before_the_change = asyncio.ensure_future(read())
        await asyncio.sleep(0)
        held.hear(Dropped(10, (login_tag(user_id),), ()))
        await asyncio.gather(before_the_change, read())  # the second does not join it
        assert len(statements) == 3
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", note)
