"""Alembic environment for the gateway's own database.

`gateway.core.store.migrate` hands in an open connection (async engines are driven from
there); this file only runs the revisions on it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from gateway.tables import metadata

target_metadata = metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run migrations with gateway.core.store.migrate(database_url)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
