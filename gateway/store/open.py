"""Open the gateway's database from its URL (no I/O until the first query)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import create_async_engine

from gateway.store.members import GatewayStore


def open_store(database_url: str) -> GatewayStore:
    # pool_pre_ping: a PostgreSQL restart must not fail the next login.
    return GatewayStore(create_async_engine(database_url, pool_pre_ping=True))
