"""The one rule for account data: who may see which account.

A member sees the accounts linked to them in the gateway's store; staff and admins
see any account the CIS knows. Everything else (someone else's account, a number
that does not exist, a malformed one) gets the same answer: "not found", so the API
never confirms that an account exists to someone who may not see it. Every
account-scoped resolver and mutation asks `AccountAccess.can_see`, and nothing else.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from gateway.core.clock import Clock, utc_now
from gateway.core.errors import Unauthenticated
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.store import ViewerInSession, viewer_in_session
from gateway.identity.tables import Role
from gateway.identity.users import StoredUser, account_numbers, get_user
from gateway.identity.viewer import Authentication

ACCOUNT_NUMBER = re.compile(r"[0-9A-Za-z-]{1,32}")
SESSION_ENDED = "This sign-in has ended; sign in again."


class ViewerReader(Protocol):
    """`viewer_in_session`, or the same through `gateway.identity.held.HeldSessions`."""

    async def __call__(
        self, store: GatewayStore, *, user_id: int, session_id: str, now: datetime
    ) -> ViewerInSession | None: ...


class AccountAccess:
    """Per request: the viewer's user row and linked accounts are read once."""

    def __init__(
        self,
        *,
        authentication: Authentication,
        store: GatewayStore,
        account_exists: Callable[[str], Awaitable[bool]],
        clock: Clock = utc_now,
        read_viewer: ViewerReader = viewer_in_session,
    ) -> None:
        """`read_viewer`: how the session's facts are read (held in process, or not)."""
        self._authentication = authentication
        self._store = store
        self._account_exists = account_exists
        self._clock = clock
        self._read_viewer = read_viewer
        self._user: asyncio.Task[StoredUser | None] | None = None
        self._linked: asyncio.Task[frozenset[str]] | None = None
        # Read with the user when the token names a session (every request from a client).
        self._linked_with_user: frozenset[str] | None = None

    @property
    def is_signed_in(self) -> bool:
        return self._authentication.viewer is not None

    @property
    def sent_credentials(self) -> bool:
        """True when the request carried an Authorization header, valid or not."""
        return self._authentication.viewer is not None or self._authentication.problem is not None

    async def user(self) -> StoredUser | None:
        """The signed-in user; None when anonymous, the user no longer exists, or the
        token's sign-in session was revoked or has expired (read with the user row)."""
        viewer = self._authentication.viewer
        if viewer is None:
            return None
        if self._user is None:
            if viewer.session_id is None:
                read = get_user(self._store, viewer.user_id)
            else:
                read = self._read_in_session(viewer.user_id, viewer.session_id)
            self._user = asyncio.ensure_future(read)
        return await self._user

    async def _read_in_session(self, user_id: int, session_id: str) -> StoredUser | None:
        found = await self._read_viewer(
            self._store, user_id=user_id, session_id=session_id, now=self._clock()
        )
        if found is None:
            return None
        self._linked_with_user = found.linked_accounts
        return found.user

    async def require_user(self) -> StoredUser:
        user = await self.user()
        if user is None:
            signed_in = self._authentication.viewer is not None
            raise Unauthenticated(SESSION_ENDED if signed_in else self._authentication.problem)
        return user

    async def linked_accounts(self) -> list[str]:
        """The accounts linked to the signed-in user, in number order."""
        user = await self.require_user()
        if self._linked_with_user is not None:
            return sorted(self._linked_with_user)
        if self._linked is None:
            self._linked = asyncio.ensure_future(account_numbers(self._store, user.id))
        return sorted(await self._linked)

    async def can_see(self, account_number: str) -> bool:
        """Raises `Unauthenticated` when nobody is signed in."""
        user = await self.require_user()
        if not ACCOUNT_NUMBER.fullmatch(account_number):
            return False
        if user.role is Role.MEMBER:
            return account_number in await self.linked_accounts()
        return await self._account_exists(account_number)
