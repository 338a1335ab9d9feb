"""Where the CIS change feed was read up to, kept in the gateway's database.

Kept in memory only, the cursor was lost with the process: a new worker followed the
feed from "now", so what the CIS changed while no worker ran (or what the gateway wrote
just before it was killed, before it dropped its own cache entries) stayed cached until
its TTL. Stored, the next worker reads on from where the last one stopped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, Protocol

from sqlalchemy import DateTime, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.clock import Clock, utc_now
from gateway.core.store.base import Base
from gateway.core.store.gateway_store import GatewayStore

CIS_FEED: Final = "cis"
MAX_CURSOR_LENGTH: Final = 200


class FeedCursor(Base):
    """One row per change feed the gateway follows."""

    __tablename__ = "feed_cursors"

    feed: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(MAX_CURSOR_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CursorStore(Protocol):
    """Where a refresher keeps its cursor (None: follow the feed from "now")."""

    async def load(self) -> str | None: ...

    async def save(self, cursor: str | None) -> None: ...


class StoredCursor:
    """The cursor of one feed in the gateway's database."""

    def __init__(
        self, store: GatewayStore, *, feed: str = CIS_FEED, clock: Clock = utc_now
    ) -> None:
        self._store = store
        self._feed = feed
        self._clock = clock

    async def load(self) -> str | None:
        async with self._store.sessions() as session:
            found: str | None = await session.scalar(
                select(FeedCursor.cursor).where(FeedCursor.feed == self._feed)
            )
        return found

    async def save(self, cursor: str | None) -> None:
        if cursor is not None and len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError(f"a feed cursor has at most {MAX_CURSOR_LENGTH} characters")
        async with self._store.sessions() as session, session.begin():
            # Delete and insert: the same statements on SQLite and PostgreSQL; one
            # worker follows the feed, so no other writer races this row.
            await session.execute(delete(FeedCursor).where(FeedCursor.feed == self._feed))
            if cursor is not None:
                session.add(FeedCursor(feed=self._feed, cursor=cursor, updated_at=self._clock()))
