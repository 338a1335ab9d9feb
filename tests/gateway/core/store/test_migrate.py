"""The one set of migrations brings SQLite and PostgreSQL to the same tables."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.core.store.migrate import migrate
from gateway.core.store.open import SQLITE_BUSY_TIMEOUT_MS, open_store
from gateway.identity.users import account_numbers, find_user_by_email, upsert_member
from gateway.tables import metadata

EXPECTED_TABLES = {
    "alembic_version",
    "users",
    "user_accounts",
    "login_sessions",
    "refresh_tokens",
    "one_time_tokens",
    "account_invitations",
    "login_attempts",
    "mail_requests",
    "feed_cursors",
    "audit_entries",
    "outbox",
    "payments",
    "payment_events",
    "payment_webhook_events",
    "saved_payment_methods",
    "autopay_enrollments",
    "notification_contacts",
    "sms_consent_log",
    "sms_opt_outs",
    "sms_inbound_messages",
    "notification_preferences",
    "notification_preference_contacts",
    "notification_deliveries",
    "notification_time_zones",
    "similar_home_groups",
}


async def differences_from_models(url: str) -> list[object]:
    """What Alembic's autogenerate would change: nothing, if models and migrations agree."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
    finally:
        await engine.dispose()


async def tables_and_revision(url: str) -> tuple[set[str], str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            revision = (
                await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            ).scalar_one()
        return tables, revision
    finally:
        await engine.dispose()


async def check_database(url: str) -> None:
    await migrate(url)
    await migrate(url)  # a second run finds nothing to do
    assert await tables_and_revision(url) == (EXPECTED_TABLES, "0016")
    assert await differences_from_models(url) == []
    user_id = await upsert_member(url, email="m@example.com", password="p", account_numbers=["7"])
    store = open_store(url)
    try:
        assert await account_numbers(store, user_id) == {"7"}
    finally:
        await store.aclose()


# SQLite cannot reflect the index on lower(email); PostgreSQL's run compares it too.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
async def test_migrates_a_new_sqlite_file(tmp_path: Path) -> None:
    await check_database(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'gateway.db'}")


async def test_migrates_postgresql(postgres_database_url: Callable[[], str]) -> None:
    await check_database(postgres_database_url())


async def test_downgrade_is_refused_by_name(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    with pytest.raises(Exception, match="nowhere"):
        await migrate(url, revision="nowhere")


async def test_the_sqlite_store_reads_and_writes_side_by_side(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await migrate(url)
    store = open_store(url)
    try:
        async with store.engine.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
            waits = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
        # Many concurrent sign-ins (reads) and audit-like writes: none is refused.
        await asyncio.gather(
            *(
                upsert_member(
                    store.engine, email=f"m{n}@example.com", password="p", account_numbers=[str(n)]
                )
                for n in range(8)
            ),
            *(find_user_by_email(store, f"m{n}@example.com") for n in range(8)),
        )
    finally:
        await store.aclose()
    assert (mode, waits) == ("wal", SQLITE_BUSY_TIMEOUT_MS)
