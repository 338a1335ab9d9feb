"""The gateway's own database, opened once per process and shared by requests and jobs.

The domains own their tables and queries (`gateway/<domain>/tables.py` and store
modules); this is only the engine and its sessions, and the one announcement the
store modules make: that what a request learns of its login (its sign-in session, its
role and email, its linked accounts) changed, so that processes holding those facts
(`gateway.identity.held`) drop them at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

LoginsChanged = Callable[[Collection[int]], Awaitable[None]]


async def _nobody_listens(_: Collection[int]) -> None:
    return None


class GatewayStore:
    """The gateway's own database, opened once by the app and shared by requests."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._logins_changed: LoginsChanged = _nobody_listens

    def announce_login_changes(self, announce: LoginsChanged) -> None:
        """Where `logins_changed` goes (set once at bootstrap, when the cache that
        carries it to every process is open; until then, and in operators' commands,
        nowhere: processes holding facts then see the change when their hold ends)."""
        self._logins_changed = announce

    async def logins_changed(self, user_ids: Collection[int]) -> None:
        """Called by the store modules after committing a change to these users'
        sign-in sessions, role, email or linked accounts."""
        if user_ids:
            await self._logins_changed(user_ids)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Database sessions for the store modules that own the other tables."""
        return self._sessions

    async def ping(self) -> None:
        async with self._sessions() as session:
            await session.execute(select(1))

    async def aclose(self) -> None:
        await self._engine.dispose()
