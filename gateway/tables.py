"""Every table of the gateway's own database, gathered from the domains that declare
them: what the Alembic migrations create, and what the test comparing the two reads."""

from __future__ import annotations

from gateway.audit import tables as audit_tables
from gateway.core.cache import feed_cursor as feed_cursor_table
from gateway.core.outbox import table as outbox_table
from gateway.core.store.base import Base
from gateway.identity import tables as identity_tables
from gateway.members import tables as members_tables
from gateway.notifications import tables as notifications_tables
from gateway.payments import tables as payments_tables
from gateway.payments.autopay import tables as autopay_tables
from gateway.payments.wallet import tables as wallet_tables
from gateway.similar_homes import tables as similar_homes_tables

metadata = Base.metadata

# Importing a module declares its tables on `metadata`; these names keep them imported.
DOMAIN_TABLES = (
    audit_tables,
    autopay_tables,
    feed_cursor_table,
    identity_tables,
    members_tables,
    notifications_tables,
    outbox_table,
    payments_tables,
    similar_homes_tables,
    wallet_tables,
)

__all__ = ["DOMAIN_TABLES", "metadata"]
