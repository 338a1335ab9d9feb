"""The gateway's own database, opened once per process and shared by requests and jobs.

The domains own their tables and queries (`gateway/<domain>/tables.py` and store
modules); this is only the engine and its sessions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)


class GatewayStore:
    """The gateway's own database, opened once by the app and shared by requests."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

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
