"""Sessions through the auth functions: rotation, replay, revocation, and what requests see."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from gateway.core.errors import Unauthenticated
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.policy import SESSION_ENDED, AccountAccess
from gateway.identity.sessions import (
    PASSWORD_CHANGED,
    SessionTokens,
    end_session,
    refresh_session,
    revoke_user_sessions,
    sessions_of,
    start_session,
)
from gateway.identity.store import Device
from gateway.identity.tokens import TokenIssuer
from gateway.identity.users import StoredUser, get_user
from gateway.identity.viewer import Authentication, authenticate
from tests.gateway.core.store.databases import add_user
from tests.gateway.support import SECRET, TOKENS

LAPTOP = Device("Kitchen laptop", "Mozilla/5.0", "192.0.2.50")


async def new_user(store: GatewayStore) -> StoredUser:
    user = await get_user(store, await add_user(store))
    assert user is not None
    return user


async def nothing_exists(_: str) -> bool:
    return False


def access_for(
    store: GatewayStore, issued: SessionTokens, tokens: TokenIssuer = TOKENS
) -> AccountAccess:
    authentication = authenticate(f"Bearer {issued.access.token}", tokens)
    return AccountAccess(
        authentication=authentication, store=store, account_exists=nothing_exists, clock=tokens.now
    )


async def test_a_refresh_hands_out_new_tokens_in_the_same_session(
    gateway_store: GatewayStore,
) -> None:
    user = await new_user(gateway_store)
    first = await start_session(store=gateway_store, tokens=TOKENS, user=user, device=LAPTOP)
    second = await refresh_session(
        store=gateway_store, tokens=TOKENS, refresh_token=first.refresh_token
    )
    assert second is not None
    assert second.session_id == first.session_id
    assert second.refresh_token != first.refresh_token
    assert second.access.token != first.access.token
    assert TOKENS.verify(second.access.token).session_id == first.session_id
    # Tokens issued before a refresh keep working until they expire: the session runs on.
    signed_in = await access_for(gateway_store, first).user()
    assert signed_in is not None
    assert signed_in.id == user.id


async def test_a_replayed_refresh_token_ends_the_session_and_its_access_tokens(
    gateway_store: GatewayStore, caplog: pytest.LogCaptureFixture
) -> None:
    user = await new_user(gateway_store)
    first = await start_session(store=gateway_store, tokens=TOKENS, user=user, device=LAPTOP)
    second = await refresh_session(
        store=gateway_store, tokens=TOKENS, refresh_token=first.refresh_token
    )
    assert second is not None
    with caplog.at_level(logging.WARNING, logger="gateway.identity.sessions"):
        replay = await refresh_session(
            store=gateway_store, tokens=TOKENS, refresh_token=first.refresh_token
        )
    assert replay is None
    assert first.session_id in caplog.text
    assert first.refresh_token not in caplog.text
    assert (
        await refresh_session(
            store=gateway_store, tokens=TOKENS, refresh_token=second.refresh_token
        )
        is None
    )
    access = access_for(gateway_store, second)
    assert await access.user() is None
    with pytest.raises(Unauthenticated, match=SESSION_ENDED):
        await access.require_user()
    assert await sessions_of(store=gateway_store, tokens=TOKENS, user_id=user.id) == []


@pytest.mark.parametrize("token", ["", "not-a-refresh-token", "x" * 5000])
async def test_tokens_that_were_never_issued_refresh_nothing(
    gateway_store: GatewayStore, token: str
) -> None:
    assert await refresh_session(store=gateway_store, tokens=TOKENS, refresh_token=token) is None


async def test_an_idle_session_cannot_be_refreshed(gateway_store: GatewayStore) -> None:
    clock = [datetime(2026, 11, 15, 12, 0, tzinfo=UTC)]
    tokens = TokenIssuer(
        SECRET,
        ttl=timedelta(minutes=15),
        refresh_ttl=timedelta(days=30),
        session_max_age=timedelta(days=90),
        clock=lambda: clock[0],
    )
    user = await new_user(gateway_store)
    issued = await start_session(store=gateway_store, tokens=tokens, user=user, device=LAPTOP)
    assert issued.refresh_expires_at == clock[0] + timedelta(days=30)
    clock[0] += timedelta(days=30)
    assert (
        await refresh_session(
            store=gateway_store, tokens=tokens, refresh_token=issued.refresh_token
        )
        is None
    )


async def test_signing_out_everywhere_else_keeps_only_this_session(
    gateway_store: GatewayStore,
) -> None:
    user = await new_user(gateway_store)
    here, phone, tablet = [
        await start_session(store=gateway_store, tokens=TOKENS, user=user, device=LAPTOP)
        for _ in range(3)
    ]
    ended = await revoke_user_sessions(
        gateway_store, user.id, reason=PASSWORD_CHANGED, keep_session_id=here.session_id
    )
    assert ended == 2
    running = await sessions_of(store=gateway_store, tokens=TOKENS, user_id=user.id)
    assert [s.id for s in running] == [here.session_id]
    for gone in (phone, tablet):
        assert await access_for(gateway_store, gone).user() is None
        assert (
            await refresh_session(
                store=gateway_store, tokens=TOKENS, refresh_token=gone.refresh_token
            )
            is None
        )
    assert await access_for(gateway_store, here).user() is not None
    assert await revoke_user_sessions(gateway_store, user.id, reason=PASSWORD_CHANGED) == 1
    assert await access_for(gateway_store, here).user() is None


async def test_ending_a_session_needs_its_owner(gateway_store: GatewayStore) -> None:
    owner, stranger = await new_user(gateway_store), await new_user(gateway_store)
    issued = await start_session(store=gateway_store, tokens=TOKENS, user=owner, device=LAPTOP)
    assert not await end_session(
        gateway_store, user_id=stranger.id, session_id=issued.session_id, reason="logout"
    )
    assert await access_for(gateway_store, issued).user() is not None
    assert await end_session(
        gateway_store, user_id=owner.id, session_id=issued.session_id, reason="logout"
    )
    assert await access_for(gateway_store, issued).user() is None


async def test_an_anonymous_request_is_asked_to_sign_in_not_told_of_an_ended_session(
    gateway_store: GatewayStore,
) -> None:
    access = AccountAccess(
        authentication=Authentication(None), store=gateway_store, account_exists=nothing_exists
    )
    assert await access.user() is None
    with pytest.raises(Unauthenticated, match="Sign in to see account data"):
        await access.require_user()
