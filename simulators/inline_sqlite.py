"""The stand-ins' database engine: SQLite run in the event loop's own thread.

aiosqlite runs every SQLite call on a thread of the connection's own and hands each
result back through the event loop. SQLAlchemy makes several such calls per query
(cursor, execute, fetch, close, and the pool's rollback when the connection goes
back), and on the stand-ins' small queries those hand-overs cost about 1.5 ms of CPU
per query, more than ten times the query itself. So for a SQLite URL the engine here
keeps SQLAlchemy's aiosqlite dialect (the same SQL, types and results) but gives it
connections that make each call directly on a `sqlite3` connection, in the calling
thread. Any other URL (PostgreSQL) gets the ordinary async engine.

Running inline blocks the event loop while a query runs: well under a millisecond on
the stand-ins' local files. It is sound because every stand-in handler holding a
transaction awaits only its own queries: the whole transaction then runs without
the event loop turning, so no other request can wait on its locks. (If a SQLite lock
is held elsewhere, e.g. by a test's own writer in another thread, a call waits for it
up to `sqlite3`'s usual busy timeout, as it did on aiosqlite's thread.) The engine
takes no `isolation_level`: the dialect sets one through aiosqlite's thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any, Final

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = ["InlineConnection", "InlineCursor", "stand_in_engine"]

SQLITE_BACKEND: Final = "sqlite"


def stand_in_engine(database_url: str) -> AsyncEngine:
    """The async engine a stand-in reads and writes its database through."""
    url = make_url(database_url)
    if url.get_backend_name() != SQLITE_BACKEND:
        return create_async_engine(database_url)
    if url.get_driver_name() != "aiosqlite":
        raise ValueError("a stand-in's SQLite URL names the aiosqlite driver")
    # What the dialect would open the file with (path, URI mode, timeout...).
    arguments, options = url.get_dialect()().create_connect_args(url)
    opened_with: tuple[list[Any], dict[str, Any]] = (list(arguments), dict(options))

    async def connect() -> InlineConnection:
        return InlineConnection(sqlite3.connect(*opened_with[0], **opened_with[1]))

    return create_async_engine(database_url, async_creator=connect)


class InlineCursor:
    """An aiosqlite-style cursor whose coroutines run the `sqlite3` call at once."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, operation: str, parameters: Any = ()) -> InlineCursor:
        self._cursor.execute(operation, parameters)
        return self

    async def executemany(self, operation: str, parameters: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(operation, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """The part of `aiosqlite.Connection` SQLAlchemy's aiosqlite dialect uses, inline."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        # The dialect checks this attribute (aiosqlite's own) before commit and rollback.
        self._connection: sqlite3.Connection | None = connection

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._open().cursor())

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    async def commit(self) -> None:
        self._open().commit()

    async def rollback(self) -> None:
        self._open().rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close at once (the dialect's `terminate`); there is no thread to stop."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
