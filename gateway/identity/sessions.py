"""Sign-in sessions: one per device, kept alive by rotating refresh tokens.

A session starts at sign-in with an access token (minutes) and a refresh token
(days). Each refresh spends the refresh token and hands out a new pair in the same
session, pushing its end out by the refresh lifetime, up to the session's maximum
age. A refresh token used twice was copied: the session is revoked, which also
stops its access tokens, since every request checks that its session still runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.store import (
    Device,
    Replayed,
    StoredSession,
    create_session,
    revoke_session,
    revoke_sessions_of_user,
    rotate_refresh_token,
    running_sessions,
)
from gateway.identity.tokens import AccessToken, TokenIssuer, new_refresh_token, refresh_token_hash
from gateway.identity.users import StoredUser

logger = logging.getLogger("gateway.identity.sessions")

# Why a session ended (login_sessions.revoked_reason).
LOGOUT = "logout"
REVOKED_BY_USER = "revoked_by_user"
SIGNED_OUT_ELSEWHERE = "signed_out_elsewhere"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
PASSWORD_RESET = "password_reset"  # noqa: S105 - a reason, not a password

# token_urlsafe(32) makes 43 characters; anything much longer is not one of ours.
MAX_REFRESH_TOKEN_LENGTH = 128


@dataclass(frozen=True, slots=True)
class SessionTokens:
    """What a client keeps after signing in or refreshing."""

    session_id: str
    access: AccessToken
    refresh_token: str = field(repr=False)
    refresh_expires_at: datetime


async def start_session(
    *, store: GatewayStore, tokens: TokenIssuer, user: StoredUser, device: Device
) -> SessionTokens:
    now = tokens.now()
    refresh_token = new_refresh_token()
    session = await create_session(
        store,
        user_id=user.id,
        refresh_token_hash=refresh_token_hash(refresh_token),
        device=device,
        now=now,
        expires_at=now + min(tokens.refresh_ttl, tokens.session_max_age),
    )
    return _tokens(tokens, session, user, refresh_token)


async def refresh_session(
    *, store: GatewayStore, tokens: TokenIssuer, refresh_token: str
) -> SessionTokens | None:
    """A new pair of tokens in the same session; None if the token does not work (any more)."""
    if not refresh_token or len(refresh_token) > MAX_REFRESH_TOKEN_LENGTH:
        return None
    successor = new_refresh_token()
    outcome = await rotate_refresh_token(
        store,
        token_hash=refresh_token_hash(refresh_token),
        new_token_hash=refresh_token_hash(successor),
        now=tokens.now(),
        refresh_ttl=tokens.refresh_ttl,
        max_age=tokens.session_max_age,
    )
    if outcome is None:
        return None
    if isinstance(outcome, Replayed):
        logger.warning("a spent refresh token came back: session %s revoked", outcome.session_id)
        return None
    session = outcome.session
    access = tokens.issue(user_id=session.user_id, role=outcome.role, session_id=session.id)
    return SessionTokens(session.id, access, successor, session.expires_at)


async def sessions_of(
    *, store: GatewayStore, tokens: TokenIssuer, user_id: int
) -> list[StoredSession]:
    """The user's running sessions, the most recently used first."""
    return await running_sessions(store, user_id=user_id, now=tokens.now())


async def end_session(store: GatewayStore, *, user_id: int, session_id: str, reason: str) -> bool:
    """Revoke one of the user's sessions; False if it is not theirs or already ended."""
    return await revoke_session(
        store, user_id=user_id, session_id=session_id, reason=reason, now=datetime.now(UTC)
    )


async def revoke_user_sessions(
    store: GatewayStore, user_id: int, *, reason: str, keep_session_id: str | None = None
) -> int:
    """Sign the user out everywhere (but in `keep_session_id`); how many sessions ended.

    Their access tokens stop working at once; their refresh tokens no longer refresh.
    """
    return await revoke_sessions_of_user(
        store,
        user_id=user_id,
        reason=reason,
        now=datetime.now(UTC),
        keep_session_id=keep_session_id,
    )


def _tokens(
    tokens: TokenIssuer, session: StoredSession, user: StoredUser, refresh_token: str
) -> SessionTokens:
    access = tokens.issue(user_id=user.id, role=user.role, session_id=session.id)
    return SessionTokens(session.id, access, refresh_token, session.expires_at)
