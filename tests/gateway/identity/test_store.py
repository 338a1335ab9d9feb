"""Sessions, refresh-token rotation and sign-in attempts, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.store import (
    TOKEN_REUSE,
    Device,
    Replayed,
    Rotated,
    StoredSession,
    add_attempt,
    attempt_succeeded,
    create_session,
    forget_attempt,
    prune_attempts,
    recent_failures,
    revoke_session,
    revoke_sessions_of_user,
    rotate_refresh_token,
    running_sessions,
    viewer_in_session,
)
from gateway.identity.tables import LoginAttempt, LoginSession, RefreshToken, Role
from tests.gateway.core.store.databases import add_user, announcing, store_on_each_backend

# On SQLite and on the real PostgreSQL, one database per module.
store = store_on_each_backend()

NOON = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
REFRESH_TTL = 30 * DAY
MAX_AGE = 90 * DAY
PHONE = Device("Pat's phone", "CoopApp/3.1 (iOS 19)", "198.51.100.7")


async def start(
    store: GatewayStore, user_id: int, token_hash: str, *, now: datetime = NOON
) -> StoredSession:
    return await create_session(
        store,
        user_id=user_id,
        refresh_token_hash=token_hash,
        device=PHONE,
        now=now,
        expires_at=now + REFRESH_TTL,
    )


async def rotate(
    store: GatewayStore, old: str, new: str, *, now: datetime
) -> Rotated | Replayed | None:
    return await rotate_refresh_token(
        store, token_hash=old, new_token_hash=new, now=now, refresh_ttl=REFRESH_TTL, max_age=MAX_AGE
    )


async def revoked_reason(store: GatewayStore, session_id: str) -> str | None:
    async with store.sessions() as db:
        row = await db.get(LoginSession, session_id)
        assert row is not None
        return row.revoked_reason


async def test_a_new_session_remembers_its_device(store: GatewayStore) -> None:
    user_id = await add_user(store)
    session = await start(store, user_id, "a" * 64)
    assert len(session.id) == 32
    assert session.device == PHONE
    assert (session.created_at, session.last_used_at) == (NOON, NOON)
    assert session.expires_at == NOON + REFRESH_TTL
    [listed] = await running_sessions(store, user_id=user_id, now=NOON)
    assert listed == session


async def test_rotation_spends_the_token_and_a_replay_revokes_the_family(
    store: GatewayStore,
) -> None:
    user_id = await add_user(store, role=Role.STAFF)
    session = await start(store, user_id, "b1" * 32)
    later = NOON + DAY
    rotated = await rotate(store, "b1" * 32, "b2" * 32, now=later)
    assert isinstance(rotated, Rotated)
    assert rotated.role is Role.STAFF
    assert rotated.session.id == session.id
    assert rotated.session.last_used_at == later
    assert rotated.session.expires_at == later + REFRESH_TTL

    replayed = await rotate(store, "b1" * 32, "b3" * 32, now=later + DAY)
    assert replayed == Replayed(session.id, user_id)
    assert await revoked_reason(store, session.id) == TOKEN_REUSE
    # The family is gone: the successor no longer refreshes, and nothing was issued.
    assert await rotate(store, "b2" * 32, "b4" * 32, now=later + DAY) is None
    async with store.sessions() as db:
        hashes = set(await db.scalars(select(RefreshToken.token_hash)))
    assert "b3" * 32 not in hashes
    assert await viewer_in_session(store, user_id=user_id, session_id=session.id, now=later) is None


async def test_the_same_token_twice_at_once_refreshes_only_once(store: GatewayStore) -> None:
    user_id = await add_user(store)
    session = await start(store, user_id, "c1" * 32)
    outcomes = await asyncio.gather(
        rotate(store, "c1" * 32, "c2" * 32, now=NOON + DAY),
        rotate(store, "c1" * 32, "c3" * 32, now=NOON + DAY),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Replayed", "Rotated"]
    assert await revoked_reason(store, session.id) == TOKEN_REUSE


async def test_an_unknown_token_refreshes_nothing(store: GatewayStore) -> None:
    assert await rotate(store, "d0" * 32, "d1" * 32, now=NOON) is None


async def test_refreshing_slides_the_end_but_never_past_the_maximum_age(
    store: GatewayStore,
) -> None:
    user_id = await add_user(store)
    await start(store, user_id, "e0" * 32)
    ends = []
    for step, days in enumerate((29, 58, 87), start=1):
        rotated = await rotate(store, f"e{step - 1}" * 32, f"e{step}" * 32, now=NOON + days * DAY)
        assert isinstance(rotated, Rotated)
        ends.append(rotated.session.expires_at)
    assert ends == [NOON + 59 * DAY, NOON + 88 * DAY, NOON + MAX_AGE]
    assert await rotate(store, "e3" * 32, "e4" * 32, now=NOON + MAX_AGE) is None


async def test_an_idle_session_expires(store: GatewayStore) -> None:
    user_id = await add_user(store)
    session = await start(store, user_id, "f0" * 32)
    expired = NOON + REFRESH_TTL
    assert await rotate(store, "f0" * 32, "f1" * 32, now=expired) is None
    assert await running_sessions(store, user_id=user_id, now=expired) == []
    assert (
        await viewer_in_session(store, user_id=user_id, session_id=session.id, now=expired) is None
    )
    assert await revoked_reason(store, session.id) is None  # ended, not revoked


async def test_the_user_and_their_accounts_are_read_only_with_a_running_session_of_theirs(
    store: GatewayStore,
) -> None:
    user_id = await add_user(store, account_numbers=("2000100", "2000113"))
    other_id = await add_user(store)
    session = await start(store, user_id, "g0" * 32)
    found = await viewer_in_session(store, user_id=user_id, session_id=session.id, now=NOON)
    assert found is not None
    user, linked = found.user, found.linked_accounts
    assert (user.id, user.role, linked) == (user_id, Role.MEMBER, frozenset({"2000100", "2000113"}))
    assert found.session_expires_at == session.expires_at
    other_session = await start(store, other_id, "g1" * 32)
    unlinked = await viewer_in_session(
        store, user_id=other_id, session_id=other_session.id, now=NOON
    )
    assert unlinked is not None
    assert unlinked.linked_accounts == frozenset()
    assert await viewer_in_session(store, user_id=other_id, session_id=session.id, now=NOON) is None
    assert await viewer_in_session(store, user_id=user_id, session_id="0" * 32, now=NOON) is None


async def test_revoking_one_session_or_all_others(store: GatewayStore) -> None:
    user_id, other_id = await add_user(store), await add_user(store)
    first = await start(store, user_id, "h1" * 32)
    second = await start(store, user_id, "h2" * 32, now=NOON + timedelta(minutes=1))
    third = await start(store, user_id, "h3" * 32, now=NOON + timedelta(minutes=2))
    theirs = await start(store, other_id, "h4" * 32)
    now = NOON + timedelta(hours=1)

    listed = await running_sessions(store, user_id=user_id, now=now)
    assert [s.id for s in listed] == [third.id, second.id, first.id]
    assert not await revoke_session(
        store, user_id=user_id, session_id=theirs.id, reason="revoked_by_user", now=now
    )
    assert await revoke_session(
        store, user_id=user_id, session_id=first.id, reason="revoked_by_user", now=now
    )
    assert not await revoke_session(
        store, user_id=user_id, session_id=first.id, reason="revoked_by_user", now=now
    )
    ended = await revoke_sessions_of_user(
        store, user_id=user_id, reason="signed_out_elsewhere", now=now, keep_session_id=second.id
    )
    assert ended == 1
    assert [s.id for s in await running_sessions(store, user_id=user_id, now=now)] == [second.id]
    assert await revoked_reason(store, third.id) == "signed_out_elsewhere"
    assert [s.id for s in await running_sessions(store, user_id=other_id, now=now)] == [theirs.id]
    everywhere = await revoke_sessions_of_user(
        store, user_id=user_id, reason="password_changed", now=now
    )
    assert everywhere == 1
    assert await running_sessions(store, user_id=user_id, now=now) == []


async def test_failed_attempts_count_by_email_since_its_last_success(
    store: GatewayStore,
) -> None:
    email, address = "attempts-by-email@example.com", "203.0.113.10"
    times = [NOON + timedelta(minutes=m) for m in range(5)]
    ids = [await add_attempt(store, email=email, client_address=address, now=t) for t in times]
    since = NOON - timedelta(minutes=15)
    assert await recent_failures(store, since=since, limit=10, email=email) == times[::-1]
    assert await recent_failures(store, since=since, limit=2, email=email) == times[:2:-1]
    assert await recent_failures(store, since=times[3], limit=10, email=email) == times[:2:-1]

    await attempt_succeeded(store, ids[2])
    assert await recent_failures(store, since=since, limit=10, email=email) == times[:2:-1]
    # The address keeps counting every failure, successes elsewhere or not.
    assert await recent_failures(store, since=since, limit=10, client_address=address) == [
        times[4],
        times[3],
        times[1],
        times[0],
    ]
    await forget_attempt(store, ids[4])
    assert await recent_failures(store, since=since, limit=10, email=email) == [times[3]]


async def test_old_attempts_are_pruned(store: GatewayStore) -> None:
    email = "attempts-pruned@example.com"
    old = NOON - 30 * DAY
    for when in (old, old + timedelta(seconds=1), NOON):
        await add_attempt(store, email=email, client_address="203.0.113.11", now=when)
    assert await prune_attempts(store, before=old + timedelta(seconds=2)) == 2
    async with store.sessions() as db:
        left = list(
            await db.scalars(select(LoginAttempt.attempted_at).where(LoginAttempt.email == email))
        )
    assert len(left) == 1


async def test_ending_sessions_is_announced_as_a_change_of_the_login(store: GatewayStore) -> None:
    watched, announced = announcing(store)
    user_id = await add_user(store)
    first = await start(store, user_id, "k1" * 32)
    await start(store, user_id, "k2" * 32)
    await start(store, user_id, "k3" * 32)

    assert await revoke_session(
        watched, user_id=user_id, session_id=first.id, reason="logout", now=NOON
    )
    assert not await revoke_session(
        watched, user_id=user_id, session_id=first.id, reason="logout", now=NOON
    )
    assert announced == [user_id]  # ending nothing changes nothing
    await rotate(watched, "k2" * 32, "k4" * 32, now=NOON)
    assert announced == [user_id]  # a refresh changes no fact a request learns
    replayed = await rotate(watched, "k2" * 32, "k5" * 32, now=NOON)
    assert isinstance(replayed, Replayed)
    assert announced == [user_id, user_id]
    ended = await revoke_sessions_of_user(watched, user_id=user_id, reason="reset", now=NOON)
    assert ended == 1
    assert announced == [user_id] * 3
