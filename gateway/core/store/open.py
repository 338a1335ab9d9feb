"""Open the gateway's database from its URL (no I/O until the first query)."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.core.store.gateway_store import GatewayStore

SQLITE_BUSY_TIMEOUT_MS: Final = 30_000


def open_store(database_url: str) -> GatewayStore:
    # pool_pre_ping: a PostgreSQL restart must not fail the next login.
    engine = create_async_engine(database_url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _share_sqlite_between_requests)
    return GatewayStore(engine)


def _share_sqlite_between_requests(dbapi_connection: Any, _: object) -> None:
    # Every signed-in request reads this database, and every staff read writes an audit
    # entry. With SQLite's default rollback journal a steady stream of readers starved
    # the writers past the busy timeout ("database is locked"), and a staff read whose
    # audit entry cannot be written is refused. In WAL mode readers and the one writer
    # do not block each other; NORMAL sync is the setting WAL is designed for. Writers
    # still queue for the one write lock, and a busy event loop can hold it between a
    # write and its commit: they wait up to SQLITE_BUSY_TIMEOUT_MS before giving up.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()
