"""An INSERT that can say what to do on a conflict, in the store's own SQL dialect.

SQLAlchemy's ON CONFLICT clauses live in each dialect's `insert`; the gateway stores in
SQLite (the demo, tests) or PostgreSQL, and this picks the one the session talks to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_insert(session: AsyncSession, table: Any) -> postgresql.Insert | sqlite.Insert:
    """`table`: a mapped class or a Table."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the gateway stores in SQLite or PostgreSQL, not {dialect}")
